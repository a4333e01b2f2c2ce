"""What the site writes itself is read in each reader's language, whatever language it was written in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from prosumo.core.phrases import PHRASES, english, phrase, words
from prosumo.ideas.models import StageChange
from prosumo.ideas.services import idea_follow, stage_change, vote_cast
from prosumo.notifications.models import Notification


def test_a_spanish_reviewers_move_reaches_each_member_in_their_language(
    idea: Any, reviewer: Any, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an English author and a Spanish follower
    follower = make_member(locale="es")
    idea_follow(actor=follower, idea_id=idea.pk)
    mail.outbox.clear()
    # when a reviewer working in Spanish moves the idea
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Lo estudiamos.")
    # then the author reads the title in English and the follower in Spanish, in the app and by email
    to_author = Notification.objects.get(recipient=idea.author, verb="idea.stage_changed")
    to_follower = Notification.objects.get(recipient=follower, verb="idea.stage_changed")
    assert to_author.title == f"“{idea.title}” is now: Under review"
    with translation.override("es"):
        assert to_follower.display_title == f"«{idea.title}» está ahora en: En revisión"
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[idea.author.email].endswith(f"“{idea.title}” is now: Under review")
    assert subjects[follower.email].endswith(f"«{idea.title}» está ahora en: En revisión")
    # and the staff's own words stay as written
    assert to_follower.display_body == "Lo estudiamos."
    # and the pages and the API word it in the reader's language
    client = Client()
    client.force_login(follower)
    assert f"«{idea.title}» está ahora en: En revisión" in client.get("/notifications/").content.decode()
    api = client.get("/api/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [i["title"] for i in api["items"] if i["verb"] == "idea.stage_changed"] == [
        f"“{idea.title}” is now: Under review"
    ]


def test_a_campaigns_own_stage_label_is_kept_as_staff_wrote_it(
    make_campaign: Any, make_idea: Any, member: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = make_campaign(stage_labels={"under_review": "Con el jurado"})
    idea = make_idea(member, in_campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Thank you.")
    notification = Notification.objects.get(recipient=member, verb="idea.stage_changed")
    for language in ("en", "es"):
        with translation.override(language):
            assert notification.display_title.endswith(": Con el jurado")


def test_an_automatic_move_is_explained_in_the_readers_language(
    make_campaign: Any, make_idea: Any, make_member: Any, member: Any
) -> None:
    # given a campaign that sends an idea to review at 2 supporters
    campaign = make_campaign(support_threshold=2)
    idea = make_idea(member, in_campaign=campaign)
    # when the second supporter votes
    for _ in range(2):
        vote_cast(actor=make_member(), idea_id=idea.pk)
    # then the timeline's message is the site's own, in each language
    change = StageChange.objects.get(idea=idea, to_stage="under_review")
    assert change.message == "This idea reached 2 supporters and goes to review."
    with translation.override("es"):
        assert change.display_message == "Esta idea ha alcanzado 2 apoyos y pasa a revisión."
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/ideas/{idea.pk}/").content.decode()
    assert "Esta idea ha alcanzado 2 apoyos y pasa a revisión." in page


def test_every_phrase_is_worded_with_its_values() -> None:
    samples = {
        "idea": "A",
        "stage": "Open for support",
        "source": "A",
        "target": "B",
        "name": "Ana",
        "threshold": 10,
        "supporters": 100,
        "days": 60,
        "had": 7,
        "amount": "24.00",
        "currency": "EUR",
        "due": "2026-12-07",
        "survey": "Why you take part, and what it costs you",
        "closes": "2026-05-15",
        "message": "We cannot make it.",
        "reason": "Not feasible now",
        "campaign": "Camp kitchen",
    }
    for key, text in PHRASES.items():
        needed = {name: samples[name] for name in samples if "{" + name + "}" in text}
        stored = phrase(key, **needed)
        assert english(stored) == text.format(**needed)
        with translation.override("es"):
            assert words(stored) not in ("", text.format(**needed)), key  # translated, not the source


def test_a_phrase_needs_a_known_key_and_all_its_values() -> None:
    with pytest.raises(KeyError):
        phrase("idea.unknown")
    with pytest.raises(KeyError):
        phrase("idea.revised")
    assert words({}, "stored text") == "stored text"
    assert words({"key": "gone.away", "values": {}}, "stored text") == "stored text"
