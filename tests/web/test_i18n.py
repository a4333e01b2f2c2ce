"""Two languages, the member choosing: English and Spanish, complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Idea
from prosumo.ideas.services import idea_submit

SRC = Path(__file__).resolve().parents[2] / "src" / "prosumo"
PO = SRC / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# Prosumo's wording of allauth's and Django's text (the "tú" form), kept by hand.
OVERRIDES_PO = SRC / "locale_overrides" / "es" / "LC_MESSAGES" / "django.po"
CATALOGUES = pytest.mark.parametrize("po", [PO, OVERRIDES_PO], ids=["site", "overrides"])
SKIPPED_PACKAGES = ("analytics", "synth", "migrations")


def _unquote(text: str) -> str:
    return re.sub(r'\\(["\\n])', lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse_po(path: Path) -> list[dict[str, object]]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list), flags; the header is left out."""
    entries: list[dict[str, object]] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, object] = {"flags": set(), "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            match = re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key, text = match.group(1), _unquote(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(text)  # type: ignore[union-attr]
                else:
                    entry[key] = text
            elif line.startswith('"') and key is not None:
                text = _unquote(line[1:-1])
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += text  # type: ignore[index]
                else:
                    entry[key] = str(entry[key]) + text
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def visible_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def spanish_visitor() -> Client:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    return client


# --- what people see --------------------------------------------------------------------


def test_visitor_who_picks_spanish_sees_spanish_home_campaign_and_idea(idea):
    # given
    client = spanish_visitor()
    # when
    home = client.get("/")
    campaign = client.get(f"/c/{idea.campaign.slug}/")
    page = client.get(f"/ideas/{idea.pk}/")
    # then
    assert '<html lang="es">' in home.content.decode()
    assert "Campañas abiertas" in visible_text(home)
    assert "Ideas en auge" in visible_text(home)
    assert "Open campaigns" not in visible_text(home)
    assert "Envía una idea" in visible_text(campaign)
    assert "Con 3 apoyos una idea pasa a revisión" in visible_text(campaign)
    assert "Submit an idea" not in visible_text(campaign)
    assert "Qué ha sido de ella" in visible_text(page)
    assert "Abierta a apoyos" in visible_text(page)
    assert "Inicia sesión para votar" in visible_text(page)
    assert "What happened to it" not in visible_text(page)


def test_english_stays_the_default(idea):
    response = Client().get(f"/ideas/{idea.pk}/")
    assert '<html lang="en">' in response.content.decode()
    assert "What happened to it" in visible_text(response)


def test_member_with_spanish_locale_sees_spanish(make_member, login, idea):
    # given
    member = make_member(locale="es")
    client = login(member)
    # when
    page = visible_text(client.get(f"/ideas/{idea.pk}/"))
    # then
    assert "Notificaciones" in page
    assert "Configuración" in page
    assert "Publicar comentario" in page
    assert "1 seguidor " in page
    assert "Post comment" not in page


def test_member_locale_wins_over_the_language_picked_before_signing_in(make_member, idea):
    # given: the browser picked Spanish, the member's profile says English
    client = spanish_visitor()
    member = make_member(locale="en")
    client.force_login(member)
    # when
    page = visible_text(client.get(f"/ideas/{idea.pk}/"))
    # then
    assert "Post comment" in page
    assert "Publicar comentario" not in page


def test_signed_in_member_who_picks_spanish_keeps_it_in_their_profile(make_member, login, idea):
    # given
    member = make_member(locale="en")
    client = login(member)
    # when
    response = client.post("/i18n/setlang/", {"language": "es", "next": f"/ideas/{idea.pk}/"})
    # then
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.locale == "es"
    assert "Publicar comentario" in visible_text(client.get(f"/ideas/{idea.pk}/"))


def test_an_unknown_language_changes_nothing(make_member, login):
    member = make_member(locale="en")
    login(member).post("/i18n/setlang/", {"language": "xx", "next": "/"})
    member.refresh_from_db()
    assert member.locale == "en"


def test_form_errors_from_services_reach_a_spanish_member_in_spanish(make_member, login, campaign):
    # given
    member = make_member(locale="es")
    # when
    response = login(member).post(f"/c/{campaign.slug}/submit/", {"title": "Hola", "body": "corto"})
    # then
    assert response.status_code == 400
    text = visible_text(response)
    assert "El título necesita de 5 a 160 caracteres." in text
    assert "Describe la idea en 20 a 20000 caracteres." in text
    assert not Idea.objects.exists()


def test_service_messages_keep_their_english_text_and_code(member, campaign):
    # when
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        idea_submit(actor=member, campaign_id=campaign.pk, title="Hi", body="A body long enough to pass the check.")
    # then
    assert caught.value.fields == {"title": ["The title needs 5 to 160 characters."]}
    assert caught.value.code == "invalid"


def test_allauth_pages_are_in_spanish_too(db):
    # given
    client = spanish_visitor()
    # when
    login_page = visible_text(client.get("/accounts/login/"))
    signup_page = visible_text(client.get("/accounts/signup/"))
    # then
    assert "Contraseña" in login_page
    assert "Password" not in login_page
    assert "Registrarse" in signup_page


# --- the catalogue ------------------------------------------------------------------------


def test_spanish_catalogue_has_no_untranslated_or_fuzzy_entry():
    # given
    entries = parse_po(PO)
    # then
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]  # type: ignore[arg-type]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]  # type: ignore[operator]
    assert untranslated == []
    assert fuzzy == []


@CATALOGUES
def test_translations_keep_every_placeholder(po):
    placeholder = re.compile(r"%\(\w+\)[sd]|\{[^{}]*\}")
    broken = []
    for entry in parse_po(po):
        wanted = sorted(placeholder.findall(str(entry["msgid"])))
        for text in entry["msgstr"]:  # type: ignore[union-attr]
            if sorted(placeholder.findall(text)) != wanted:
                broken.append((entry["msgid"], text))
    assert broken == []


@CATALOGUES
def test_compiled_catalogue_matches_the_po_file(po):
    # given
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    # then
    stale = []
    for entry in parse_po(po):
        msgid, msgstr = str(entry["msgid"]), entry["msgstr"]
        if "msgctxt" in entry:
            got = [compiled.pgettext(str(entry["msgctxt"]), msgid)]
        elif "msgid_plural" in entry:
            got = [compiled.ngettext(msgid, str(entry["msgid_plural"]), n) for n in (1, 2)]
        else:
            got = [compiled.gettext(msgid)]
        if got != msgstr:
            stale.append(msgid)
    assert stale == [], "run compilemessages (docs/contributing.md)"


def _source_strings() -> set[str]:
    """Literal strings marked for translation in templates ({% trans %}) and Python (gettext/_)."""
    found: set[str] = set()
    for path in SRC.rglob("templates/**/*.*"):
        found.update(
            m.group(2) for m in re.finditer(r"""{%\s*trans\s+(["'])(.+?)\1""", path.read_text(encoding="utf-8"))
        )
    for path in SRC.rglob("*.py"):
        if any(part in SKIPPED_PACKAGES for part in path.relative_to(SRC).parts):
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"""\b(?:gettext|gettext_lazy|_)\(\s*(["'])((?:(?!\1)[^\\\n]|\\.)+)\1\s*[,)]""", text):
            found.add(match.group(2).replace('\\"', '"').replace("\\'", "'"))
    return found


def test_every_marked_string_is_in_the_spanish_catalogue():
    # given
    catalogue = {str(e["msgid"]) for e in parse_po(PO)}
    # then
    missing = sorted(_source_strings() - catalogue)
    assert missing == [], "run makemessages and translate (docs/contributing.md)"
