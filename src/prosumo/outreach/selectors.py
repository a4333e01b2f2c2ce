"""Reads for the outreach pages and endpoints, each in a fixed number of queries."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext

from prosumo.commerce.models import ChannelSpend
from prosumo.community.models import Member
from prosumo.core.errors import NotFound
from prosumo.outreach.codes import arm_code, code_read
from prosumo.outreach.models import (
    Arm,
    Assignment,
    Channel,
    ChannelKind,
    Experiment,
    ExperimentStatus,
    Message,
    MessageBrief,
    MessageCoAuthor,
    MessageComment,
    MessageRevision,
    MessageVote,
)
from prosumo.outreach.permissions import briefs_visible_to

if TYPE_CHECKING:
    import pandas as pd

    from prosumo.analytics.metrics import messages
from prosumo.provenance.selectors import Logged


def brief_list(member: Member) -> list[MessageBrief]:
    """The briefs a member may see, newest first, each with its message count (one query)."""
    return list(briefs_visible_to(member).annotate(message_total=Count("messages")))


def messages_of(brief: MessageBrief, member: Member) -> list[Message]:
    """A brief's messages, most voted first, each knowing whether this member voted for it (one query)."""
    voted = MessageVote.objects.filter(message=OuterRef("pk"), member=member)
    return list(brief.messages.select_related("author").annotate(voted=Exists(voted)))


def diff_words(before: str, after: str) -> list[tuple[str, str]]:
    """The change from one text to the next, word by word: ("same" | "added" | "removed", words)."""
    a, b = before.split(), after.split()
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", " ".join(b[j1:j2])))
    return parts


@dataclass(frozen=True)
class RevisionRow:
    revision: MessageRevision
    diff: list[tuple[str, str]]


@dataclass(frozen=True)
class MessageView:
    message: Message
    revisions: list[RevisionRow]
    coauthors: list[MessageCoAuthor]
    comments: list[MessageComment]
    voted: bool


def message_read(message: Message, member: Member) -> MessageView:
    """A message with its history (each revision's change from the one before), co-authors, comments (four queries)."""
    revisions = list(message.revisions.select_related("author"))
    rows, before = [], ""
    for revision in revisions:
        rows.append(RevisionRow(revision, diff_words(before, revision.text)))
        before = revision.text
    return MessageView(
        message=message,
        revisions=rows,
        coauthors=list(message.coauthors.select_related("member").order_by("added_at", "pk")),
        comments=list(message.comments.select_related("author")),
        voted=MessageVote.objects.filter(message=message, member=member).exists(),
    )


def credit_of(message: Message) -> dict[int, float]:
    """Each contributor's share (percent) of a member's message: co-authors their share, the author the rest.

    Staff edits change the text, never the credit; a company message credits no member.
    """
    if message.company:
        return {}
    shares = {c.member_id: float(c.share) for c in message.coauthors.all()}
    return {message.author_id: 100.0 - sum(shares.values()), **shares}


def message_contents(revision_ids: list[int]) -> dict[int, Logged]:
    """The canonical form the proof log hashes for each message revision (docs/ip.md); what is gone is left out.

    A message belongs to no idea: its entries name the message instead.
    """
    found: dict[int, Logged] = {}
    for revision in MessageRevision.objects.filter(pk__in=revision_ids).select_related("message"):
        content: dict[str, Any] = {
            "kind": "message",
            "message": revision.message_id,
            "brief": revision.message.brief_id,
            "number": revision.number,
            "text": revision.text,
        }
        found[revision.pk] = Logged(content, None, revision.author_id, subject=("message", revision.message_id))
    return found


@dataclass(frozen=True)
class ChannelRow:
    channel: Channel
    spend: dict[str, int]  # currency -> cents, over every period recorded
    periods: int


def channel_list() -> list[ChannelRow]:
    """Every channel with what commerce's spend records say it cost, per currency (two queries)."""
    channels = list(Channel.objects.all())
    totals: dict[str, dict[str, int]] = {}
    periods: dict[str, int] = {}
    spent = (
        ChannelSpend.objects.filter(channel__in=[c.name for c in channels])
        .values("channel", "currency")
        .annotate(cents=Sum("amount_cents"), n=Count("pk"))
    )
    for row in spent:
        totals.setdefault(row["channel"], {})[row["currency"]] = int(row["cents"])
        periods[row["channel"]] = periods.get(row["channel"], 0) + int(row["n"])
    return [ChannelRow(c, totals.get(c.name, {}), periods.get(c.name, 0)) for c in channels]


@dataclass(frozen=True)
class ArmRow:
    id: int
    message_id: int
    channel_id: int
    company: bool
    medium: str
    assigned: int
    exposed: int
    converted: int


@dataclass(frozen=True)
class ExperimentView:
    experiment: Experiment
    arms: list[ArmRow]


def experiment_ids() -> list[int]:
    return list(Experiment.objects.values_list("pk", flat=True))


def experiment_read(experiment_id: int) -> ExperimentView:
    """An experiment and each arm's counts: members assigned, exposed (opened their link), converted (two queries)."""
    experiment = Experiment.objects.filter(pk=experiment_id).first()
    if experiment is None:
        raise NotFound(gettext("No such experiment."))
    arms = (
        experiment.arms.select_related("message", "channel")
        .annotate(
            assigned=Count("assignments"),
            exposed=Count("assignments", filter=Q(assignments__exposed_at__isnull=False)),
            converted=Count("assignments", filter=Q(assignments__converted_at__isnull=False)),
        )
        .order_by("pk")
    )
    rows = [
        ArmRow(
            id=a.pk,
            message_id=a.message_id,
            channel_id=a.channel_id,
            company=a.message.company,
            medium=a.channel.medium,
            assigned=a.assigned,  # type: ignore[attr-defined]
            exposed=a.exposed,  # type: ignore[attr-defined]
            converted=a.converted,  # type: ignore[attr-defined]
        )
        for a in arms
    ]
    return ExperimentView(experiment, rows)


# --- an experiment's results (docs/outreach.md, "Reading the results") ------------------------


@dataclass(frozen=True)
class ResultArm:
    """One arm as the results page shows it: its message and channel, and its row of the results."""

    arm: Arm
    figures: dict[str, Any]


@dataclass(frozen=True)
class ExperimentResultsView:
    experiment: Experiment
    arms: list[ResultArm]
    results: messages.ExperimentResults


def experiment_counts(view: ExperimentView) -> pd.DataFrame:
    """The per-arm counts the analytics' results take, from an experiment's live tables (no member named)."""
    import pandas as pd  # the analytics' libraries load on the first results asked, not with every web process

    from prosumo.analytics.metrics import messages

    rows = [
        {
            "arm": row.id,
            "source": messages.COMPANY if row.company else messages.CO_PRODUCED,
            "medium": row.medium,
            "assigned": row.assigned,
            "exposed": row.exposed,
            "converted": row.converted,
        }
        for row in view.arms
    ]
    return pd.DataFrame(rows, columns=messages.COUNT_COLUMNS)


def experiment_results(experiment_id: int) -> ExperimentResultsView:
    """An experiment's results, computed by the same functions as the Insights section (three queries)."""
    from prosumo.analytics.metrics import messages

    view = experiment_read(experiment_id)
    results = messages.experiment_results(experiment_counts(view))
    arms = {a.pk: a for a in Arm.objects.filter(experiment_id=experiment_id).select_related("message", "channel")}
    rows = [ResultArm(arms[int(r["arm"])], r) for r in results.arms.to_dict("records")]
    return ExperimentResultsView(view.experiment, rows, results)


def experiment_list() -> list[Experiment]:
    """Every experiment, newest first, with its segment and how many members it has (one query)."""
    return list(Experiment.objects.select_related("segment").annotate(member_total=Count("assignments")))


def experiment_messages() -> list[Message]:
    """The messages an experiment may compare: shortlisted ones and the company's, with their brief (one query)."""
    return list(
        Message.objects.select_related("brief")
        .filter(Q(shortlisted_at__isnull=False) | Q(company=True))
        .order_by("brief_id", "-company", "pk")
    )


def channel_list_plain() -> list[Channel]:
    """Every channel by name (one query)."""
    return list(Channel.objects.all())


@dataclass(frozen=True)
class ArmLine:
    """An arm as the staff page shows it: its message and channel, its counts, and the code to post with it."""

    row: ArmRow
    message: Message
    channel: Channel
    code: str


def experiment_page(experiment_id: int) -> tuple[Experiment, list[ArmLine]]:
    """An experiment for its staff page: each arm's message, channel, live counts and code (four queries)."""
    view = experiment_read(experiment_id)
    arms = {a.pk: a for a in view.experiment.arms.select_related("message__brief", "channel")}
    lines = [ArmLine(row, arms[row.id].message, arms[row.id].channel, arm_code(arms[row.id])) for row in view.arms]
    return view.experiment, lines


def links_to_post(experiment: Experiment) -> list[tuple[Member, Channel, Assignment]]:
    """Each member given an arm outside email, with that arm's channel: the tracked links staff send themselves."""
    assignments = (
        Assignment.objects.filter(experiment=experiment)
        .exclude(arm__channel__kind=ChannelKind.EMAIL)
        .select_related("member", "arm__channel")
        .order_by("arm_id", "member_id")
    )
    return [(a.member, a.arm.channel, a) for a in assignments]


def export_messages(*, member_id: int) -> dict[str, list[dict[str, Any]]]:
    """A member's part of outreach for their data copy: what they wrote, their votes, and their own experiment arms.

    Only their own arm of each experiment is named: never another member's.
    """
    messages = Message.objects.filter(author_id=member_id, company=False).select_related("brief").order_by("pk")
    assignments = (
        Assignment.objects.filter(member_id=member_id).select_related("arm__channel").order_by("experiment_id")
    )
    return {
        "messages": [
            {
                "id": m.pk,
                "brief": {"id": m.brief_id, "title": m.brief.title},
                "text": m.text,
                "language": m.language,
                "licence": m.licence,
                "image": m.image_type or None,
                "shortlisted": m.shortlisted,
                "created_at": m.created_at,
            }
            for m in messages
        ],
        "revisions": [
            {"message_id": r.message_id, "number": r.number, "text": r.text, "note": r.note, "created_at": r.created_at}
            for r in MessageRevision.objects.filter(author_id=member_id).order_by("message_id", "number")
        ],
        "comments": [
            {"id": c.pk, "message_id": c.message_id, "body": c.body, "created_at": c.created_at}
            for c in MessageComment.objects.filter(author_id=member_id).order_by("pk")
        ],
        "votes": [
            {"message_id": message_id, "cast_at": cast_at}
            for message_id, cast_at in MessageVote.objects.filter(member_id=member_id)
            .order_by("message_id")
            .values_list("message_id", "created_at")
        ],
        "coauthorships": [
            {"message_id": message_id, "share_percent": share, "added_at": added_at}
            for message_id, share, added_at in MessageCoAuthor.objects.filter(member_id=member_id)
            .order_by("message_id")
            .values_list("message_id", "share", "added_at")
        ],
        "experiments": [
            {
                "experiment_id": a.experiment_id,
                "message_id": a.arm.message_id,
                "channel": a.arm.channel.name,
                "assigned_at": a.assigned_at,
                "mailed_at": a.mailed_at,
                "opened_at": a.exposed_at,
                "converted_at": a.converted_at,
                "conversion": a.conversion,
            }
            for a in assignments
        ],
    }


def landing_arm(code: str) -> Arm | None:
    """The arm of a running experiment that an intact landing code names, with its message; None otherwise."""
    parsed = code_read(code)
    if parsed is None:
        return None
    experiment_id, arm_id = parsed
    return (
        Arm.objects.select_related("message__brief")
        .filter(pk=arm_id, experiment_id=experiment_id, experiment__status=ExperimentStatus.RUNNING)
        .first()
    )
