"""A parser for the FHIRPath subset SQL on FHIR v2 views use.

Why our own: the expression is not evaluated here but compiled to SQL (``compiler``), so we
need its syntax tree, not an interpreter. Precedence follows the FHIRPath grammar (N1,
http://hl7.org/fhirpath/N1/grammar.html), from loosest: implies, or/xor, and, in/contains,
=/!=/~/!~, </<=/>/>=, |, is/as, +/-/&, * / div mod, unary -, then invocation (``.``) and
indexer (``[n]``). Nodes are small tuples so the compiler can pattern-match on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from careweave.sof.errors import ViewDefinitionError

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<datetime>@T?[0-9][0-9:T.+\-Z]*)
  | (?P<number>[0-9]+(?:\.[0-9]+)?)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*|`(?:[^`\\]|\\.)*`)
  | (?P<special>\$this|\$index|\$total)
  | (?P<env>%(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]*`|'[^']*'))
  | (?P<op><=|>=|!=|!~|[-+*/&|=~<>().,\[\]{}])
""", re.VERBOSE | re.DOTALL)

_ESCAPES = {"'": "'", '"': '"', "`": "`", "/": "/", "\\": "\\", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def _unescape(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and i + 5 < len(body):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ViewDefinitionError(f"FHIRPath {text!r}: unexpected character {text[pos]!r} at {pos}")
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


# Binary operators by precedence level, loosest first.
_LEVELS: list[tuple[str, ...]] = [
    ("implies",), ("or", "xor"), ("and",), ("in", "contains"), ("=", "!=", "~", "!~"),
    ("<", "<=", ">", ">="), ("|",), ("is", "as"), ("+", "-", "&"), ("*", "/", "div", "mod"),
]


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def error(self, message: str) -> ViewDefinitionError:
        return ViewDefinitionError(f"FHIRPath {self.text!r}: {message}")

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.error("unexpected end of expression")
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise self.error(f"expected {text!r} at {tok.pos}, found {tok.text!r}")

    def at_op(self, ops: tuple[str, ...]) -> str | None:
        tok = self.peek()
        if tok and tok.kind in ("op", "ident") and tok.text in ops:
            return tok.text
        return None

    def parse(self) -> tuple:
        if not self.tokens:
            raise self.error("empty expression")
        node = self.binary(0)
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek().text!r} at {self.peek().pos}")
        return node

    def binary(self, level: int) -> tuple:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (op := self.at_op(_LEVELS[level])) is not None:
            self.take()
            if op in ("is", "as"):
                left = ("typeop", op, left, self.type_name())
            else:
                left = ("binop", op, left, self.binary(level + 1))
        return left

    def type_name(self) -> str:
        parts = [self._ident(self.take())]
        while self.peek() and self.peek().text == ".":
            self.take()
            parts.append(self._ident(self.take()))
        return ".".join(parts)

    def _ident(self, tok: Token) -> str:
        if tok.kind != "ident":
            raise self.error(f"expected a name at {tok.pos}, found {tok.text!r}")
        return tok.text[1:-1] if tok.text.startswith("`") else tok.text

    def unary(self) -> tuple:
        if self.at_op(("-", "+")):
            op = self.take().text
            operand = self.unary()
            return ("neg", operand) if op == "-" else operand
        return self.postfix()

    def postfix(self) -> tuple:
        node = self.term()
        while (tok := self.peek()) is not None and tok.text in (".", "["):
            self.take()
            if tok.text == "[":
                index = self.binary(0)
                self.expect("]")
                node = ("index", node, index)
            else:
                node = self.invocation(node)
        return node

    def invocation(self, target: tuple | None) -> tuple:
        tok = self.take()
        if tok.kind == "special":
            return ("this",) if target is None else self._raise_special(tok)
        name = self._ident(tok)
        nxt = self.peek()
        if nxt is not None and nxt.text == "(" and not tok.text.startswith("`"):
            self.take()
            args = []
            if self.peek() is not None and self.peek().text != ")":
                args.append(self.binary(0))
                while self.peek() is not None and self.peek().text == ",":
                    self.take()
                    args.append(self.binary(0))
            self.expect(")")
            return ("call", name, tuple(args), target)
        return ("member", target, name)

    def _raise_special(self, tok: Token):
        raise self.error(f"{tok.text} cannot follow '.'")

    def term(self) -> tuple:
        tok = self.peek()
        if tok is None:
            raise self.error("unexpected end of expression")
        if tok.kind == "number":
            self.take()
            return ("lit", "decimal" if "." in tok.text else "integer", tok.text)
        if tok.kind == "string":
            self.take()
            return ("lit", "string", _unescape(tok.text[1:-1]))
        if tok.kind == "datetime":
            self.take()
            body = tok.text[1:]
            kind = "time" if body.startswith("T") else ("dateTime" if "T" in body else "date")
            return ("lit", kind, body[1:] if kind == "time" else body)
        if tok.kind == "env":
            self.take()
            name = tok.text[1:]
            if name[:1] in "`'":
                name = name[1:-1]
            return ("env", name)
        if tok.kind == "special":
            self.take()
            if tok.text == "$this":
                return ("this",)
            if tok.text == "$index":
                return ("env", "rowIndex")
            raise self.error(f"{tok.text} is not supported")
        if tok.kind == "ident" and tok.text in ("true", "false"):
            self.take()
            return ("lit", "boolean", tok.text == "true")
        if tok.kind == "op" and tok.text == "(":
            self.take()
            node = self.binary(0)
            self.expect(")")
            return node
        if tok.kind == "op" and tok.text == "{":
            self.take()
            self.expect("}")
            return ("empty",)
        if tok.kind == "ident":
            return self.invocation(None)
        raise self.error(f"unexpected {tok.text!r} at {tok.pos}")


def parse(text: str) -> tuple:
    """The syntax tree of one FHIRPath expression; ``ViewDefinitionError`` if it is not valid."""
    if not isinstance(text, str):
        raise ViewDefinitionError(f"a FHIRPath expression must be a string, not {text!r}")
    return _Parser(text).parse()
