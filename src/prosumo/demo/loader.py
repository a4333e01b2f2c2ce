"""Load a generated community (prosumo.synth) into the platform's database for `make demo`.

The generator decides what happened; this module writes it with the same ids, in bulk,
and derives what the services would have kept: vote tallies and ranking keys, the
first staff answer, followers, notifications and the search index. Everything is in
one transaction, so a failed load leaves the database as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from rich.progress import Progress

from prosumo.activity.models import Event
from prosumo.budgets.services import ballot_cast, budget_set, cost_set
from prosumo.community.models import (
    DEFAULT_LICENCES,
    CustomerRecord,
    Licence,
    Member,
    Role,
    Segment,
    TermsAcceptance,
    TermsVersion,
)
from prosumo.ideas import search, similarity, tallies
from prosumo.ideas.models import (
    Campaign,
    CoAuthor,
    CoAuthorStatus,
    Comment,
    DeclineReason,
    Follow,
    Idea,
    IdeaLineage,
    IdeaRevision,
    Stage,
    StageChange,
    Tag,
    Vote,
)
from prosumo.ideas.services import amendment_accept, amendment_propose, campaign_create, idea_submit
from prosumo.ideas.services.comments import comment_post
from prosumo.notifications.models import Fanout, Notification
from prosumo.outreach import services as outreach
from prosumo.pairwise.offers import offer_sign
from prosumo.pairwise.services import pairwise_choose
from prosumo.provenance.services import idea_flag, log_catch_up, tree_head_sign
from prosumo.rewards.models import RuleVersion, Trigger
from prosumo.rewards.services import awards_from_log, pool_open, rule_set, sales_period_add
from prosumo.surveys.catalogue import TEMPLATES
from prosumo.surveys.selectors import audience_members
from prosumo.surveys.services import survey_answer, survey_create, survey_open
from prosumo.synth import generate

DEMO_PASSWORD = "prosumo-demo"  # noqa: S105 - printed for the trial site, documented in the README
STAFF_EMAIL = "staff@example.com"
MEMBER_EMAIL = "member@example.com"
STAFF_ROLES = [Role.ADMIN, Role.REVIEWER, Role.REVIEWER, Role.MODERATOR]
DEMO_TERMS = """\
**You stay the author.** Your name (as you choose to show it) goes with your idea wherever
we use it, and the platform keeps a signed record of what you wrote and when.

**You choose the licence** for each idea: assign it to us, give us an exclusive licence,
or a non-exclusive one (then you may offer it to others too).

**If your idea becomes a product,** you share in what it earns, as each campaign says.
"""


def demo_logins() -> dict[str, str] | None:
    """The printed logins, or None when the demo community is not loaded yet."""
    if not Member.objects.filter(email=STAFF_EMAIL).exists():
        return None
    return {"staff": STAFF_EMAIL, "member": MEMBER_EMAIL}


def _none(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _dt(value: Any) -> datetime | None:
    value = _none(value)
    if value is None:
        return None
    return pd.Timestamp(value).to_pydatetime().astimezone(UTC)


def _at(value: Any) -> datetime:
    """A timestamp the generator always writes (joined, started, created, occurred, changed)."""
    at = _dt(value)
    if at is None:
        raise ValueError(f"Demo data: a required timestamp is missing (got {value!r}).")
    return at


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _none(v) for k, v in row.items()} for row in df.to_dict("records")]


def load_demo(
    *, members: int = 300, seed: int = 7, progress: bool = False, now: datetime | None = None
) -> dict[str, int]:
    """Generate and load a demo community ending `now`; returns counts of what was written."""
    now = now or timezone.now()
    community = generate(
        seed=seed, members=members, start=now - timedelta(days=400), end=now - timedelta(hours=1), profile="demo"
    )
    steps = [
        "members",
        "campaigns",
        "ideas",
        "votes and comments",
        "stages",
        "events",
        "rewards",
        "search index and proof log",
    ]
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Seeding the demo community", total=len(steps))
        with transaction.atomic():
            counts = _load(community, now=now, advance=lambda: bar.advance(task))
            _reset_sequences()
            counts.update(_rewards())
            counts.update(_commerce(community))
            counts.update(_surveys(community))
            counts.update(_first_builds_on(community, now=now))
            counts.update(_ip_flags())
            counts.update(_experiment(seed))
            counts.update(_more_ways_to_take_part())
            counts["events"] = Event.objects.count()
            bar.advance(task)
        for idea_id in Idea.objects.values_list("pk", flat=True):
            search.index(idea_id)
        if similarity.enabled():
            similarity.embed_many(Idea.objects.order_by("pk").values_list("pk", flat=True))
        # Every revision and comment in the proof log, so that certificates verify from the start.
        log_catch_up()
        tree_head_sign()
        bar.advance(task)
    return counts


def _reset_sequences() -> None:
    models = [
        Member,
        Segment,
        Campaign,
        Idea,
        IdeaRevision,
        Comment,
        Vote,
        StageChange,
        Event,
        Tag,
        CoAuthor,
        Follow,
        Notification,
        CustomerRecord,
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _load(c: Any, *, now: datetime, advance: Any) -> dict[str, int]:
    password = make_password(DEMO_PASSWORD)
    # --- members -----------------------------------------------------------------
    segments = {
        name: Segment.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in sorted(c.members["segment"].dropna().unique())
    }
    staff_seen = 0
    member_rows = _rows(c.members)
    authors = c.ideas["author_id"].value_counts()
    star = int(authors.index[0]) if len(authors) else None
    people = []
    for row in member_rows:
        attrs = json.loads(row["attributes"] or "{}")
        role = Role.MEMBER
        email = f"{attrs.get('handle') or 'member' + str(row['member_id'])}@example.org"
        if row["is_staff"]:
            role = STAFF_ROLES[min(staff_seen, len(STAFF_ROLES) - 1)]
            if staff_seen == 0:
                email = STAFF_EMAIL
            staff_seen += 1
        elif row["member_id"] == star:
            email = MEMBER_EMAIL
        people.append(
            Member(
                pk=row["member_id"],
                email=email,
                password=password,
                display_name=str(attrs.get("display_name") or attrs.get("handle") or "")[:80],
                locale=str(attrs.get("locale") or "en")[:8],
                country=str(row["country"] or "")[:2],
                role=role,
                is_superuser=role == Role.ADMIN and email == STAFF_EMAIL,
                segment=segments.get(row["segment"]),
                channel=row["channel"] or "direct",
                date_joined=_at(row["joined_at"]),
                interests=list(attrs.get("interests") or []),
            )
        )
    Member.objects.bulk_create(people, batch_size=500)
    referrals = [(r["member_id"], r["referred_by"]) for r in member_rows if r["referred_by"] is not None]
    for member_id, referrer in referrals:
        Member.objects.filter(pk=member_id).update(referred_by_id=referrer)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=m.pk, email=m.email, verified=True, primary=True) for m in people], batch_size=500
    )
    spend = c.outcomes.groupby("member_id")["amount"].sum() if len(c.outcomes) else pd.Series(dtype=float)
    CustomerRecord.objects.bulk_create(
        [
            CustomerRecord(
                customer_id=f"DEMO-{m.pk:06d}",
                email=m.email,
                tier=m.segment.name if m.segment else "",
                spend=round(float(spend.get(m.pk, 0.0)), 2),
                country=m.country,
                segment=m.segment,
                member_id=m.pk,
            )
            for m in people
            if m.role == Role.MEMBER
        ],
        batch_size=500,
    )
    advance()

    # --- campaigns -------------------------------------------------------------------
    details = {r["campaign_id"]: r for r in _rows(c.campaign_details)}
    campaigns = []
    for row in _rows(c.campaigns):
        d = details.get(row["campaign_id"], {})
        campaigns.append(
            Campaign(
                pk=row["campaign_id"],
                slug=slugify(row["title"])[:70] or f"campaign-{row['campaign_id']}",
                title=row["title"],
                brief=d.get("brief_en") or row["title"],
                starts_at=_at(row["starts_at"]),
                ends_at=_dt(row["ends_at"]),
                voting_mode=row["voting_mode"],
                support_threshold=int(d.get("support_threshold") or 0) if row["voting_mode"] == "support" else 0,
                scorecard_criteria=json.loads(d.get("scorecard") or "[]"),
                premoderation=True,  # the generator's new ideas wait in "submitted" until staff open them
                created_by_id=people[0].pk,
            )
        )
    Campaign.objects.bulk_create(campaigns)
    modes = {camp.pk: camp.voting_mode for camp in campaigns}
    advance()

    # --- ideas, revisions, authors, tags -------------------------------------------------
    stages = c.idea_stages.sort_values(["idea_id", "changed_at"], kind="stable")
    answered: dict[int, datetime] = {}
    last_change: dict[int, datetime] = {}
    for row in _rows(stages):
        last_change[row["idea_id"]] = _at(row["changed_at"])
        if row["actor_id"] is not None and row["idea_id"] not in answered:
            answered[row["idea_id"]] = _at(row["changed_at"])
    revisions = c.idea_revisions.groupby("idea_id")["revision"].max()
    votes_by_idea: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v in _rows(c.votes):
        votes_by_idea[v["idea_id"]].append(v)
    comment_counts = c.comments.groupby("idea_id").size()
    # Terms published before the first idea, accepted by every author with their first idea.
    terms = TermsVersion.objects.create(
        number=1,
        text=DEMO_TERMS,
        text_sha256=hashlib.sha256(DEMO_TERMS.encode()).hexdigest(),
        published_at=now - timedelta(days=401),
        published_by=next((p for p in people if p.email == STAFF_EMAIL), None),
    )
    first_idea: dict[int, datetime] = {}
    for row in _rows(c.ideas):
        at = _at(row["created_at"])
        first_idea[row["author_id"]] = min(at, first_idea.get(row["author_id"], at))
    TermsAcceptance.objects.bulk_create(
        [TermsAcceptance(member_id=m, version=terms, accepted_at=at) for m, at in sorted(first_idea.items())]
    )
    ideas = []
    created: dict[int, datetime] = {}
    open_campaign = next((camp.pk for camp in campaigns if camp.ends_at is None), campaigns[0].pk)
    for row in _rows(c.ideas):
        idea = Idea(
            pk=row["idea_id"],
            campaign_id=row["campaign_id"] or open_campaign,
            author_id=row["author_id"],
            title=row["title"][:160],
            body=row["body"],
            language=row["language"] or "en",
            stage=row["status"],
            approved=row["status"] != "submitted",  # every generated idea that left "submitted" was opened first
            stage_changed_at=last_change.get(row["idea_id"]),
            answered_at=answered.get(row["idea_id"]),
            revision=int(revisions.get(row["idea_id"], 1)),
            comment_count=int(comment_counts.get(row["idea_id"], 0)),
            terms_version=terms,
            licence=DEFAULT_LICENCES[row["idea_id"] % len(DEFAULT_LICENCES)],
        )
        idea.created_at = created[idea.pk] = _at(row["created_at"])
        mode = modes[idea.campaign_id]
        counts = tallies.EMPTY
        for v in votes_by_idea.get(idea.pk, []):  # what the vote service would have kept
            at = _dt(v["created_at"]) or idea.created_at
            counts = tallies.vote_added(counts, mode=mode, value=int(v["value"]), at=at)
        tallies.store(idea, counts, mode=mode)
        ideas.append(idea)
    Idea.objects.bulk_create(ideas, batch_size=500)
    for idea in ideas:  # bulk_create stamped auto_now_add fields with the present
        idea.created_at = created[idea.pk]
    Idea.objects.bulk_update(ideas, ["created_at"], batch_size=500)
    merged = [(r["idea_id"], r["merged_into"]) for r in _rows(c.ideas) if r["merged_into"] is not None]
    for source, target in merged:
        Idea.objects.filter(pk=source).update(merged_into_id=target)
    IdeaRevision.objects.bulk_create(
        [
            IdeaRevision(
                idea_id=r["idea_id"],
                number=r["revision"],
                title=r["title"][:160],
                body=r["body"],
                author_id=None,
                created_at=_at(r["created_at"]),
            )
            for r in _rows(c.idea_revisions)
        ],
        batch_size=500,
    )
    primary = {i.pk: i.author_id for i in ideas}
    coauthors = [r for r in _rows(c.idea_authors) if primary.get(r["idea_id"]) != r["member_id"]]
    CoAuthor.objects.bulk_create(
        [
            CoAuthor(
                idea_id=r["idea_id"],
                member_id=r["member_id"],
                share=round(100 * r["share"], 2),
                status=CoAuthorStatus.ACCEPTED,
                responded_at=now,
            )
            for r in coauthors
        ]
    )
    tags = {name: Tag.objects.get_or_create(name=name[:40])[0] for name in sorted(c.idea_tags["tag"].unique())}
    Idea.tags.through.objects.bulk_create(
        [Idea.tags.through(idea_id=r["idea_id"], tag_id=tags[r["tag"]].pk) for r in _rows(c.idea_tags)],
        ignore_conflicts=True,
    )
    advance()

    # --- votes, comments, follows ------------------------------------------------------------
    Vote.objects.bulk_create(
        [Vote(idea_id=v["idea_id"], member_id=v["member_id"], value=int(v["value"])) for v in _rows(c.votes)],
        batch_size=1000,
    )
    comments = [
        Comment(
            pk=r["comment_id"],
            idea_id=r["idea_id"],
            author_id=r["author_id"],
            parent_id=r["parent_id"],
            body=r["body"],
            builds_on=bool(r["builds_on"]),
            created_at=_at(r["created_at"]),
        )
        for r in _rows(c.comments.sort_values("comment_id"))
    ]
    Comment.objects.bulk_create(comments, batch_size=1000)
    followers = {(i.pk, i.author_id) for i in ideas} | {(r["idea_id"], r["member_id"]) for r in coauthors}
    Follow.objects.bulk_create([Follow(idea_id=i, member_id=m) for i, m in sorted(followers)], batch_size=1000)
    for idea_id, count in Follow.objects.values_list("idea_id").annotate(n=Count("id")):
        Idea.objects.filter(pk=idea_id).update(follower_count=count)
    advance()

    # --- stage history, lineage, notifications ----------------------------------------------
    reasons: dict[str, DeclineReason] = {}
    changes = []
    previous: dict[int, str] = {}
    for row in _rows(stages):
        before = previous.get(row["idea_id"])
        previous[row["idea_id"]] = row["stage"]
        if before is None:
            continue
        reason = None
        if row["reason"]:
            reason = reasons.get(row["reason"]) or DeclineReason.objects.get_or_create(label=row["reason"][:120])[0]
            reasons[row["reason"]] = reason
        changes.append(
            StageChange(
                idea_id=row["idea_id"],
                from_stage=before,
                to_stage=row["stage"],
                actor_id=row["actor_id"],
                message=row["message"] or "",
                reason=reason,
                created_at=_at(row["changed_at"]),
            )
        )
    StageChange.objects.bulk_create(changes, batch_size=500)
    IdeaLineage.objects.bulk_create(
        [IdeaLineage(source_id=s, target_id=t, message="Merged as a duplicate.", created_at=now) for s, t in merged]
    )
    titles = {i.pk: i.title for i in ideas}
    notifications = [
        Notification(
            recipient_id=primary[ch.idea_id],
            verb="idea.stage_changed",
            title=f"“{titles[ch.idea_id]}” is now: {ch.get_to_stage_display()}",
            body=ch.message,
            url=f"/ideas/{ch.idea_id}/",
            created_at=ch.created_at,
            emailed_at=ch.created_at,
            read_at=ch.created_at if ch.created_at < now - timedelta(days=14) else None,
        )
        for ch in changes
        if ch.actor_id is not None
    ]
    Notification.objects.bulk_create(notifications, batch_size=1000)
    advance()

    # --- the event log, as the generator wrote it ---------------------------------------------
    events = [
        Event(
            pk=r["event_id"],
            occurred_at=_at(r["occurred_at"]),
            actor_id=r["actor_id"],
            verb=r["verb"],
            object_type=r["object_type"] or "",
            object_id=r["object_id"],
            target_member_id=r["target_member_id"],
            campaign_id=r["campaign_id"],
            channel=r["channel"] or "",
            value=r["value"],
            details=json.loads(r["details"]) if r["details"] else {},
        )
        for r in _rows(c.events)
        if r["verb"] != "order.imported"  # orders come in through the CSV import (_commerce)
    ]
    Event.objects.bulk_create(events, batch_size=2000)
    advance()
    return {
        "members": len(people),
        "campaigns": len(campaigns),
        "ideas": len(ideas),
        "comments": len(comments),
        "votes": len(c.votes),
        "events": len(events),
    }


def _rewards() -> dict[str, int]:
    """Points and a royalty pool, through the rewards services, as staff would set them up.

    The site's rules; the generator's `reward.granted` events in the ledger (so members
    have balances); and a royalty pool on a launched idea, the one with the most ideas
    merged into it, with two quarters of sales paid out.
    """
    staff = Member.objects.get(email=STAFF_EMAIL)
    for trigger, points, cap in RULES:
        rule_set(actor=staff, campaign_id=None, trigger=trigger, points=points, daily_cap=cap)
    accepted = RuleVersion.objects.get(rule__campaign__isnull=True, rule__trigger=Trigger.IDEA_ACCEPTED)
    awards = awards_from_log(version=accepted, events=list(Event.objects.filter(verb="reward.granted").order_by("id")))
    launched = (
        Idea.objects.filter(stage=Stage.LAUNCHED).annotate(merged=Count("lineage_in")).order_by("-merged", "pk").first()
    )
    periods = 0
    if launched is not None:
        pool = pool_open(
            actor=staff, idea_id=launched.pk, kind="rate", rate_bp=100, currency="EUR", split_rule="shares"
        )
        today = timezone.now().date()
        for quarter, sales in ((2, 4_250_000), (1, 6_180_050)):
            end = today - timedelta(days=91 * (quarter - 1) + 1)
            sales_period_add(
                actor=staff,
                pool_id=pool.pk,
                starts_on=end - timedelta(days=90),
                ends_on=end,
                net_sales_cents=sales,
            )
            periods += 1
    return {"awards": awards, "sales_periods": periods}


# --- intellectual property: a prior-art flag and a dispute, as staff record them on the prior-art page ----------


def _ip_flags() -> dict[str, int]:
    """The first merged pair flagged as prior art (the earlier idea of the two), and a dispute on the member's idea.

    So the insights' IP section shows flags next to the terms, licences and proof log
    the load writes anyway.
    """
    staff = Member.objects.get(email=STAFF_EMAIL)
    flags = 0
    pair = IdeaLineage.objects.select_related("source", "target").order_by("pk").first()
    if pair is not None:
        earlier, later = sorted((pair.source, pair.target), key=lambda i: (i.created_at, i.pk))
        reason = "Merged as the same idea: the earlier one was first in the proof log."
        idea_flag(actor=staff, idea_id=later.pk, kind="prior_art", reason=reason, earlier_idea_id=earlier.pk)
        flags += 1
    mine = Idea.objects.filter(author__email=MEMBER_EMAIL).order_by("pk").first()
    if mine is not None:
        reason = "A customer wrote in to say they suggested this in the shop first."
        idea_flag(actor=staff, idea_id=mine.pk, kind="dispute", reason=reason)
        flags += 1
    return {"ip_flags": flags}


# The site's reward rules in the demo: points per idea submitted (at most 5 a day), and more
# as an idea goes further.
RULES = (
    (Trigger.IDEA_SUBMITTED, 10, 5),
    (Trigger.SUPPORT_THRESHOLD, 50, 0),
    (Trigger.IDEA_ACCEPTED, 1000, 0),
    (Trigger.IDEA_LAUNCHED, 2000, 0),
    (Trigger.COMMENT_IMPROVED, 25, 0),
    (Trigger.REFERRAL, 20, 0),
)


# --- the company's orders and channel spend, through the import paths (docs/commerce.md) -----------


def _commerce(c: Any) -> dict[str, int]:
    """The generator's orders and channel spend as CSV files, through the CSV imports staff use.

    Customers are named as a shop would: members with a customer record by its customer
    id, the others (staff) by email, which the import hashes and matches.
    """
    from prosumo.commerce.services import orders_import_csv, spend_import_csv

    staff = Member.objects.get(email=STAFF_EMAIL)
    currency = settings.PROSUMO_CURRENCY
    customer_ids = dict(CustomerRecord.objects.filter(member__isnull=False).values_list("member_id", "customer_id"))
    emails = dict(Member.objects.values_list("pk", "email"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order_id", "customer_id", "email", "ordered_at", "amount", "currency", "product", "idea_id"])
    for n, row in enumerate(_rows(c.outcomes), start=1):
        member_id = int(row["member_id"])
        customer = customer_ids.get(member_id, "")
        writer.writerow(
            [
                f"DEMO-{n:07d}",
                customer,
                "" if customer else emails[member_id],
                _at(row["ordered_at"]).isoformat(),
                f"{float(row['amount']):.2f}",
                currency,
                f"P{int(row['product_id']):04d}",
                "" if row["from_idea_id"] is None else int(row["from_idea_id"]),
            ]
        )
    orders = orders_import_csv(actor=staff, file_name="demo-orders.csv", data=out.getvalue().encode())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["channel", "starts_on", "ends_on", "amount", "currency"])
    for row in _rows(c.costs):
        starts = _at(row["period_start"]).date()
        # the generator's periods end where the next begins; a recorded period ends on its last day
        ends = max(starts, _at(row["period_end"]).date() - timedelta(days=1))
        writer.writerow([row["channel"], starts.isoformat(), ends.isoformat(), f"{float(row['spend']):.2f}", currency])
    spend = spend_import_csv(actor=staff, file_name="demo-spend.csv", data=out.getvalue().encode())
    return {"orders": orders.created, "spend_periods": spend.periods}


def _surveys(c: Any) -> dict[str, int]:
    """Both shipped surveys, put to every member by staff and answered through the service.

    The answers are the generator's: each respondent's motive, cost, lead-user and
    satisfaction scores (its member profiles). The invitations the opening sends are
    written as already mailed, as the loader writes the stage-change notifications, so
    that a fresh demo does not mail every member at once.
    """
    staff = Member.objects.get(email=STAFF_EMAIL)
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    for member_id, item, score in c.surveys[["member_id", "item", "score"]].itertuples(index=False):
        scores[int(member_id)][str(item)] = int(score)
    people = Member.objects.in_bulk(list(scores))
    answers = 0
    for template in TEMPLATES.values():
        survey = survey_create(actor=staff, template=template.key, closes_at=timezone.now() + timedelta(days=14))
        survey = survey_open(actor=staff, survey_id=survey.pk)
        fanout = Fanout.objects.get(audience="survey.audience", audience_id=survey.pk)
        told = list(audience_members(survey).order_by("pk").values_list("pk", flat=True))
        Notification.objects.bulk_create(
            [
                fanout.notification(
                    recipient_id=member_id,
                    emailed_at=fanout.created_at,
                    read_at=fanout.created_at if member_id in scores else None,
                )
                for member_id in told
            ],
            batch_size=1000,
        )
        fanout.done_through = told[-1] if told else 0
        fanout.finished_at = fanout.created_at
        fanout.save(update_fields=["done_through", "finished_at"])
        for member_id, answered in sorted(scores.items()):
            mine = {key: answered[key] for key in template.keys if key in answered}
            if len(mine) == len(template.keys):
                survey_answer(actor=people[member_id], survey_id=survey.pk, scores=mine)
                answers += 1
    return {"survey_answers": answers}


# --- a finished message experiment with a planted difference (docs/outreach.md) ------------------

#: Conversion per arm the demo plants, by (written by the company, medium): co-produced messages
#: convert far better in personal media and no better in mass media. Of the members given an arm,
#: 80% open their link, and of those the first converts until the arm's rate is reached.
EXPERIMENT_RATES = {(False, "personal"): 0.5, (True, "personal"): 0.1, (False, "mass"): 0.2, (True, "mass"): 0.2}
EXPERIMENT_EXPOSED = 0.8


def _experiment(seed: int) -> dict[str, int]:
    """A brief, a co-written and a company message, and a finished experiment over email and a web banner.

    Written through the outreach services, as staff and members would: every member (staff
    aside) gets one of four arms at random (a seeded generator), opens the tracked link and
    converts as :data:`EXPERIMENT_RATES` plants; the results page and the Insights section
    should find the difference in personal media, and none in mass media.
    """
    staff = Member.objects.get(email=STAFF_EMAIL)
    writer = Member.objects.get(email=MEMBER_EMAIL)
    brief = outreach.brief_open(
        actor=staff,
        title="Tell campers about the trail tent",
        product="Trail tent",
        deadline=timezone.now() + timedelta(days=14),
        channels=["email", "banner"],
        languages=["en", "es"],
        tone="warm, no jargon",
        length_min=10,
        length_max=160,
    )
    ours = outreach.message_propose(
        actor=writer,
        brief_id=brief.pk,
        text="We pitched it in the rain so you don't have to guess: dry by morning, packed in two minutes.",
        language="en",
        licence=Licence.NON_EXCLUSIVE,
    )
    theirs = outreach.message_propose(
        actor=staff, brief_id=brief.pk, text="The new trail tent: light, strong, ready.", language="en", company=True
    )
    email = outreach.channel_create(actor=staff, name="newsletter", kind="email")
    banner = outreach.channel_create(actor=staff, name="site-banner", kind="banner")
    arms = [(message.pk, channel.pk) for channel in (email, banner) for message in (ours, theirs)]
    experiment = outreach.experiment_create(actor=staff, name="Trail tent launch", arms=arms)
    outreach.experiment_start(actor=staff, experiment_id=experiment.pk)
    rng = random.Random(seed)
    given: dict[int, list[Any]] = defaultdict(list)
    for member_id in (
        Member.objects.filter(is_active=True, role=Role.MEMBER).order_by("pk").values_list("pk", flat=True)
    ):
        assignment = outreach.assignment_make(experiment_id=experiment.pk, member_id=member_id, rng=rng)
        given[assignment.arm_id].append(assignment)
    conversions = 0
    for assignments in given.values():
        arm = assignments[0].arm
        rate = EXPERIMENT_RATES[(arm.message.company, arm.channel.medium)]
        opened = assignments[: math.floor(EXPERIMENT_EXPOSED * len(assignments))]
        for n, assignment in enumerate(opened):
            outreach.link_open(token=outreach.link_token(assignment))
            if n < round(rate * len(assignments)):
                outreach.conversion_record(experiment_id=experiment.pk, member_id=assignment.member_id, action="order")
                conversions += 1
    outreach.experiment_finish(actor=staff, experiment_id=experiment.pk)
    return {"experiment_assignments": sum(len(a) for a in given.values()), "experiment_conversions": conversions}


#: Members the survey moves to build on an idea for the first time (a comment that improves
#: it), so that the demo has recent first co-creations: the invitation model needs at least
#: ten members who co-created in its last 90 days, and ten who did not.
FIRST_BUILDS_ON = 14
BUILDS_ON_BODIES = (
    "Building on this: a version with a refill pack would cut the waste and the price.",
    "It could also work for families: a larger size with the same design.",
    "What if the app reminded you when it is time to replace it? I would use that every week.",
    "I would add a travel case; I tried something similar and that was what was missing.",
)


def _first_builds_on(c: Any, *, now: datetime) -> dict[str, int]:
    """Surveyed members who never co-created build on a popular idea, through the comment service.

    The most motivated respondents (the generator's ``motive_*`` scores) who joined more
    than 100 days ago and have no idea, revision, co-authorship or builds-on comment each
    post one builds-on comment today, accepting the contribution terms as a member does.
    """
    motive = c.surveys[c.surveys["item"].str.startswith("motive_")].groupby("member_id")["score"].mean()
    analyse = Event.objects.filter(verb__in=["idea.submitted", "idea.revised", "idea.coauthor_added"])
    co_created = set(analyse.values_list("actor_id", flat=True)) | set(
        analyse.exclude(target_member_id=None).values_list("target_member_id", flat=True)
    )
    co_created |= set(Comment.objects.filter(builds_on=True).values_list("author_id", flat=True))
    candidates = Member.objects.filter(
        pk__in=[int(m) for m in motive.index], role=Role.MEMBER, date_joined__lt=now - timedelta(days=100)
    ).exclude(pk__in=[m for m in co_created if m is not None])
    chosen = sorted(candidates, key=lambda m: (-float(motive[m.pk]), m.pk))[:FIRST_BUILDS_ON]
    ideas = list(
        Idea.objects.filter(hidden=False).order_by("-support_count", "pk").values_list("pk", flat=True)[: len(chosen)]
    )
    terms = TermsVersion.objects.order_by("-number").first()
    posted = 0
    for i, (member, idea_id) in enumerate(zip(chosen, ideas, strict=False)):
        comment_post(
            actor=member,
            idea_id=idea_id,
            body=BUILDS_ON_BODIES[i % len(BUILDS_ON_BODIES)],
            builds_on=True,
            accept_terms=terms.number if terms is not None else None,
        )
        posted += 1
    return {"first_builds_on": posted}


# --- a pairwise and a budget campaign, and an accepted amendment, through the services (docs/running-a-community.md) ---

PAIRWISE_IDEAS = (
    ("Tent pegs that glow at night", "Pegs with a glow strip, so that nobody trips over a guy line after dark."),
    (
        "A backpack hip belt with pockets",
        "Two zipped pockets on the hip belt for a phone and snacks, reachable on the move.",
    ),
    (
        "Stuff sacks in colours by use",
        "Red for food, blue for clothes, green for the first-aid kit: found at a glance.",
    ),
    ("A sleeping bag with a hood you can zip off", "On warm nights the hood comes off and the bag packs smaller."),
    (
        "Trekking poles that become tent poles",
        "Poles with a tip that fits the tent's grommets, so one set does both jobs.",
    ),
)
BUDGET_IDEAS = (
    (
        "A repair corner in every store",
        "A bench, tools and a staff member on Saturdays to fix zips, seams and poles.",
        12_000_00,
    ),
    (
        "Free tent rentals for school trips",
        "Thirty tents lent to schools for their first camping trip, cleaned between trips.",
        8_000_00,
    ),
    (
        "Trail clean-up days with members",
        "Four days a year, with bags, gloves and lunch, on trails our members choose.",
        3_000_00,
    ),
    (
        "Spare parts sent free for five years",
        "Buckles, pole sections and zip sliders posted free to anyone who asks.",
        6_000_00,
    ),
)


def _more_ways_to_take_part() -> dict[str, int]:
    """A running pairwise campaign with choices and a running budget campaign with ballots, and one accepted amendment.

    Written through the services, as members and staff would (their events included), so
    that the demo shows the pairs, the scores, the ballot, the results and an amended idea.
    The demo member (`MEMBER_EMAIL`) has answered no pair and cast no ballot, to try both.
    """
    staff = Member.objects.get(email=STAFF_EMAIL)
    others = list(
        Member.objects.filter(role=Role.MEMBER, is_active=True, suspended_at__isnull=True)
        .exclude(email=MEMBER_EMAIL)
        # the members who first built on an idea today stay first-time co-creators
        .exclude(pk__in=Comment.objects.filter(builds_on=True).values("author_id"))
        .order_by("pk")[:30]
    )
    terms = TermsVersion.objects.order_by("-number").values_list("number", flat=True).first()
    pairwise = campaign_create(
        actor=staff,
        title="Which small improvement first?",
        brief="Pick the better of two ideas, as many times as you like, or add your own.",
        voting_mode="pairwise",
    )
    budget = campaign_create(
        actor=staff,
        title="The community fund",
        brief="Spend 20,000 EUR of the company's money on what our community needs most.",
        voting_mode="budget",
    )
    budget_set(actor=staff, campaign_id=budget.pk, amount_cents=20_000_00, currency="EUR")
    authors = iter(others)
    licence = next(iter(pairwise.allowed_licences))
    pairs = [
        idea_submit(actor=next(authors), campaign_id=pairwise.pk, title=t, body=b, accept_terms=terms, licence=licence)
        for t, b in PAIRWISE_IDEAS
    ]
    funded = []
    for title, body, cents in BUDGET_IDEAS:
        idea = idea_submit(
            actor=next(authors), campaign_id=budget.pk, title=title, body=body, accept_terms=terms, licence=licence
        )
        cost_set(actor=staff, idea_id=idea.pk, amount_cents=cents)
        funded.append(idea)
    choices = 0
    voters = others[len(PAIRWISE_IDEAS) + len(BUDGET_IDEAS) :]
    for n, member in enumerate(voters):
        for k in range(6):  # each prefers the earlier idea of the list most of the time
            left, right = pairs[(n + k) % len(pairs)], pairs[(n + 2 * k + 1) % len(pairs)]
            if left.pk == right.pk:
                continue
            outcome = (
                "cant_decide"
                if (n + k) % 7 == 0
                else ("left" if (left.pk < right.pk) != ((n * k) % 5 == 0) else "right")
            )
            offer = offer_sign(member_id=member.pk, campaign_id=pairwise.pk, left_id=left.pk, right_id=right.pk)
            pairwise_choose(
                actor=member, campaign_id=pairwise.pk, left_id=left.pk, right_id=right.pk, outcome=outcome, offer=offer
            )
            choices += 1
    ballots = 0
    plans = ([0, 2], [0, 3], [1, 2, 3], [1], [0, 2], [2, 3], [0])
    for n, member in enumerate(voters):
        ballot_cast(actor=member, campaign_id=budget.pk, idea_ids=[funded[i].pk for i in plans[n % len(plans)]])
        ballots += 1
    # an amendment to the first fund idea, accepted by its author: revision 2, the amender a co-author
    idea = funded[0]
    amendment = amendment_propose(
        actor=voters[0],
        idea_id=idea.pk,
        title=idea.title,
        body=f"{idea.body}\n\nThe same bench could host a monthly class on field repairs.",
        note="A class teaches people to fix things on the trail too.",
    )
    amendment_accept(actor=idea.author, amendment_id=amendment.pk, share=10)
    return {"pairwise_choices": choices, "budget_ballots": ballots, "amendments": 1}
