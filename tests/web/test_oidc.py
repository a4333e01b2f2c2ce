"""Single sign-on through OpenID Connect, end to end, against a real provider started by the test.

The provider (oidc-provider-mock) listens on 127.0.0.1 in a thread: allauth reads its
discovery document, sends the browser to its authorisation form, exchanges the code at its
token endpoint and checks the signed ID token with its keys, as with any provider.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import oidc_provider_mock
import pytest
from django.test import Client

from prosumo.activity.models import Event
from prosumo.community.models import Member

ROOT = Path(__file__).resolve().parents[2]
# The provider (0.3.4, the last for Python 3.11) calls an authlib hook that authlib now
# warns about; the warning is raised in the provider's thread, not by Prosumo.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


@pytest.fixture
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def sso(provider, settings) -> str:
    """The site set up as an operator would, through SOCIALACCOUNT_PROVIDERS."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "corp",
                    "name": "Corp SSO",
                    "client_id": "prosumo",
                    "secret": "prosumo-secret",
                    "settings": {"server_url": provider},
                }
            ]
        }
    }
    return provider


def sign_in(provider: str, sub: str) -> Client:
    """Go through the whole flow as a browser would; the client comes back signed in, or not."""
    browser = Client()
    started = browser.post("/accounts/oidc/corp/login/")
    assert started.status_code == 302, started.content
    authorize = started["Location"]
    assert authorize.startswith(provider)
    # the person signs in on the provider's form, which sends them back with a code
    answered = httpx.post(authorize, data={"sub": sub})
    assert answered.status_code == 302, answered.text
    back = urlsplit(answered.headers["location"])
    assert back.path == "/accounts/oidc/corp/login/callback/"
    finished = browser.get(f"{back.path}?{back.query}")
    assert finished.status_code == 302, finished.content
    return browser


def test_a_new_member_signs_up_through_openid_connect(sso, db):
    # given a person the provider knows, with a verified address
    claims = {"email": "ana@corp.example", "email_verified": True, "name": "Ana Campista"}
    assert httpx.put(f"{sso}/users/{quote('ana-1')}", json=claims).status_code == 204
    # when
    browser = sign_in(sso, "ana-1")
    # then: a member, signed in, named by a pseudonym rather than the provider's name
    member = Member.objects.get(email="ana@corp.example")
    assert member.display_name != "Ana Campista"
    assert browser.get("/api/me").json()["email"] == "ana@corp.example"
    assert Event.objects.filter(verb="member.joined", actor_id=member.pk).exists()
    # and next time the same person signs in to the same account
    again = sign_in(sso, "ana-1")
    assert again.get("/api/me").json()["id"] == member.pk
    assert Member.objects.filter(email="ana@corp.example").count() == 1


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    code = "from django.conf import settings; print(sorted(settings.SOCIALACCOUNT_PROVIDERS))"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "prosumo.settings", "PROSUMO_DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_socialaccount_providers_are_read_from_the_environment():
    ok = run_settings(PROSUMO_SOCIALACCOUNT_PROVIDERS='{"openid_connect": {"APPS": []}}')
    bad = run_settings(PROSUMO_SOCIALACCOUNT_PROVIDERS="{not json")
    saml = run_settings(PROSUMO_SOCIAL_PROVIDERS="saml")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "['openid_connect']"
    assert "PROSUMO_SOCIALACCOUNT_PROVIDERS is not JSON" in bad.stderr
    assert "SAML single sign-on is not offered" in saml.stderr
