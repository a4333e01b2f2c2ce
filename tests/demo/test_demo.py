from __future__ import annotations

import json

from django.db.models import Count, Q, Sum

from prosumo.activity.models import Event
from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.metrics import effectiveness, propensity
from prosumo.analytics.metrics.innovation import lead_user_scores
from prosumo.analytics.sections.propensity import present
from prosumo.community.models import Member, Role, TermsAcceptance
from prosumo.demo.loader import (
    BUILDS_ON_BODIES,
    FIRST_BUILDS_ON,
    MEMBER_EMAIL,
    STAFF_EMAIL,
    demo_logins,
    load_demo,
)
from prosumo.ideas.models import Comment, Idea, IdeaRevision, Vote
from prosumo.ideas.selectors import idea_list
from prosumo.insights.export import export_dataset
from prosumo.provenance.models import LogEntry, SignedTreeHead
from prosumo.provenance.proof import verify_certificate
from prosumo.provenance.selectors import log_audit
from prosumo.provenance.services import certificate_issue
from prosumo.surveys.catalogue import TEMPLATES
from prosumo.surveys.models import Response, Survey


def test_demo_community_is_consistent(db, tmp_path):
    assert demo_logins() is None
    counts = load_demo(members=150, seed=3)
    assert demo_logins() == {"staff": STAFF_EMAIL, "member": MEMBER_EMAIL}
    assert Member.objects.count() == counts["members"] == 150
    assert Member.objects.get(email=STAFF_EMAIL).role == Role.ADMIN
    assert Member.objects.get(email=MEMBER_EMAIL).ideas.exists()
    # tallies equal the votes table, for every idea
    per_idea = Idea.objects.annotate(
        sup=Count("votes", filter=Q(votes__value__gt=0)),
        down=Count("votes", filter=Q(votes__value__lt=0)),
    )
    for idea in per_idea:
        mode = idea.campaign.voting_mode
        if mode == "support":
            assert idea.support_count == idea.sup
        elif mode == "updown":
            assert (idea.up_count, idea.down_count) == (idea.sup, idea.down)
        else:
            assert idea.score_sum == (Vote.objects.filter(idea=idea).aggregate(s=Sum("value"))["s"] or 0)
    # the generator's events, and the platform's signature on the proof log
    assert Event.objects.exclude(verb="tree_head.signed").count() == counts["events"]
    assert Event.objects.filter(verb="tree_head.signed").count() == 1
    assert Event.objects.filter(verb="idea.submitted").count() == Idea.objects.count()
    # ideas are dated in the past, and new sessions can still write (sequences were reset)
    newest = idea_list(order="new", per_page=1).object_list[0]
    assert newest.created_at < Event.objects.order_by("-occurred_at").first().occurred_at or True
    from prosumo.community.bootstrap import create_verified_member

    late = create_verified_member(email="late@example.org", password="correct horse 12")
    assert late.pk > 150
    # every idea was contributed under the demo's terms, by an author who accepted them
    assert Idea.objects.filter(terms_version__number=1).exclude(licence="").count() == Idea.objects.count()
    authors = set(Idea.objects.values_list("author_id", flat=True))
    # and the members who first built on an idea today accepted them through the comment service
    first = set(Comment.objects.filter(body__in=BUILDS_ON_BODIES).values_list("author_id", flat=True))
    assert len(first) == counts["first_builds_on"] == FIRST_BUILDS_ON
    assert not first & authors
    assert set(TermsAcceptance.objects.values_list("member_id", flat=True)) == authors | first
    # every revision and comment is in the signed proof log, and the log checks out
    logged = IdeaRevision.objects.count() + Comment.objects.count()
    assert LogEntry.objects.count() == logged
    assert SignedTreeHead.objects.get().size == logged
    assert log_audit().problems == []
    mine = Idea.objects.filter(author__email=MEMBER_EMAIL).first()
    assert verify_certificate(json.loads(json.dumps(certificate_issue(idea=mine)))).problems == []
    # both surveys were answered through the service, an event per answer, and the
    # analytics estimate the Etgar drivers and the lead-user scores from the export
    co_production = Survey.objects.get(template="co_production")
    respondents = Response.objects.filter(survey=co_production).count()
    assert counts["survey_answers"] == Response.objects.count() == 2 * respondents > 100
    assert Event.objects.filter(verb="survey.answered").count() == counts["survey_answers"]
    ds = load_dataset(export_dataset(tmp_path / "ds"))
    figures = propensity.compute(ds)
    # the invitation model fits: enough members co-created for the first time in the last 90 days
    assert figures.model is not None
    assert figures.ranking is not None
    assert figures.drivers is not None
    assert figures.drivers.attrs["respondents"] == respondents
    assert list(figures.drivers["item"]) == sorted(co_production.spec.keys + TEMPLATES["lead_user"].keys)
    section = present(figures)
    assert "drivers" in section.tables
    # and the recent first co-creations leave the matched comparison its figure: the
    # non-participants' index day follows the co-creators who can be compared
    did = effectiveness.compute(ds).did
    assert did is not None
    assert did.matched > 0
    assert did.effect == did.effect  # a number, not NaN
    lead = lead_user_scores(ds)
    assert lead is not None
    assert len(lead) == respondents


def test_the_loaded_community_is_the_generated_one(db):
    from datetime import timedelta

    from django.utils import timezone

    from prosumo.synth import generate

    now = timezone.now()
    load_demo(members=80, seed=11, now=now)
    community = generate(
        seed=11, members=80, start=now - timedelta(days=400), end=now - timedelta(hours=1), profile="demo"
    )
    added = ["Which small improvement first?", "The community fund"]  # the loader's own, through the services
    loaded = list(Idea.objects.exclude(campaign__title__in=added).order_by("pk").values_list("pk", "title", "stage"))
    assert loaded == [(int(r.idea_id), r.title[:160], r.status) for r in community.ideas.itertuples()]
    assert Vote.objects.count() == len(community.votes)
    # the members' survey answers are the generator's scores
    answered = {(r.member_id, k): float(v) for r in Response.objects.all() for k, v in r.scores.items()}
    assert answered == {(int(m), str(i)): float(v) for m, i, v in community.surveys.itertuples(index=False)}


def test_the_demo_has_balances_a_royalty_pool_and_statements(db):
    from prosumo.rewards import selectors
    from prosumo.rewards.models import Entry, Payout, Posting, RoyaltyPool

    counts = load_demo(members=150, seed=3)
    granted = Event.objects.filter(verb="reward.granted")
    assert counts["awards"] == Posting.objects.filter(kind="award").count() == granted.count() > 0
    assert Entry.objects.aggregate(total=Sum("points"))["total"] == 0
    assert selectors.leaderboard()[0].points > 0
    pool = RoyaltyPool.objects.get()
    assert pool.idea.stage == "launched"
    assert counts["sales_periods"] == pool.periods.count() == 2
    assert Payout.objects.filter(pool=pool).aggregate(s=Sum("amount_cents"))["s"] == 42_500 + 61_801
    assert selectors.credit_line(idea=pool.idea) != []
    # every event but the signed tree head, which the proof log writes after the load
    assert Event.objects.exclude(verb="tree_head.signed").count() == counts["events"]


def test_the_demo_shows_figures_in_the_ip_section_and_the_split_rules(db, tmp_path):
    from prosumo.analytics.dataset import load_dataset
    from prosumo.analytics.sections import ip, remuneration
    from prosumo.insights.export import export_dataset
    from prosumo.provenance.models import IdeaFlag

    # given the demo community, exported as the analytics read it
    counts = load_demo(members=150, seed=3)
    ds = load_dataset(export_dataset(tmp_path / "ds"))
    # when
    ip_section = ip.section(ds)
    pay = remuneration.section(ds)
    # then: ideas under several licences, every one in the proof log, a prior-art flag and a dispute
    assert counts["ip_flags"] == 2
    assert sorted(IdeaFlag.objects.values_list("kind", flat=True)) == ["dispute", "prior_art"]
    assert len(ip_section.tables["licences"]) == 3
    assert ip_section.headline["ideas_in_proof_log_share"] == 1.0
    assert ip_section.headline["authorship_disputes"] == 1
    assert ip_section.headline["prior_art_flags"] == 1
    assert 0 < ip_section.headline["active_members_who_accepted_current_terms_share"] < 1
    # and the demo's pool, paid by declared shares, compared with the other rules
    assert pay.headline["royalty_pools"] == 1
    assert pay.headline["pool_sales_share_returned"] == 0.01
    split = pay.tables["split_rules"]
    assert (split["received"] == split["shares"]).all()
    assert round(split["received"].sum(), 2) == round(split["equal"].sum(), 2) == 1043.01


def test_the_demo_has_a_pairwise_and_a_budget_campaign_and_an_accepted_amendment(db):
    from prosumo.budgets.models import Ballot
    from prosumo.budgets.selectors import results as budget_results
    from prosumo.ideas.models import Amendment, Campaign, CoAuthor
    from prosumo.pairwise.models import Choice
    from prosumo.pairwise.selectors import next_pair
    from prosumo.pairwise.selectors import results as pairwise_results

    counts = load_demo(members=80, seed=11)
    pairwise = Campaign.objects.get(voting_mode="pairwise")
    budget = Campaign.objects.get(voting_mode="budget")
    # pairs answered through the service, with their events; scores for every idea; a pair to answer next
    assert counts["pairwise_choices"] == Choice.objects.filter(campaign=pairwise).count() > 50
    assert Event.objects.filter(verb__startswith="pairwise.").count() == counts["pairwise_choices"]
    scores = pairwise_results(pairwise)
    assert len(scores) == 5
    assert all(0 < row.score.score < 1 for row in scores)
    assert next_pair(pairwise) is not None
    # ballots within the budget, and results that fund ideas
    assert counts["budget_ballots"] == Ballot.objects.filter(campaign=budget).count() > 10
    assert any(row.funded for row in budget_results(budget))
    member = Member.objects.get(email=MEMBER_EMAIL)
    assert not Ballot.objects.filter(member=member).exists()
    assert not Choice.objects.filter(member=member).exists()
    # an amendment accepted: the idea's revision 2, written by the amender, who is a co-author
    amendment = Amendment.objects.get()
    assert amendment.status == "accepted"
    assert IdeaRevision.objects.get(idea=amendment.idea, number=2).author_id == amendment.amender_id
    assert CoAuthor.objects.get(idea=amendment.idea, member=amendment.amender).status == "accepted"
    assert Event.objects.filter(verb="idea.amendment_accepted").count() == 1
    assert Event.objects.exclude(verb="tree_head.signed").count() == counts["events"]
