"""RFC 3161 time-stamps of signed tree heads, from a real authority (`openssl ts -reply` over HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prosumo.activity.models import Event
from prosumo.cli import app
from prosumo.provenance import keys
from prosumo.provenance.models import SignedTreeHead
from prosumo.provenance.proof import b64, certificate_message, unb64
from prosumo.provenance.services import certificate_issue, tree_head_sign, tree_heads_timestamp_missing
from tests.provenance.authority import Authority, _certificate, _pem, authority_start

INTACT = "The certificate is intact: every record was in the log the site signed, as it reads now.\n"


@pytest.fixture(scope="module")
def authority(tmp_path_factory) -> Authority:
    running, server = authority_start(tmp_path_factory.mktemp("tsa"))
    yield running
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.PROSUMO_PROVENANCE_KEY_FILE = tmp_path / "provenance.pem"


@pytest.fixture
def configured(settings, authority):
    settings.PROSUMO_TSA_URL = authority.url
    settings.PROSUMO_TSA_CERTIFICATE = str(authority.ca_file)
    authority.broken = False
    return authority


def _write(document: dict, path: Path, *, resign: bool = False) -> Path:
    document = dict(document)
    if resign:  # the site's own signature made again, so that only the token is in question
        document["signature"] = b64(keys.instance_key().sign(certificate_message(document)))
    path.write_text(json.dumps(document))
    return path


def _verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["verify", *args])
    return result.exit_code, result.output


def test_a_signed_head_gets_a_token_that_verify_accepts(configured, idea, tmp_path, client):
    # given an authority configured, and an idea whose logging signed a head
    head = SignedTreeHead.objects.get()
    # then the head was time-stamped by a task after it was signed
    assert head.timestamp_token is not None
    event = Event.objects.get(verb="tree_head.timestamped")
    assert (event.value, event.details["head"], event.details["authority"]) == (1, head.pk, configured.url)
    # and the certificate carries the token, which `prosumo verify` checks against the authority's CA
    document = certificate_issue(idea=idea)
    assert unb64(document["tree_head"]["timestamp_token"]) == bytes(head.timestamp_token)
    path = _write(document, tmp_path / "cert.json")
    code, output = _verify(str(path), "--tsa-certificate", str(configured.ca_file))
    assert code == 0, output
    assert "ok    time-stamped by CN=Test Time-Stamping Authority at " in output
    assert ", signed under the authority certificate you gave\n" in output
    assert output.endswith(INTACT)
    # without the authority's certificate, the imprint is checked and the signature is said not to be
    code, output = _verify(str(path))
    assert code == 0
    assert "the authority's signature was not checked (give its certificate with --tsa-certificate)\n" in output
    # and the printable page names the authority
    page = client.get(f"/ideas/{idea.pk}/certificate/").content.decode()
    assert "Time-stamped by CN=Test Time-Stamping Authority at " in page


def test_a_token_for_other_bytes_or_altered_is_refused(configured, idea, member, make_idea, tmp_path):
    document = certificate_issue(idea=idea)
    token = unb64(document["tree_head"]["timestamp_token"])
    # given the token of another head put in this certificate (re-signed, so only the token is wrong)
    make_idea(member, title="A lantern that charges by day in the sun")
    other = SignedTreeHead.objects.order_by("-size").first()
    assert other.size == 2
    assert other.timestamp_token is not None
    swapped = {**document, "tree_head": {**document["tree_head"], "timestamp_token": b64(bytes(other.timestamp_token))}}
    code, output = _verify(str(_write(swapped, tmp_path / "swapped.json", resign=True)))
    assert code == 1
    assert output.splitlines()[-1] == (
        "FAIL  the time-stamp token is for other bytes: its message imprint is not the SHA-256 of the signed tree head"
    )
    # given the token with one byte of the authority's signature changed
    altered_token = bytearray(token)
    altered_token[-10] ^= 0x01
    altered = {**document, "tree_head": {**document["tree_head"], "timestamp_token": b64(bytes(altered_token))}}
    path = _write(altered, tmp_path / "altered.json", resign=True)
    code, output = _verify(str(path), "--tsa-certificate", str(configured.ca_file))
    assert code == 1
    assert output.splitlines()[-1] == (
        "FAIL  the time-stamp token's signature does not hold: the token was changed after the authority signed it"
    )
    # and without re-signing, the site's signature over the certificate fails as well
    unsigned = _write(altered, tmp_path / "unsigned.json")
    code, output = _verify(str(unsigned), "--tsa-certificate", str(configured.ca_file))
    assert "FAIL  bad signature: the certificate was changed after it was issued" in output
    # given another authority's CA, the intact token is refused
    from cryptography.hazmat.primitives.asymmetric import ec

    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(_pem(_certificate("Another CA", stranger_key, "Another CA", stranger_key, ca=True)))
    code, output = _verify(str(_write(document, tmp_path / "cert.json")), "--tsa-certificate", str(stranger))
    assert code == 1
    assert output.splitlines()[-1] == (
        "FAIL  the time-stamp token's signature does not hold:"
        " it was not issued under the authority certificate you gave"
    )


def test_an_authority_that_is_down_blocks_nothing_and_is_asked_again(configured, make_idea, member):
    # given the authority down
    configured.broken = True
    # when an idea is submitted, then it is in, its head signed, with no token yet
    idea = make_idea(member)
    head = SignedTreeHead.objects.get()
    assert (idea.pk is not None, head.timestamp_token) == (True, None)
    assert not Event.objects.filter(verb="tree_head.timestamped").exists()
    # when the authority is back, the periodic job asks again
    configured.broken = False
    assert tree_heads_timestamp_missing() == 1
    head.refresh_from_db()
    assert head.timestamp_token is not None
    assert tree_heads_timestamp_missing() == 0


def test_no_authority_configured_changes_nothing(authority, settings, idea, tmp_path):
    # given no authority configured (the default)
    assert settings.PROSUMO_TSA_URL == ""
    asked = authority.requests
    # when heads are signed and a certificate issued
    tree_head_sign(force=True)
    document = certificate_issue(idea=idea)
    # then no authority was asked, no head has a token, and the certificate has no token field
    assert authority.requests == asked
    assert list(SignedTreeHead.objects.values_list("timestamp_token", flat=True)) == [None, None]
    assert "timestamp_token" not in document["tree_head"]
    code, output = _verify(str(_write(document, tmp_path / "cert.json")))
    assert (code, "time-stamp" in output) == (0, False)
