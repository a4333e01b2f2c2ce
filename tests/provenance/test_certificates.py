"""Authorship certificates, checked offline, and `prosumo verify-log` against the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from prosumo.cli import app
from prosumo.ideas.models import IdeaRevision
from prosumo.ideas.services import coauthor_invite, coauthor_respond, comment_post, idea_revise
from prosumo.provenance.models import LogEntry, SignedTreeHead
from prosumo.provenance.proof import Unreadable, verify_certificate
from prosumo.provenance.selectors import log_audit
from prosumo.provenance.services import certificate_issue, log_catch_up, tree_head_sign

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.PROSUMO_PROVENANCE_KEY_FILE = tmp_path / "provenance.pem"


@pytest.fixture
def revised(idea, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body="Pre-bent poles, now with clips.")
    idea.refresh_from_db()
    return idea


def test_a_certificate_holds_every_revision_and_verifies(revised, member, make_member):
    # given an idea with two revisions and an accepted co-author
    partner = make_member(display_name="Ana")
    invitation = coauthor_invite(actor=member, idea_id=revised.pk, member_id=partner.pk, share=25)
    coauthor_respond(actor=partner, coauthor_id=invitation.pk, accept=True)
    # when its certificate is issued
    document = certificate_issue(idea=revised)
    # then it carries the latest head, which the task that logged the revision signed, and checks out
    assert list(SignedTreeHead.objects.order_by("size").values_list("size", flat=True)) == [1, 2]
    assert document["tree_head"]["size"] == 2
    assert [r["content"]["number"] for r in document["records"]] == [1, 2]
    assert document["records"][1]["content"]["body"] == "Pre-bent poles, now with clips."
    assert [r["entry"]["index"] for r in document["records"]] == [0, 1]
    assert document["authors"] == [
        {"name": member.name, "member": member.pk, "role": "author"},
        {"name": "Ana", "member": partner.pk, "role": "co-author", "share": "25.00"},
    ]
    check = verify_certificate(json.loads(json.dumps(document)))
    assert check.problems == []
    assert len(check.facts) == 3


def test_a_log_of_one_entry_is_named_in_the_singular(idea):
    # given the certificate of an idea whose one revision is the whole log
    document = certificate_issue(idea=idea)
    # when it is checked, then its tree head is "of 1 entry"
    check = verify_certificate(json.loads(json.dumps(document)))
    assert check.problems == []
    assert check.facts[0].startswith(f"tree head of 1 entry signed at {document['tree_head']['timestamp']} by ")


def test_cli_writes_a_certificate_that_verifies_offline_with_no_settings(revised, tmp_path):
    # given the certificate written by `prosumo certificate`
    out = tmp_path / "cert.json"
    written = CliRunner().invoke(app, ["certificate", str(revised.pk), "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert written.output == f"Certificate of idea {revised.pk} (2 records) written to {out}.\n"
    # when `prosumo verify` runs in an empty folder with no environment but PATH
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "prosumo.cli", "verify", str(out)],
        cwd=elsewhere,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then it passes, having touched nothing
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith(
        "The certificate is intact: every record was in the log the site signed, as it reads now.\n"
    )
    assert "ok    record 2 (revision " in done.stdout
    assert list(elsewhere.iterdir()) == []


def _verify(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["verify", str(path)])
    return result.exit_code, result.output


def test_one_changed_byte_is_caught_and_named(revised, tmp_path):
    document = certificate_issue(idea=revised)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    path = tmp_path / "cert.json"
    # the body of a revision, one letter changed
    path.write_text(text.replace("now with clips", "now with clipz"))
    code, output = _verify(path)
    assert code == 1
    assert "FAIL  record 2 (revision" in output
    assert "content hash mismatch: the content is not what was logged" in output
    assert "FAIL  bad signature: the certificate was changed after it was issued" in output
    # the signed root, one digit changed
    root = document["tree_head"]["root_hash"]
    path.write_text(text.replace(root, ("1" if root[0] != "1" else "2") + root[1:]))
    code, output = _verify(path)
    assert code == 1
    assert "FAIL  bad signature: the tree head (size, root, time or origin) is not what the key signed" in output
    assert "the inclusion proof does not lead to the signed root" in output
    # a step of a proof
    step = document["records"][0]["inclusion_proof"][0]
    path.write_text(text.replace(step, ("1" if step[0] != "1" else "2") + step[1:], 1))
    code, output = _verify(path)
    assert code == 1
    first = document["records"][0]["entry"]["object"]
    assert (
        f"FAIL  record 1 (revision {first}, version 0): the inclusion proof does not lead to the signed root" in output
    )
    assert output.count("FAIL") == 2  # the proof, and the certificate's own signature
    # the author's name
    path.write_text(text.replace(document["authors"][0]["name"], "Somebody Else"))
    code, output = _verify(path)
    assert (code, output.count("FAIL")) == (1, 1)
    assert "bad signature: the certificate was changed after it was issued" in output


def test_unreadable_input_exits_2(tmp_path, db):
    path = tmp_path / "cert.json"
    path.write_text('{"format": "something else"}')
    assert _verify(path) == (
        2,
        f"{path}: not a Prosumo authorship certificate (expected format 'prosumo-authorship-certificate/1').\n",
    )
    path.write_text("{not json")
    code, output = _verify(path)
    assert code == 2
    assert output.startswith(f"{path} is not a certificate: it is not JSON")
    assert _verify(tmp_path / "missing.json") == (
        2,
        f"Could not read {tmp_path / 'missing.json'}: No such file or directory.\n",
    )


@pytest.fixture
def compact(revised):
    return json.dumps(certificate_issue(idea=revised), separators=(",", ":"), ensure_ascii=False).encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_single_changed_byte_passes(compact, data):
    at = data.draw(st.integers(0, len(compact) - 1))
    byte = data.draw(st.integers(0x20, 0x7E).filter(lambda b: b != compact[at]))
    altered = compact[:at] + bytes([byte]) + compact[at + 1 :]
    try:
        check = verify_certificate(json.loads(altered.decode()))
    except (UnicodeDecodeError, json.JSONDecodeError, Unreadable):
        return  # unreadable: `prosumo verify` exits 2
    assert check.problems != []


def test_verify_log_passes_on_an_intact_log_and_names_each_alteration(revised, member, tmp_path):
    # given a log of three entries and three signed heads (one by each revision's logging, one by the job)
    comment_post(actor=member, idea_id=revised.pk, body="A first comment")
    log_catch_up()
    tree_head_sign()
    result = CliRunner().invoke(app, ["verify-log"])
    assert (result.exit_code, result.output) == (
        0,
        "The proof log is intact: 3 entries and 3 signed tree heads checked.\n",
    )
    # when one stored row is altered (its time moved)
    entry = LogEntry.objects.get(index=1)
    LogEntry.objects.filter(pk=entry.pk).update(logged_at=F("logged_at") - timedelta(days=1))
    result = CliRunner().invoke(app, ["verify-log"])
    # then verify-log names the row and the head it breaks
    assert result.exit_code == 1
    assert f"FAIL  entry 1 (revision {entry.object_id}, version 0): altered row" in result.output
    # (the row's stored leaf hash still gives the old root; a recomputed leaf hash too)
    LogEntry.objects.filter(pk=entry.pk).update(leaf_hash="0" * 64)
    result = CliRunner().invoke(app, ["verify-log"])
    assert "its root does not match the entries (one before it was altered)" in result.output


def test_verify_log_catches_altered_content_and_gaps(revised, member):
    # given a log of three entries
    comment_post(actor=member, idea_id=revised.pk, body="A first comment")
    log_catch_up()
    # when the first revision's text is changed behind the site's back, and the middle entry deleted
    first = IdeaRevision.objects.get(idea=revised, number=1)
    IdeaRevision.objects.filter(pk=first.pk).update(body="Someone else's words")
    LogEntry.objects.filter(index=1).delete()
    # then both are reported, and the head signed over the deleted entry no longer holds
    second = SignedTreeHead.objects.get(size=2)
    assert log_audit().problems == [
        f"entry 0 (revision {first.pk}, version 0): altered content: it no longer has the logged hash",
        "gap: entry 1 is missing",
        f"tree head of 2 entries signed {second.as_json()['timestamp']}: its root does not match the entries"
        " (one before it was altered)",
    ]


def test_content_removed_with_its_authors_account_is_not_a_problem(revised, member):
    from prosumo.privacy.services import member_erase

    log_catch_up()
    member_erase(actor=member, member=member, password="correct horse 12", remove_content=True)
    audit = log_audit()
    assert (audit.entries, audit.problems, audit.removed_at_erasure) == (2, [], 2)


def test_a_certificate_after_erasure_certifies_the_hash_without_the_words(revised, member):
    from prosumo.privacy.services import member_erase

    member_erase(actor=member, member=member, password="correct horse 12", remove_content=True)
    revised.refresh_from_db()
    document = certificate_issue(idea=revised)
    assert [r["content"] for r in document["records"]] == [None, None]
    check = verify_certificate(json.loads(json.dumps(document)))
    assert check.problems == []
    assert sum("the content is not included (removed)" in fact for fact in check.facts) == 2


def test_verify_log_reads_the_log_in_a_fixed_number_of_queries(idea, member, make_idea, django_assert_num_queries):
    # given a log of a revision and a comment
    comment_post(actor=member, idea_id=idea.pk, body="A first comment")
    log_catch_up()
    with django_assert_num_queries(8):
        assert log_audit().entries == 2
    # when it holds three times as many, then checking it takes the same queries
    for n in range(2):
        other = make_idea(member, title=f"Another tent idea, number {n + 2}")
        comment_post(actor=member, idea_id=other.pk, body="Another comment")
    log_catch_up()
    with django_assert_num_queries(8):
        audit = log_audit()
    assert (audit.entries, audit.problems) == (6, [])
