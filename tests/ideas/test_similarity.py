"""Similar ideas by meaning and words (ideas/similarity.py), on the model the default install ships."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from typer.testing import CliRunner

from prosumo.cli import app
from prosumo.ideas import similarity
from prosumo.ideas.models import Idea, IdeaEmbedding
from prosumo.ideas.selectors import similar_ideas
from prosumo.ideas.services import idea_revise
from prosumo.ideas.tasks import embed_idea

DARK = dict(title="Dark mode", body="A darker colour scheme for the mobile screens, easier on the eyes in the evening.")
NIGHT = dict(title="Night buses to the stadium", body="Extra buses after late matches so that fans get home.")
BOOTS = dict(title="Waterproof boots for kids", body="Boots that keep small feet dry on long hikes.")
THEME = dict(title="Theme park discount", body="Cheaper tickets to theme parks for members.")
DRAFT = "Let me switch the app to a black theme at night"


@pytest.fixture(autouse=True)
def hybrid(settings):
    settings.PROSUMO_SIMILARITY = "hybrid"


def stored(idea_id: int) -> tuple[str, bytes] | None:
    row = IdeaEmbedding.objects.filter(idea_id=idea_id, model=similarity.MODEL).values_list("digest", "vector").first()
    return (row[0], bytes(row[1])) if row else None


def test_the_default_install_ranks_by_meaning():
    import prosumo.settings as defaults  # the site's settings, before tests/settings.py chooses "lexical"

    assert defaults.PROSUMO_SIMILARITY == "hybrid"
    assert similarity.enabled()  # and the encoder's package is installed by make setup


def test_a_paraphrase_with_no_shared_word_comes_before_ideas_that_share_a_word(make_idea, make_member, campaign):
    dark = make_idea(make_member(), **DARK)
    night = make_idea(make_member(), **NIGHT)
    theme = make_idea(make_member(), **THEME)
    make_idea(make_member(), **BOOTS)
    found = similar_ideas(text=DRAFT, campaign_id=campaign.pk)
    assert found[0].pk == dark.pk
    assert {i.pk for i in found[1:]} <= {night.pk, theme.pk}  # each shares a word; the boots share nothing
    assert all(i.shared_words for i in found[1:])
    assert found[0].shared_words == []
    assert found[0].match.lexical == 0.0
    assert 0.4 < found[0].match.meaning < 0.7
    assert found[0].match.score == round(similarity.MEANING_WEIGHT * found[0].match.meaning, 4)


def test_the_words_still_count_where_the_meanings_are_close(make_idea, make_member, campaign):
    lantern = make_idea(
        make_member(), title="Solar lantern with USB port", body="A lantern charged by the sun that can charge a phone."
    )
    lamp = make_idea(
        make_member(), title="A lamp that charges in daylight", body="It stores sunlight to light the tent."
    )
    make_idea(make_member(), **BOOTS)
    found = similar_ideas(text="solar powered lantern", campaign_id=campaign.pk)
    assert [i.pk for i in found] == [lantern.pk, lamp.pk]
    assert found[0].shared_words == ["lantern", "solar"]
    assert found[0].match.lexical == 1.0


def test_spanish_paraphrase_is_found(make_idea, make_member, campaign):
    pay = make_idea(
        make_member(), title="Aceptar Apple Pay y Google Pay en las tiendas", body="Pago sin contacto con el teléfono."
    )
    tools = make_idea(
        make_member(), title="Caja de herramientas", body="Una caja con herramientas para reparar la bici."
    )
    found = similar_ideas(text="Quiero pagar con el móvil en la caja", campaign_id=campaign.pk)
    assert [i.pk for i in found] == [pay.pk, tools.pk]
    assert [i.shared_words for i in found] == [[], ["caja"]]


def test_a_spanish_draft_finds_an_english_idea(make_idea, make_member, campaign):
    dark = make_idea(make_member(), **DARK)
    make_idea(make_member(), **BOOTS)
    found = similar_ideas(text="Que pueda poner la app con fondo negro por la noche", campaign_id=campaign.pk)
    assert [i.pk for i in found] == [dark.pk]


def test_only_ideas_the_viewer_may_see(make_idea, make_member, make_campaign, campaign, moderator, admin):
    from prosumo.ideas.services import content_hide

    dark = make_idea(make_member(), **DARK)
    hidden = make_idea(make_member(), title="Night theme", body="A dark colour scheme for the app at night.")
    content_hide(actor=moderator, kind="idea", object_id=hidden.pk, reason="Spam")
    private = make_campaign(visibility="invitation")
    elsewhere = make_idea(admin, in_campaign=private, **DARK)
    visitor = make_member()
    assert [i.pk for i in similar_ideas(viewer=visitor, text=DRAFT)] == [dark.pk]
    assert stored(elsewhere.pk) is not None  # the index holds it; the SQL rule keeps it from the visitor
    assert [i.pk for i in similar_ideas(viewer=admin, text=DRAFT, campaign_id=private.pk)] == [elsewhere.pk]
    assert [i.pk for i in similar_ideas(viewer=visitor, text=DRAFT, campaign_id=private.pk)] == []


def test_the_task_is_idempotent_and_follows_revisions(make_idea, member, django_capture_on_commit_callbacks):
    idea = make_idea(member, **NIGHT)
    first = stored(idea.pk)
    assert first is not None
    vector = np.frombuffer(first[1], dtype="<f4")
    assert vector.shape == (similarity.DIMENSIONS,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    rows = IdeaEmbedding.objects.values_list("id", flat=True)
    before = list(rows)
    assert embed_idea.call(idea.pk) is False
    assert list(rows) == before
    assert stored(idea.pk) == first
    with django_capture_on_commit_callbacks(execute=True):
        idea_revise(actor=member, idea_id=idea.pk, title=DARK["title"], body=DARK["body"], note="Another idea")
    revised = stored(idea.pk)
    assert revised is not None
    assert revised[0] != first[0]
    assert revised[1] != first[1]
    assert IdeaEmbedding.objects.count() == 1
    Idea.objects.filter(pk=idea.pk).update(hidden=True)
    assert embed_idea.call(idea.pk) is True
    assert stored(idea.pk) is None


def test_a_search_after_a_change_sees_the_change_and_costs_a_fixed_number_of_queries(
    process_store, make_idea, member, campaign
):
    make_idea(member, **BOOTS)
    similar_ideas(text=DRAFT, campaign_id=campaign.pk)
    dark = make_idea(member, **DARK)
    with CaptureQueriesContext(connection) as queries:
        assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [dark.pk]
    reload = len(queries)
    with CaptureQueriesContext(connection) as queries:
        assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [dark.pk]
    # within CHECK_SECONDS of the last check: the full-text scores of the candidates, the visible ideas
    assert len(queries) == reload - 2 == 2


def test_a_change_by_another_process_is_seen_once_the_check_is_due(
    process_store, make_idea, member, campaign, monkeypatch
):
    dark = make_idea(member, **DARK)
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [dark.pk]
    # another process stored a vector for an idea of its own (this one did not write)
    night = make_idea(member, title="Dim colours", body="Darker colours for the phone screens after sunset.")
    vector = stored(night.pk)
    assert vector is not None
    IdeaEmbedding.objects.filter(idea_id=night.pk).delete()
    similarity._touch()  # this process's own deletion, seen at once (no word in common: only a vector finds it)
    assert night.pk not in [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)]
    IdeaEmbedding.objects.create(
        idea_id=night.pk, campaign_id=campaign.pk, model=similarity.MODEL, digest=vector[0], vector=vector[1]
    )
    with CaptureQueriesContext(connection) as queries:
        unseen = [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)]
    # the copy is younger than CHECK_SECONDS: the table is not asked again, the new vector not seen yet
    assert len(queries) == 2
    assert night.pk not in unseen
    monkeypatch.setattr(similarity, "CHECK_SECONDS", 0.0)
    assert night.pk in [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)]


def test_the_command_computes_missing_vectors_with_a_progress_bar(make_idea, member, settings, campaign):
    settings.PROSUMO_SIMILARITY = "lexical"
    ideas = [make_idea(member, **DARK), make_idea(member, **NIGHT)]
    assert IdeaEmbedding.objects.count() == 0
    refused = CliRunner().invoke(app, ["embed"])
    assert refused.exit_code == 2
    assert "PROSUMO_SIMILARITY=lexical" in refused.output
    settings.PROSUMO_SIMILARITY = "hybrid"
    missing = CliRunner().invoke(app, ["embed", "--campaign", "999999"])
    assert missing.exit_code == 2
    assert "There is no campaign 999999." in missing.output
    assert IdeaEmbedding.objects.count() == 0
    result = CliRunner().invoke(app, ["embed", "--campaign", str(campaign.pk)])
    assert result.exit_code == 0, result.output
    assert "2 ideas checked, 2 vectors written (use-multilingual-v3)." in result.output
    assert sorted(IdeaEmbedding.objects.values_list("idea_id", flat=True)) == [i.pk for i in ideas]
    again = CliRunner().invoke(app, ["embed"])
    assert again.exit_code == 0, again.output
    assert "2 ideas checked, 0 vectors written (use-multilingual-v3)." in again.output


def test_the_lexical_setting_loads_no_model_and_ranks_by_shared_words(make_idea, make_member, settings, campaign):
    settings.PROSUMO_SIMILARITY = "lexical"
    make_idea(make_member(), **DARK)
    night = make_idea(make_member(), **NIGHT)
    theme = make_idea(make_member(), **THEME)
    assert IdeaEmbedding.objects.count() == 0
    found = similar_ideas(text=DRAFT, campaign_id=campaign.pk)
    assert {i.pk for i in found} == {night.pk, theme.pk}
    assert all(i.match.meaning is None for i in found)
    assert found[0].match.lexical == 1.0


def test_staff_see_why_two_ideas_are_paired(make_idea, make_member, reviewer, login):
    dark = make_idea(make_member(), **DARK)
    black = make_idea(make_member(), title="Black theme", body=DRAFT)
    make_idea(make_member(), **BOOTS)
    page = login(reviewer).get("/staff/duplicates/").content.decode()
    rows = [row for row in page.split("<tr>") if f"#{dark.pk} Dark mode" in row and f"#{black.pk} Black theme" in row]
    assert len(rows) == 2  # each waiting idea, paired with the other
    found = similar_ideas(viewer=reviewer, text=f"{dark.title} {dark.body}", exclude_id=dark.pk)
    assert [(i.pk, i.shared_words) for i in found] == [(black.pk, [])]
    assert f"score {found[0].match.score:.2f} · the meaning alone: no word in common" in rows[0] + rows[1]
    assert "Boots" not in page


def test_a_pair_staff_dismiss_on_the_page_stays_away_after_the_ideas_change(
    make_idea, make_member, reviewer, moderator, login
):
    dark = make_idea(make_member(), **DARK)
    black = make_idea(make_member(), title="Black theme", body=DRAFT)
    page = login(reviewer).get("/staff/duplicates/").content.decode()
    assert f"/staff/duplicates/{dark.pk}/{black.pk}/dismiss/" in page
    # when: a reviewer says they are not duplicates
    response = login(reviewer).post(f"/staff/duplicates/{dark.pk}/{black.pk}/dismiss/", follow=True)
    assert "this pair will not be shown again" in response.content.decode()
    # then: neither way round comes back, even after a revision re-embeds the text
    idea_revise(actor=black.author, idea_id=black.pk, title="Black theme for the night", body=DRAFT + ", please.")
    embed_idea.call(black.pk)
    page = login(reviewer).get("/staff/duplicates/").content.decode()
    assert f"#{dark.pk} Dark mode" not in page
    assert "No likely duplicates." in page
    # and a new idea like them is still paired
    third = make_idea(make_member(), title="Dark theme", body="A dark theme for the app at night.")
    page = login(moderator).get("/staff/duplicates/").content.decode()
    assert f"#{third.pk} Dark theme" in page
    assert "/dismiss/" not in page  # a moderator may look, not decide


def test_a_moderator_or_member_posting_a_dismissal_changes_nothing(make_idea, make_member, moderator, login):
    from prosumo.ideas.models import DismissedDuplicate

    dark = make_idea(make_member(), **DARK)
    black = make_idea(make_member(), title="Black theme", body=DRAFT)
    refused = login(moderator).post(f"/staff/duplicates/{dark.pk}/{black.pk}/dismiss/", follow=True)
    assert "You do not have permission to do that." in refused.content.decode()
    assert login(make_member()).post(f"/staff/duplicates/{dark.pk}/{black.pk}/dismiss/").status_code == 404
    assert DismissedDuplicate.objects.count() == 0
