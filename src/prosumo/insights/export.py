"""Write the platform's data as a community dataset (docs/dataset.md) for prosumo.analytics.

Reads the current tables and the event log in chunks straight into Arrow, so an
export of millions of events needs no more memory than the Arrow tables themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.commerce.models import ChannelSpend, Order
from prosumo.community.models import STAFF_ROLES, Member, TermsAcceptance, TermsVersion
from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Campaign, CoAuthor, CoAuthorStatus, Comment, Idea, Stage, StageChange
from prosumo.provenance.models import IdeaFlag, LogEntry
from prosumo.rewards.models import Payout, RoyaltyPool
from prosumo.rewards.selectors import contributions
from prosumo.surveys.models import Response

CHUNK = 50_000
IDEA_FIELDS = ["pk", "campaign_id", "author_id", "created_at", "stage", "title", "body", "language", "merged_into_id"]
IDEA_COLUMNS = [
    "idea_id",
    "campaign_id",
    "author_id",
    "created_at",
    "status",
    "title",
    "body",
    "language",
    "merged_into",
]


def _columns(rows: Iterable[tuple[Any, ...]], names: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {n: [] for n in names}
    for row in rows:
        for name, value in zip(names, row, strict=True):
            out[name].append(value)
    return out


def _table(
    qs: QuerySet[Any],
    fields: list[str],
    names: list[str] | None = None,
    convert: dict[str, Callable[[Any], Any]] | None = None,
) -> pa.Table:
    names = names or fields
    data = _columns(qs.values_list(*fields).iterator(chunk_size=CHUNK), names)
    for name, fn in (convert or {}).items():
        data[name] = [fn(v) for v in data[name]]
    return pa.table(data) if data[names[0]] else pa.table({n: pa.array([], type=pa.null()) for n in names})


def _json(value: Any) -> str | None:
    if value in (None, {}, []):
        return None
    return json.dumps(value, separators=(",", ":"), default=str)


def export_tables(progress: Callable[[str], None] | None = None) -> dict[str, pa.Table]:
    """The contract's tables from the database."""
    step = progress or (lambda _name: None)
    tables: dict[str, pa.Table] = {}
    members = Member.objects.order_by("pk").values_list(
        "pk",
        "date_joined",
        "segment__name",
        "country",
        "channel",
        "referred_by_id",
        "role",
        "is_superuser",
        "erased_at",
    )
    data = _columns(
        members.iterator(chunk_size=CHUNK),
        ["member_id", "joined_at", "segment", "country", "channel", "referred_by", "role", "is_superuser", "erased"],
    )
    # Which side of the community a person is on, whatever their account's state today: the
    # staff roles of `Member.is_staff`, without its check of a closed or suspended account.
    data["is_staff"] = [
        su or role in STAFF_ROLES for role, su in zip(data.pop("role"), data.pop("is_superuser"), strict=True)
    ]
    data["country"] = [c or None for c in data["country"]]
    data["channel"] = [c or None for c in data["channel"]]
    data["attributes"] = [None] * len(data["member_id"])
    data["erased"] = [at is not None for at in data["erased"]]
    step("members")
    tables["campaigns"] = _table(
        Campaign.objects.order_by("pk"),
        ["pk", "title", "starts_at", "ends_at", "voting_mode"],
        ["campaign_id", "title", "starts_at", "ends_at", "voting_mode"],
    )
    tables["ideas"] = _table(
        Idea.objects.order_by("pk"),
        [*IDEA_FIELDS, "licence", "terms_version__number"],
        [*IDEA_COLUMNS, "licence", "terms_version"],
        convert={"licence": lambda v: v or None},
    )
    step("ideas")
    shares: dict[int, float] = {}
    co = list(CoAuthor.objects.filter(status=CoAuthorStatus.ACCEPTED).values_list("idea_id", "member_id", "share"))
    for idea_id, _member, share in co:
        shares[idea_id] = shares.get(idea_id, 0.0) + float(share) / 100
    authors = {"idea_id": [], "member_id": [], "share": []}  # type: dict[str, list[Any]]
    for idea_id, author_id in Idea.objects.order_by("pk").values_list("pk", "author_id").iterator(chunk_size=CHUNK):
        authors["idea_id"].append(idea_id)
        authors["member_id"].append(author_id)
        authors["share"].append(round(1.0 - shares.get(idea_id, 0.0), 6))
    for idea_id, member_id, share in co:
        authors["idea_id"].append(idea_id)
        authors["member_id"].append(member_id)
        authors["share"].append(float(share) / 100)
    tables["idea_authors"] = pa.table(authors)
    stages: dict[str, list[Any]] = {
        "idea_id": [],
        "stage": [],
        "changed_at": [],
        "actor_id": [],
        "reason": [],
        "message": [],
    }
    moved = set(StageChange.objects.filter(from_stage=Stage.SUBMITTED).values_list("idea_id", flat=True))
    for idea_id, created_at, premoderated in (
        Idea.objects.order_by("pk")
        .values_list("pk", "created_at", "campaign__premoderation")
        .iterator(chunk_size=CHUNK)
    ):
        rows = [("submitted", created_at)]
        if not premoderated and idea_id not in moved:
            rows.append(("open", created_at))  # opened on submission
        for stage, at in rows:
            for key, value in zip(stages, (idea_id, stage, at, None, None, None), strict=True):
                stages[key].append(value)
    for row in (
        StageChange.objects.order_by("created_at", "pk")
        .values_list("idea_id", "to_stage", "created_at", "actor_id", "reason__label", "message")
        .iterator(chunk_size=CHUNK)
    ):
        for key, cell in zip(stages, row, strict=True):
            stages[key].append(cell)
    tables["idea_stages"] = pa.table(stages)
    step("stages")
    events: dict[str, list[Any]] = {
        k: []
        for k in [
            "event_id",
            "occurred_at",
            "actor_id",
            "verb",
            "object_type",
            "object_id",
            "target_member_id",
            "campaign_id",
            "channel",
            "value",
            "details",
        ]
    }
    fields = ["pk", *list(events)[1:]]  # the contract's columns are the model's fields, event_id its pk
    for row in Event.objects.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK):
        record = dict(zip(events, row, strict=True))
        record["object_type"] = record["object_type"] or None
        record["channel"] = record["channel"] or None
        record["details"] = _json(record["details"] or {})
        for key, value in record.items():
            events[key].append(value)
    _add_former_members(data, events)
    tables["members"] = pa.table(data)
    tables["events"] = pa.table(events)
    tables.update(commerce_tables())
    step("events")
    tables["surveys"] = _surveys_table()
    step("surveys")
    tables.update(_ip_and_pool_tables(set(data["member_id"]), set(tables["ideas"].column("idea_id").to_pylist())))
    step("intellectual property and royalty pools")
    return tables


def _surveys_table() -> pa.Table:
    """Members' current survey answers, one row per answered item (docs/surveys.md).

    An item in two surveys a member answered counts once per answer; the analytics take
    each member's mean per item.
    """
    rows: dict[str, list[Any]] = {"member_id": [], "item": [], "score": []}
    for member_id, scores in (
        Response.objects.order_by("pk").values_list("member_id", "scores").iterator(chunk_size=CHUNK)
    ):
        for item, score in sorted(scores.items()):
            rows["member_id"].append(member_id)
            rows["item"].append(item)
            rows["score"].append(float(score))
    return pa.table(
        {
            "member_id": pa.array(rows["member_id"], pa.int64()),
            "item": pa.array(rows["item"], pa.string()),
            "score": pa.array(rows["score"], pa.float64()),
        }
    )


# --- intellectual property (docs/ip.md) and royalty pools (docs/rewards.md) ---------------------------------------


def _ip_and_pool_tables(members: set[int], ideas: set[int]) -> dict[str, pa.Table]:
    """The terms, the proof log, disputes and prior-art flags, and the royalty pools with their contributors.

    The proof log keeps plain ids: an entry whose idea is gone is left out, and an author
    whose row is gone is left empty, so the dataset refers to no one it lacks.
    """
    out: dict[str, pa.Table] = {
        "terms_versions": _table(
            TermsVersion.objects.order_by("number"), ["number", "published_at"], ["version", "published_at"]
        ),
        "terms_acceptances": _table(
            TermsAcceptance.objects.order_by("pk"),
            ["member_id", "version__number", "accepted_at"],
            ["member_id", "version", "accepted_at"],
        ),
        "ip_flags": _table(
            IdeaFlag.objects.order_by("pk"),
            ["idea_id", "kind", "flagged_at", "earlier_idea_id", "flagged_by_id", "reason"],
            ["idea_id", "kind", "flagged_at", "earlier_idea_id", "member_id", "reason"],
        ),
        "royalty_pools": _table(
            RoyaltyPool.objects.order_by("pk"),
            ["pk", "idea_id", "split_rule", "merged_percent", "role_weights", "currency", "opened_at"],
            ["pool_id", "idea_id", "split_rule", "merged_percent", "role_weights", "currency", "opened_at"],
            convert={"role_weights": _json},
        ),
        "pool_payouts": _table(
            Payout.objects.order_by("pk"),
            ["pool_id", "period_id", "member_id", "amount_cents", "created_at"],
            ["pool_id", "period_id", "member_id", "amount_cents", "paid_at"],
        ),
    }
    names = ["entry", "kind", "object_id", "version", "idea_id", "member_id", "logged_at"]
    log = _columns((), names)
    rows = LogEntry.objects.order_by("index").values_list(
        "index", "kind", "object_id", "version", "idea_id", "author_id", "logged_at"
    )
    for row in rows.iterator(chunk_size=CHUNK):
        if row[4] not in ideas:
            continue
        for name, cell in zip(names, row, strict=True):
            log[name].append(None if name == "member_id" and cell not in members else cell)
    out["proof_log"] = pa.table(log) if log["entry"] else pa.table({n: pa.array([], type=pa.null()) for n in names})
    names = ["pool_id", "member_id", "idea_id", "is_author", "share_percent", "merged"]
    given = _columns((), names)
    for pool_id, idea_id in RoyaltyPool.objects.order_by("pk").values_list("pk", "idea_id"):
        for c in contributions(idea_id):
            cells = (pool_id, c.member_id, c.idea_id, c.is_author, float(c.share), c.merged)
            for name, part in zip(names, cells, strict=True):
                given[name].append(part)
    out["pool_contributions"] = (
        pa.table(given) if given["pool_id"] else pa.table({n: pa.array([], type=pa.null()) for n in names})
    )
    return out


def _add_former_members(members: dict[str, list[Any]], events: dict[str, list[Any]]) -> None:
    """Give a row to every member the log names whose row is gone, as a former member.

    Erasing an account keeps its row (`erased` true), but a member deleted outright (by
    the Django admin before it erased instead) left events pointing at no one, and the
    analytics refuse a dataset with an unknown member id. Such a member joined, as far as
    the log knows, at their first event.
    """
    known = set(members["member_id"])
    first_seen: dict[int, datetime] = {}
    for column in ("actor_id", "target_member_id"):
        for member_id, at in zip(events[column], events["occurred_at"], strict=True):
            if (
                member_id is not None
                and member_id not in known
                and (member_id not in first_seen or at < first_seen[member_id])
            ):
                first_seen[member_id] = at
    for member_id in sorted(first_seen):
        row: dict[str, Any] = {
            "member_id": member_id,
            "joined_at": first_seen[member_id],
            "is_staff": False,
            "erased": True,
        }
        for name, cells in members.items():
            cells.append(row.get(name))


# --- the company's orders and channel spend (docs/commerce.md) ------------------------------------


def commerce_tables() -> dict[str, pa.Table]:
    """`outcomes` from the members' orders and `costs` from the channel spend, in the site's currency.

    Amounts become the currency's units (cents / 100). Orders and spend in another
    currency are left out (the site keeps no exchange rates), and so are orders of
    customers who are not members: the dataset's `outcomes` are members' orders.
    `commerce_left_out` counts both for `dataset.json`. `costs` is written only when some
    spend is recorded, so that "no costs" stays distinguishable from "no spend".
    """
    from prosumo.analytics.dataset import arrow_schema

    currency = settings.PROSUMO_CURRENCY
    orders = (
        Order.objects.filter(member__isnull=False, currency=currency)
        .order_by("ordered_at", "pk")
        .values_list("member_id", "product_id", "ordered_at", "amount_cents", "idea_id")
    )
    outcomes = _columns(
        orders.iterator(chunk_size=CHUNK), ["member_id", "product_id", "ordered_at", "amount", "from_idea_id"]
    )
    outcomes["amount"] = [cents / 100 for cents in outcomes["amount"]]
    tables = {"outcomes": pa.table(outcomes, schema=arrow_schema("outcomes"))}
    spend = ChannelSpend.objects.filter(currency=currency).order_by("starts_on", "channel", "pk")
    if spend.exists():
        day = timedelta(days=1)
        rows = list(spend.values_list("channel", "starts_on", "ends_on", "amount_cents"))
        tables["costs"] = pa.table(
            {
                "channel": [r[0] for r in rows],
                "period_start": [_midnight(r[1]) for r in rows],
                "period_end": [_midnight(r[2] + day) for r in rows],  # the end of the last day
                "spend": [r[3] / 100 for r in rows],
            },
            schema=arrow_schema("costs"),
        )
    return tables


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def commerce_left_out() -> dict[str, Any]:
    """What `commerce_tables` leaves out, for `dataset.json`: records in other currencies, non-members' orders.

    And ``orders_before_joining``: whether some member's orders go back before they
    joined (a shop's history of its customers), which lets the matched comparison look
    at spend before joining.
    """
    currency = settings.PROSUMO_CURRENCY
    members_orders = Order.objects.filter(member__isnull=False, currency=currency)
    return {
        "currency": currency,
        "orders_before_joining": members_orders.filter(ordered_at__lt=F("member__date_joined")).exists(),
        "orders_in_other_currencies": Order.objects.exclude(currency=currency).count(),
        "orders_of_non_members": Order.objects.filter(member__isnull=True, currency=currency).count(),
        "spend_in_other_currencies": ChannelSpend.objects.exclude(currency=currency).count(),
    }


# --- the open-data version (docs/open-data.md) ------------------------------------

# What an open-data export keeps: these tables, and the events of these verbs. Anything not
# named here (staff work, money, moderation, outreach, terms, proof log) stays in the house.
PUBLIC_TABLES = ("members", "campaigns", "ideas", "idea_authors", "idea_stages", "events", "surveys")
PUBLIC_VERBS = frozenset(
    {
        "member.joined",
        "member.referred",
        "member.visited",
        "campaign.created",
        "campaign.updated",
        "idea.viewed",
        "idea.submitted",
        "idea.revised",
        "idea.coauthor_added",
        "idea.followed",
        "idea.unfollowed",
        "idea.supported",
        "idea.rated",
        "idea.support_withdrawn",
        "idea.stage_changed",
        "idea.merged",
        "comment.posted",
        "comment.edited",
        "comment.improvement_marked",
        "survey.answered",
        "survey.answer_changed",
        "pairwise.chosen",
        "pairwise.cant_decide",
        "budget.ballot_cast",
        "budget.ballot_changed",
    }
)
# Member ids in each table kept, and in events the object id when the object is a member.
MEMBER_COLUMNS = {
    "members": ("member_id", "referred_by"),
    "ideas": ("author_id",),
    "idea_authors": ("member_id",),
    "idea_stages": ("actor_id",),
    "events": ("actor_id", "target_member_id"),
    "surveys": ("member_id",),
}


def pseudonym(member_id: int | None) -> int | None:
    """A member's id in open data: stable from one export to the next, and not the id the site uses.

    A keyed hash (HMAC-SHA256 with the site's secret key) cut to 56 bits, so that nobody
    without the key can go from a pseudonym back to a member or a profile page.
    """
    if member_id is None:
        return None
    digest = hmac.new(settings.SECRET_KEY.encode(), f"open-data:{member_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:7], "big")


def _keep(table: pa.Table, mask: list[bool]) -> pa.Table:
    return table.filter(pa.array(mask, pa.bool_())) if table.num_rows else table


def _replace(table: pa.Table, name: str, values: list[Any]) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.int64()))


def public_tables(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The tables fit for publishing: what anyone may see on the site, under pseudonyms.

    * ideas, their authors and stages only where a visitor may read the idea
      (`Idea.objects.visible_to(None)`): no hidden idea, none waiting in premoderation,
      none in a campaign that is not public; campaigns likewise;
    * events only of `PUBLIC_VERBS`, and not about an idea, a comment or a campaign left out;
    * every member id replaced by its `pseudonym`; a member's name only where they chose
      to show it in open data (`Member.open_data_name`), never an email address.
    """
    ideas = set(Idea.objects.visible_to(None).values_list("pk", flat=True))
    campaigns = set(Campaign.objects.visible_to(None).values_list("pk", flat=True))
    comments = set(Comment.objects.filter(hidden=False, idea_id__in=ideas).values_list("pk", flat=True))
    out = {name: tables[name] for name in PUBLIC_TABLES}
    out["campaigns"] = _keep(
        out["campaigns"], [c in campaigns for c in out["campaigns"].column("campaign_id").to_pylist()]
    )
    for name in ("ideas", "idea_authors", "idea_stages"):
        out[name] = _keep(out[name], [i in ideas for i in out[name].column("idea_id").to_pylist()])
    merged = out["ideas"].column("merged_into").to_pylist()
    out["ideas"] = out["ideas"].set_column(
        out["ideas"].schema.get_field_index("merged_into"),
        "merged_into",
        pa.array([m if m in ideas else None for m in merged], pa.int64()),
    )
    events = out["events"]
    rows = zip(
        events.column("verb").to_pylist(),
        events.column("object_type").to_pylist(),
        events.column("object_id").to_pylist(),
        events.column("campaign_id").to_pylist(),
        strict=True,
    )
    out["events"] = _keep(
        events,
        [
            verb in PUBLIC_VERBS
            and (campaign is None or campaign in campaigns)
            and (kind != "idea" or obj in ideas)
            and (kind != "comment" or obj in comments)
            for verb, kind, obj, campaign in rows
        ],
    )
    events = out["events"]
    objects = [
        pseudonym(obj) if kind == "member" else obj
        for kind, obj in zip(
            events.column("object_type").to_pylist(), events.column("object_id").to_pylist(), strict=True
        )
    ]
    out["events"] = _replace(events, "object_id", objects)
    names = dict(
        Member.objects.filter(open_data_name=True, erased_at__isnull=True)
        .exclude(display_name="")
        .values_list("pk", "display_name")
    )
    members = out["members"]
    out["members"] = members.append_column(
        "name", pa.array([names.get(m) for m in members.column("member_id").to_pylist()], pa.string())
    )
    for name, columns in MEMBER_COLUMNS.items():
        for column in columns:
            out[name] = _replace(out[name], column, [pseudonym(m) for m in out[name].column(column).to_pylist()])
    return out


def export_dataset(
    path: str | Path,
    *,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
    public: bool = False,
    licence: str = "",
) -> Path:
    """Validate and write the dataset folder; returns its path.

    ``public`` writes the open-data version (`public_tables`) under ``licence``, which staff
    choose and must give: it is written into the metadata for whoever downloads it.
    """
    from prosumo.analytics.dataset import write_dataset

    licence = licence.strip()
    if public and not licence:
        raise InvalidInput(
            gettext("Choose the licence the open data is published under."), fields={"licence": ["required"]}
        )
    tables = export_tables(progress)
    meta: dict[str, Any] = {
        "name": settings.SITE_NAME,
        "source": f"Prosumo export from {settings.SITE_URL}",
        "created_at": (now or timezone.now()).isoformat(),
        "licence": "proprietary: the community's own data",
        "attribution": "",
        "commerce": commerce_left_out(),
    }
    if public:
        tables = public_tables(tables)
        meta.update(
            licence=licence,
            attribution=f"{settings.SITE_NAME} ({settings.SITE_URL})",
            public=True,
            pseudonymous=True,
        )
        meta.pop("commerce")
    return write_dataset(tables, path, meta)
