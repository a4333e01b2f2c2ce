"""Erasing members of the demo community, then exporting the dataset and analysing it, as an operator would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from prosumo.cli import app
from prosumo.community.models import Member
from prosumo.demo.loader import DEMO_PASSWORD, MEMBER_EMAIL, STAFF_EMAIL, load_demo
from prosumo.ideas.models import Vote
from prosumo.privacy.services import member_erase
from tests.privacy.conftest import tallies_equal_votes


def test_erased_demo_members_leave_the_tallies_exact_and_the_analytics_running(db, tmp_path):
    # given the demo community, its member login (an author) and another member who votes
    load_demo(members=60, seed=3)
    admin = Member.objects.get(email=STAFF_EMAIL)
    author = Member.objects.get(email=MEMBER_EMAIL)
    voter = Member.objects.filter(role="member", votes__isnull=False).exclude(pk=author.pk).order_by("pk").first()
    votes = Vote.objects.count()
    cast = Vote.objects.filter(member__in=[voter, author]).count()
    assert cast > 0
    assert tallies_equal_votes() == []
    # when an admin erases the first, and the second erases their own account and words
    member_erase(actor=admin, member=voter)
    member_erase(actor=author, member=author, password=DEMO_PASSWORD, remove_content=True)
    # then every tally still equals the votes table
    assert Vote.objects.count() == votes - cast
    assert tallies_equal_votes() == []
    # and the dataset exports, and the analytics read it through, in a process of their own
    dataset = tmp_path / "dataset"
    exported = CliRunner().invoke(app, ["export-dataset", str(dataset)])
    assert exported.exit_code == 0, exported.output
    report = tmp_path / "report.html"
    analysed = subprocess.run(
        [str(Path(sys.executable).parent / "prosumo"), "analyze", str(dataset), "--out", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert analysed.returncode == 0, analysed.stdout + analysed.stderr
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
