"""No untranslated string: every msgid of the code is in the nl/fr/de catalogues, translated and compiled.

The catalogues live in ``careweave/locale/<lang>/LC_MESSAGES/django.po`` (``make messages``). These
tests read them with a small parser (no extra dependency), compare them with what ``makemessages``
extracts from the code now, and check the compiled ``.mo`` is the one Django will load.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

import careweave

PACKAGE = Path(careweave.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
TRANSLATED = ("nl", "fr", "de")
ALL = (*TRANSLATED, "en")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """Parse a gettext .po file: flags, context, singular and plural entries; obsolete (#~) ones are skipped."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            if started and current.msgstr:
                finish()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        value = ast.literal_eval(rest)
        if keyword in ("msgctxt", "msgid") and current.msgstr:
            finish()
        started = True
        current.line = current.line or number
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstr[index] = value
            target = ("msgstr", index)
        else:
            setattr(current, keyword, value)
            target = (keyword, 0)
    finish()
    return [e for e in entries if e.msgid or e.msgctxt]


def _require_catalogues() -> None:
    if not LOCALE.is_dir():
        message = f"{LOCALE} does not exist yet: run `make messages`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _po(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def untranslated(entries: list[Entry]) -> list[str]:
    problems = []
    for e in entries:
        if "fuzzy" in e.flags:
            problems.append(f"line {e.line}: fuzzy: {e.msgid!r}")
        elif not e.msgstr or any(not text.strip() for text in e.msgstr.values()):
            problems.append(f"line {e.line}: empty: {e.msgid!r}")
    return problems


def test_the_parser_reads_plurals_context_flags_and_continuations(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hallo %(name)s"\n\n'
        '#, fuzzy\nmsgctxt "menu"\nmsgid "Open"\nmsgstr "Openen"\n\n'
        'msgid "one task"\nmsgid_plural "%(n)s tasks"\nmsgstr[0] "een taak"\nmsgstr[1] ""\n\n'
        'msgid ""\n"long "\n"text"\nmsgstr ""\n\n'
        '#~ msgid "old"\n#~ msgstr "oud"\n',
        encoding="utf-8",
    )
    entries = parse_po(po)
    assert [e.msgid for e in entries] == ["Hello %(name)s", "Open", "one task", "long text"]
    assert entries[0].msgstr == {0: "Hallo %(name)s"} and "python-format" in entries[0].flags
    assert entries[1].msgctxt == "menu" and "fuzzy" in entries[1].flags
    assert entries[2].msgid_plural == "%(n)s tasks" and entries[2].msgstr == {0: "een taak", 1: ""}
    assert len(untranslated(entries)) == 3


@pytest.mark.parametrize("language", ALL)
def test_every_language_has_a_catalogue(language):
    _require_catalogues()
    assert _po(language).exists(), f"{_po(language)} is missing: run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_entry_is_empty_or_fuzzy(language):
    _require_catalogues()
    problems = untranslated(parse_po(_po(language)))
    assert not problems, f"{len(problems)} untranslated in {language}:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_the_po(language):
    """Django loads the .mo, not the .po: an edit that was not compiled would not show."""
    _require_catalogues()
    mo = _po(language).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages` (compilemessages)"
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - the parsed table itself
    stale = []
    for e in parse_po(_po(language)):
        if "fuzzy" in e.flags:
            continue
        if e.msgid_plural is None:
            if catalog.get(e.key) != e.msgstr.get(0):
                stale.append(e.msgid)
        elif catalog.get((e.key, 0)) != e.msgstr.get(0):
            stale.append(e.msgid)
    assert not stale, f"{len(stale)} entries differ in {mo.name}: {stale[:10]}"


def test_the_catalogues_contain_every_string_of_the_code(tmp_path, settings, monkeypatch):
    """Extract the msgids now (as `make messages` does) into a copy and look for new, untranslated ones."""
    _require_catalogues()
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        message = "GNU gettext (xgettext, msgmerge) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    copy = tmp_path / "careweave"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "static", "migrations")
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=list(ALL), verbosity=0, no_obsolete=True, no_location=True)
    missing = {}
    for language in TRANSLATED:
        problems = untranslated(parse_po(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        if problems:
            missing[language] = problems
    assert not missing, "\n".join(
        f"{language}: {len(items)} new or untranslated, e.g.\n  " + "\n  ".join(items[:15])
        for language, items in missing.items()
    )


def test_the_catalogues_compile_without_format_errors():
    """msgfmt --check catches a %(name)s that was translated as %(naam)s."""
    _require_catalogues()
    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext (msgfmt) is not installed")
    for language in TRANSLATED:
        result = subprocess.run(
            ["msgfmt", "--check-format", "-o", os.devnull, str(_po(language))], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{language}: {result.stderr}"
