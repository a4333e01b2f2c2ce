"""The sign-in pages and account emails in Spanish speak as the rest of the site does ("tú"), and keep the language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from prosumo.community.models import Member
from tests.web.test_i18n import spanish_visitor, visible_text

pytestmark = pytest.mark.django_db

# Words of the formal "usted" address that the "tú" form never uses.
USTED = re.compile(
    r"\b(usted|ustedes|su|sus|Su|Sus|Introduzca|introduzca|Escriba|escriba|Utilice|utilice|inicie|Inicie|"
    r"regístrese|Verifique|verifique|Confirme|confirme|compruebe|póngase|contáctenos|desea|vuelva|Ha olvidado|"
    r"ha olvidado|Olvidó|olvidó|tiene|Le hemos|le enviaremos|haga clic|Haga clic)\b"
)
SIGNED_OUT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
]
SIGNED_IN_PAGES = ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/", "/accounts/reauthenticate/"]


def usted_words(text: str) -> list[str]:
    return sorted({m.group(0) for m in USTED.finditer(text)})


def test_the_sign_in_pages_say_tu_in_spanish(member):
    # given
    visitor = spanish_visitor()
    Member.objects.filter(pk=member.pk).update(locale="es")
    signed_in = Client()
    signed_in.force_login(member)
    # when
    pages = {path: visible_text(visitor.get(path)) for path in SIGNED_OUT_PAGES}
    pages |= {path: visible_text(signed_in.get(path)) for path in SIGNED_IN_PAGES}
    pages["bad sign-in"] = visible_text(visitor.post("/accounts/login/", {"login": "no@example.org", "password": "x"}))
    pages["bad sign-up"] = visible_text(
        visitor.post("/accounts/signup/", {"email": "bad", "password1": "1", "password2": "2"})
    )
    # then
    assert "Iniciar sesión" in pages["/accounts/login/"]  # Spanish, not English
    assert "¿Has olvidado tu contraseña?" in pages["/accounts/login/"]
    assert "Escribe una dirección de correo válida." in pages["bad sign-up"]
    assert {path: usted_words(text) for path, text in pages.items() if usted_words(text)} == {}


def test_the_password_reset_email_says_tu(member):
    # given
    visitor = spanish_visitor()
    # when
    visitor.post("/accounts/password/reset/", {"email": member.email})
    # then
    (sent,) = mail.outbox
    assert "Recibes este correo porque tú u otra persona" in sent.body
    assert usted_words(sent.subject + " " + sent.body) == []


def test_a_member_who_signs_up_in_spanish_keeps_spanish(db):
    # given
    visitor = spanish_visitor()
    # when
    response = visitor.post(
        "/accounts/signup/",
        {
            "email": "nueva@example.org",
            "display_name": "Nueva",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
        },
    )
    # then
    assert response.status_code == 302
    assert Member.objects.get(email="nueva@example.org").locale == "es"
    (sent,) = mail.outbox
    assert sent.subject.endswith("Confirma tu dirección de correo")
