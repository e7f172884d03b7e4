"""Text the system writes on someone's behalf: stored as a code with parameters, rendered for the reader.

Decision 0012 (store codes, render in the reader's language), extended by issue 18 item 25: "X joins the
programme…" or "referred: …" were written in the language of whoever triggered them and shown so to everyone.
Now a record keeps ``message_code`` and ``message_params``; the sentence is made when it is read, in the
active language, by :func:`render` (templates: ``{{ obj|generated:"field" }}`` from the ``generated`` tag
library). Each app declares its sentences in its ``texts`` module with :func:`register`, the msgid marked
with ``gettext_noop`` so that makemessages finds it.

A parameter is a plain value (a name, a number), or a dict that is itself rendered:
``{"texts": {"nl": …, "fr": …}}`` (a multilingual text of the data, e.g. a pathway title),
``{"choice": "dotted.path.TextChoices", "value": code}`` (a choice's label), or
``{"code": …, "params": {…}}`` (another message).
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Any

from django.utils.module_loading import autodiscover_modules, import_string
from django.utils.translation import get_language, gettext, override

MESSAGES: dict[str, str] = {}
LANGUAGES = ("nl", "fr", "de", "en")
_discovered = False


def register(code: str, template: str) -> str:
    """Declare a generated sentence (a msgid with ``%(name)s`` placeholders); returns the code."""
    MESSAGES[code] = template
    return code


def _discover() -> None:
    global _discovered  # noqa: PLW0603 - once per process
    if not _discovered:
        autodiscover_modules("texts")
        _discovered = True


def message(code: str, **params: Any) -> dict[str, Any]:
    """What a record stores: the code and JSON parameters."""
    return {"code": code, "params": params}


def texts(values: dict[str, str] | str | None) -> dict[str, Any] | str:
    """A multilingual text of the data as a parameter (a plain string stays as it is)."""
    return {"texts": values} if isinstance(values, dict) else (values or "")


def _text_in(values: dict[str, Any], language: str) -> str:
    return values.get(language) or values.get("en") or values.get("nl") or next(iter(values.values()), "")


def _value(value: Any, language: str) -> Any:
    if isinstance(value, dict):
        if "texts" in value and isinstance(value["texts"], dict):
            return _text_in(value["texts"], language)
        if "choice" in value:
            try:
                return str(import_string(value["choice"])(value["value"]).label)
            except (ImportError, ValueError):
                return value.get("value", "")
        if "code" in value:
            return render(value["code"], value.get("params") or {}, language)
    return value


def render(code: str, params: dict[str, Any] | None = None, language: str | None = None) -> str:
    """The sentence in ``language`` (default: the active one); an unknown code shows its ``text`` parameter."""
    _discover()
    params = params or {}
    template = MESSAGES.get(code)
    if template is None:
        return str(params.get("text", ""))
    with override(language) if language else nullcontext():
        lang = (get_language() or "en")[:2]
        return gettext(template) % {name: _value(value, lang) for name, value in params.items()}


def shown(obj: Any, field: str) -> str:
    """The field as the reader sees it: what someone typed there, else the record's generated sentence."""
    typed = getattr(obj, field, "") or ""
    code = getattr(obj, "message_code", "")
    if typed or not code:
        return typed
    return render(code, getattr(obj, "message_params", None) or {})


# --------------------------------------------------------------------------- recognising older stored texts


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(rf"^{regex}$", re.DOTALL)


def recognise(text: str, code: str) -> tuple[str, dict[str, str]] | None:
    """For data migrations: if ``text`` is the sentence ``code`` in one of the four languages, that language and
    the parameters it carried (as strings); else None."""
    _discover()
    template = MESSAGES.get(code)
    if template is None or not text:
        return None
    for language in LANGUAGES:
        with override(language):
            found = _pattern(gettext(template)).match(text.strip())
        if found:
            return language, found.groupdict()
    return None
