"""The pages: the submit form's terms and licence, the terms page, an idea's certificate page and file."""

from __future__ import annotations

import json

import pytest

from prosumo.community.terms import terms_publish
from prosumo.ideas.models import Idea
from prosumo.provenance.proof import verify_certificate


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.PROSUMO_PROVENANCE_KEY_FILE = tmp_path / "provenance.pem"


def test_the_submit_page_asks_for_the_terms_and_a_licence(member, admin, campaign, login):
    terms_publish(actor=admin, text="Keep **credit** for what you write.")
    client = login(member)
    page = client.get(f"/c/{campaign.slug}/submit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="accept_terms" value="1"' in html
    assert '<option value="non_exclusive">Non-exclusive licence to the company</option>' in html
    assert "cc_by_4_0" not in html
    # a submission without them is refused beside the fields, and writes nothing
    idea = {"title": "A lantern that charges by day", "body": "Solar cells in the handle."}
    refused = client.post(f"/c/{campaign.slug}/submit/", idea)
    assert refused.status_code == 400
    assert "Read and accept the contribution terms (version 1) to contribute." in refused.content.decode()
    assert Idea.objects.count() == 0
    # with them, the idea is in
    done = client.post(f"/c/{campaign.slug}/submit/", {**idea, "accept_terms": "1", "licence": "non_exclusive"})
    assert done.status_code == 302
    assert Idea.objects.get().licence == "non_exclusive"
    # and the form now says the terms are accepted
    assert (
        "You accepted the contribution terms, version 1." in client.get(f"/c/{campaign.slug}/submit/").content.decode()
    )


def test_the_terms_page_shows_each_version(admin, client):
    assert client.get("/terms/").status_code == 404
    terms_publish(actor=admin, text="Keep **credit**.")
    terms_publish(actor=admin, text="Version two.")
    assert "Version two." in client.get("/terms/").content.decode()
    old = client.get("/terms/1/").content.decode()
    assert "<strong>credit</strong>" in old
    assert "Version 2 is the current one." in old
    assert client.get("/terms/3/").status_code == 404


def test_the_certificate_page_and_file_follow_the_idea_access_rule(idea, member, make_member, login, client):
    page = login(member).get(f"/ideas/{idea.pk}/certificate/")
    assert page.status_code == 200
    assert "Authorship certificate" in page.content.decode()
    download = login(make_member()).get(f"/ideas/{idea.pk}/certificate.json")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="idea-{idea.pk}-certificate.json"'
    assert verify_certificate(json.loads(download.content)).problems == []
    # an idea the reader may not see gives the same 404 as a missing one
    Idea.objects.filter(pk=idea.pk).update(hidden=True)
    assert client.get(f"/ideas/{idea.pk}/certificate.json").status_code == 404
    assert client.get("/ideas/99999999/certificate/").status_code == 404


def test_the_certificate_page_counts_the_signed_entries_in_words(idea, client):
    # given an idea whose one revision is the only entry of the log
    # when a visitor reads its certificate page, in English and in Spanish
    english = client.get(f"/ideas/{idea.pk}/certificate/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(f"/ideas/{idea.pk}/certificate/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # then one entry is one entry, not "1 entries"
    assert "Signed tree head: 1 entry at " in english
    assert "1 entries" not in english
    assert "Raíz del árbol firmada: 1 entrada, el " in spanish
    assert "1 entradas" not in spanish


def test_prior_art_shows_staff_the_earliest_logged_similar_ideas(make_idea, member, make_member, reviewer, login):
    from prosumo.ideas.search import index
    from prosumo.provenance.services import log_catch_up

    # given two similar ideas, the older one logged first, and an unrelated one
    older = make_idea(make_member(), title="Solar lantern for tents", body="A lantern that charges by day.")
    newer = make_idea(member, title="Tent lantern, solar", body="Charges by day, lights the tent by night.")
    make_idea(member, title="Quieter zips", body="Zips that do not wake everyone up.")
    log_catch_up()
    for idea in Idea.objects.all():
        index(idea.pk)
    # when a reviewer opens the prior-art page of the newer one
    page = login(reviewer).get(f"/staff/ideas/{newer.pk}/prior-art/")
    # then the older idea is listed, marked as earlier in the log
    assert page.status_code == 200
    rows = page.context["similar"]
    assert [(p.idea.pk, p.earlier) for p in rows] == [(older.pk, True)]
    assert rows[0].first_entry < page.context["first"].index
    # and to a member the page does not exist
    assert login(member).get(f"/staff/ideas/{newer.pk}/prior-art/").status_code == 404


def _tables() -> dict[str, list[tuple]]:
    """Every row of every table, to show that a request changed none (a model whose table this database lacks, as IdeaVector without pgvector, has none)."""
    from django.apps import apps
    from django.db import connection

    present = set(connection.introspection.table_names())
    return {
        m._meta.label: sorted(map(repr, m.objects.values_list()))
        for m in apps.get_models()
        if m._meta.db_table in present
    }


def test_reading_a_certificate_writes_nothing(idea, member, make_member, login, client):
    from prosumo.ideas.services import idea_revise

    # given an idea whose revision the logging task logged and covered with a signed head,
    # and a signed-in reader whose visit today is already counted
    reader = login(make_member())
    assert reader.get(f"/ideas/{idea.pk}/").status_code == 200
    before = _tables()
    # when its page and its file are read, by the member and by a visitor
    assert reader.get(f"/ideas/{idea.pk}/certificate/").status_code == 200
    assert client.get(f"/ideas/{idea.pk}/certificate.json").status_code == 200
    # then no table changed
    assert _tables() == before
    # given a revision saved while no task ran (its entry and head are not written yet)
    idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body="Pre-bent poles, now with clips.")
    before = _tables()
    # when its certificate is read
    page = client.get(f"/ideas/{idea.pk}/certificate/")
    download = client.get(f"/ideas/{idea.pk}/certificate.json")
    # then both say it is not ready yet, and write nothing
    message = "This idea's proof is not signed yet: its certificate is ready within ten minutes of its last change."
    assert page.status_code == 409
    assert message.replace("'", "&#x27;") in page.content.decode()
    assert (download.status_code, download.json()) == (409, {"code": "not_signed", "message": message, "fields": {}})
    assert _tables() == before


def test_staff_flag_prior_art_and_a_dispute_from_the_prior_art_page(make_idea, member, make_member, reviewer, login):
    from prosumo.activity.models import Event
    from prosumo.provenance.models import IdeaFlag

    # given two ideas
    older = make_idea(make_member(), title="Solar lantern for tents", body="A lantern that charges by day.")
    newer = make_idea(member, title="Tent lantern, solar", body="Charges by day, lights the tent by night.")
    client = login(reviewer)
    url = f"/staff/ideas/{newer.pk}/prior-art/flag/"
    # when a reviewer flags the older one as prior art, and records a dispute
    flagged = client.post(url, {"kind": "prior_art", "earlier_idea": str(older.pk), "reason": "Same lantern"})
    disputed = client.post(url, {"kind": "dispute", "reason": "  A customer says it was theirs  "})
    # then both are kept, with an event each, and the page lists them
    assert flagged.status_code == disputed.status_code == 302
    rows = list(
        IdeaFlag.objects.order_by("pk").values_list("idea_id", "kind", "earlier_idea_id", "reason", "flagged_by")
    )
    assert rows == [
        (newer.pk, "prior_art", older.pk, "Same lantern", reviewer.pk),
        (newer.pk, "dispute", None, "A customer says it was theirs", reviewer.pk),
    ]
    events = list(Event.objects.filter(verb="idea.ip_flagged").order_by("pk").values_list("object_id", "details"))
    flags = list(IdeaFlag.objects.order_by("pk").values_list("pk", flat=True))
    assert events == [
        (newer.pk, {"flag": flags[0], "kind": "prior_art", "earlier": older.pk}),
        (newer.pk, {"flag": flags[1], "kind": "dispute", "earlier": None}),
    ]
    page = client.get(f"/staff/ideas/{newer.pk}/prior-art/")
    assert [f.kind for f in page.context["flags"]] == ["dispute", "prior_art"]
    assert "A customer says it was theirs" in page.content.decode()


def test_a_flag_without_reason_twice_or_from_a_member_changes_nothing(make_idea, member, make_member, reviewer, login):
    from prosumo.activity.models import Event
    from prosumo.provenance.models import IdeaFlag

    # given an idea already flagged as prior art of another
    older = make_idea(make_member(), title="Solar lantern for tents", body="A lantern that charges by day.")
    newer = make_idea(member, title="Tent lantern, solar", body="Charges by day, lights the tent by night.")
    client = login(reviewer)
    url = f"/staff/ideas/{newer.pk}/prior-art/flag/"
    client.post(url, {"kind": "prior_art", "earlier_idea": str(older.pk), "reason": "Same lantern"})
    before = (IdeaFlag.objects.count(), Event.objects.filter(verb="idea.ip_flagged").count())
    # when the reason is missing, the same flag comes again, prior art names no idea or itself, or a member tries
    no_reason = client.post(url, {"kind": "dispute", "reason": "  "}, follow=True)
    again = client.post(url, {"kind": "prior_art", "earlier_idea": str(older.pk), "reason": "Again"}, follow=True)
    unnamed = client.post(url, {"kind": "prior_art", "reason": "Which one?"}, follow=True)
    itself = client.post(url, {"kind": "prior_art", "earlier_idea": str(newer.pk), "reason": "Self"}, follow=True)
    garbled = client.post(url, {"kind": "prior_art", "earlier_idea": "x1", "reason": "Bad id"}, follow=True)
    by_member = login(member).post(url, {"kind": "dispute", "reason": "Mine"})
    # then each is refused with its reason, and nothing was written
    assert "Say why: the reason is kept with the flag." in no_reason.content.decode()
    assert "This idea already has that flag." in again.content.decode()
    assert "Prior art names the earlier idea." in unnamed.content.decode()
    assert "An idea cannot be prior art to itself." in itself.content.decode()
    assert "No such idea." in garbled.content.decode()
    assert by_member.status_code == 404
    assert (IdeaFlag.objects.count(), Event.objects.filter(verb="idea.ip_flagged").count()) == before == (1, 1)
