"""Every word of the portal has a German and a Japanese translation, with the same
placeholders; pages come out in the locale asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from selfserve.portal.i18n import catalog, choose
from tests.fixtures.world import World
from tests.portal.helpers import open_portal

PORTAL = Path(__file__).resolve().parents[2] / "src" / "selfserve" / "portal"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def source_messages() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(
        str(PORTAL),
        method_map,
        options_map=options,
        keywords={"_": None, "N_": None, "FormError": (2,)},
    )
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


@pytest.mark.parametrize("locale", ["de", "ja"])
def test_every_portal_message_is_translated(locale: str) -> None:
    messages = source_messages()
    assert len(messages) > 100  # the extraction itself works
    words = catalog(locale)
    missing = sorted(m for m in messages if not words.get(m))
    assert not missing, f"{len(missing)} messages without a {locale} translation: {missing[:20]}"


@pytest.mark.parametrize("locale", ["de", "ja"])
def test_translations_keep_their_placeholders(locale: str) -> None:
    for source, translated in catalog(locale).items():
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(translated)), source


def test_locale_comes_from_the_query_then_the_session_then_the_browser() -> None:
    assert choose("ja", "de", "en") == "ja"
    assert choose(None, "de", "ja") == "de"
    assert choose(None, None, "fr, ja;q=0.8") == "ja"
    assert choose("xx", None, None) == "en"


def test_error_pages_translate_the_portals_messages_and_drop_untranslated_ones(
    world: World,
) -> None:
    reader = open_portal(world, locale="de")
    refused = reader.submit("/portal/subscriptions/x/cancel", {"_key": "k"})
    assert refused.status_code == 403
    assert "nichts ändern" in refused.text  # ReadOnlySession's message, in German
    missing = reader.get("/portal/orders/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert 'role="alert"' not in missing.text  # the API's English message is left out
    english = open_portal(world).submit("/portal/subscriptions/x/cancel", {"_key": "k"})
    assert "can view but not change anything" in english.text
