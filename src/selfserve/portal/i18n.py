"""The portal's words in each locale: gettext catalogs (``locales/<locale>.po``) read with
Babel at start-up. English is the source language; a missing translation falls back to it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po

from selfserve.kit.l10n import DEFAULT_LOCALE, negotiate, supported

Translate = Callable[..., str]


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation for ``locale`` (empty for English, the source language)."""
    if locale == DEFAULT_LOCALE:
        return {}
    source = resources.files("selfserve.portal").joinpath("locales").joinpath(f"{locale}.po")
    with source.open("rb") as handle:
        parsed = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in parsed if m.id and m.string}


def translator(locale: str) -> Translate:
    """``_("{count} orders", count=3)``: the translation, with named placeholders filled."""
    words = catalog(locale)

    def translate(message: str, **values: Any) -> str:
        text = words.get(message, message)
        return text.format(**values) if values else text

    return translate


def choose(query_locale: str | None, session_locale: str | None, accept: str | None) -> str:
    """``?locale=``, then the session's locale, then ``Accept-Language``, then English."""
    return (
        supported(query_locale) or supported(session_locale) or negotiate(accept) or DEFAULT_LOCALE
    )
