"""Message briefs and messages in the JSON API: staff open briefs and shortlist; members propose, revise, vote, comment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema, Status

from prosumo.community.auth import needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS
from prosumo.outreach import selectors, services
from prosumo.outreach.models import Message, MessageBrief
from prosumo.outreach.permissions import access_brief, access_message, require_outreach_staff

router = Router(tags=["outreach"])


class BriefOut(Schema):
    id: int
    title: str
    product: str
    segment_id: int | None = Field(description="The segment asked; null: every member")
    channels: list[str] = Field(description="email, social, push, banner, in_store")
    tone: str
    length_min: int
    length_max: int
    deadline: datetime
    languages: list[str]


class BriefIn(BodyIn):
    title: str
    product: str
    deadline: datetime = Field(strict=False, description="Until when messages are taken (with a time zone)")
    channels: list[str] = Field(description="One or more of email, social, push, banner, in_store")
    languages: list[str] = Field(description="One or more of en, es")
    segment_id: Id | None = Field(None, description="Ask only this segment's members; null: every member")
    tone: str = ""
    length_min: int = 1
    length_max: int = 280


class MessageOut(Schema):
    id: int
    brief_id: int
    author_id: int
    company: bool = Field(description="Written by the company, not by a member")
    text: str
    language: str
    licence: str
    revision: int
    vote_count: int
    comment_count: int
    shortlisted: bool


class MessageIn(BodyIn):
    text: str
    language: str = Field("", description="One of the brief's languages; empty: the member's, or the brief's first")
    licence: str = Field("", description="The licence the message is given under (when terms are published)")
    accept_terms: int | None = Field(None, description="The number of the terms version accepted with this message")
    company: bool = Field(False, description="Staff: a message written by the company, marked as such")


class MessageRevisionIn(BodyIn):
    text: str
    note: str = ""
    accept_terms: int | None = Field(None, description="The number of the terms version accepted with this revision")


class MessageRevisionOut(Schema):
    number: int
    text: str
    author_id: int
    by_staff: bool = Field(description="A staff edit: it changed the text, not the credit")
    note: str
    created_at: datetime


class MessageCoAuthorIn(BodyIn):
    member_id: Id
    share: Decimal = Field(description="Percent of the message credited to the co-author, 1 to 99")


class MessageCommentIn(BodyIn):
    body: str
    accept_terms: int | None = Field(None, description="The number of the terms version accepted with this comment")


class MessageCommentOut(Schema):
    id: int
    author_id: int
    body: str
    created_at: datetime


class MessageDetailOut(MessageOut):
    revisions: list[MessageRevisionOut]
    comments: list[MessageCommentOut]
    credit: dict[int, float] = Field(description="Member id -> percent of the credit (empty for a company message)")


def _message(message: Message) -> dict[str, Any]:
    return {**MessageOut.model_validate(message).model_dump()}


@router.get("/briefs", response={200: list[BriefOut], **ERRORS}, auth=needs(Scope.READ))
def brief_list(request: MemberRequest) -> Any:
    """The briefs the member may see (staff: every brief), newest first."""
    return selectors.brief_list(request.user)


@router.post("/briefs", response={201: BriefOut, **ERRORS}, auth=needs(Scope.STAFF))
def brief_open(request: MemberRequest, payload: BriefIn) -> Any:
    """Open a brief: members may propose messages for it until its deadline (staff)."""
    brief = services.brief_open(actor=request.user, **payload.dict())
    return Status(201, brief)


@router.get("/briefs/{brief_id}", response={200: BriefOut, **ERRORS}, auth=needs(Scope.READ))
def brief_read(request: MemberRequest, brief_id: Id) -> MessageBrief:
    _, brief = access_brief(request.user, brief_id)
    return brief


@router.get("/briefs/{brief_id}/messages", response={200: list[MessageOut], **ERRORS}, auth=needs(Scope.READ))
def message_list(request: MemberRequest, brief_id: Id) -> Any:
    """A brief's messages, most voted first; the company's are marked."""
    member, brief = access_brief(request.user, brief_id)
    return [_message(m) for m in selectors.messages_of(brief, member)]


@router.post("/briefs/{brief_id}/messages", response={201: MessageOut, **ERRORS}, auth=needs(Scope.WRITE))
def message_propose(request: MemberRequest, brief_id: Id, payload: MessageIn) -> Any:
    """Propose a message under the current contribution terms (staff: ``company`` for the company's own)."""
    message = services.message_propose(actor=request.user, brief_id=brief_id, **payload.dict())
    return Status(201, _message(message))


@router.get("/messages/{message_id}", response={200: MessageDetailOut, **ERRORS}, auth=needs(Scope.READ))
def message_read(request: MemberRequest, message_id: Id) -> Any:
    """A message with its revisions (its history), comments and credit."""
    member, message = access_message(request.user, message_id)
    view = selectors.message_read(message, member)
    return {
        **_message(message),
        "revisions": [MessageRevisionOut.model_validate(row.revision).model_dump() for row in view.revisions],
        "comments": [MessageCommentOut.model_validate(c).model_dump() for c in view.comments],
        "credit": selectors.credit_of(message),
    }


@router.post("/messages/{message_id}/revisions", response={201: MessageRevisionOut, **ERRORS}, auth=needs(Scope.WRITE))
def message_revise(request: MemberRequest, message_id: Id, payload: MessageRevisionIn) -> Any:
    """Improve a draft (members, until it is shortlisted or the deadline passes) or edit it (staff)."""
    revision = services.message_revise(actor=request.user, message_id=message_id, **payload.dict())
    return Status(201, revision)


@router.post("/messages/{message_id}/coauthors", response={201: MessageOut, **ERRORS}, auth=needs(Scope.WRITE))
def message_coauthor_add(request: MemberRequest, message_id: Id, payload: MessageCoAuthorIn) -> Any:
    """The author credits a co-author with a share of the message."""
    coauthor = services.message_coauthor_add(actor=request.user, message_id=message_id, **payload.dict())
    return Status(201, _message(coauthor.message))


@router.put("/messages/{message_id}/vote", response={200: MessageOut, **ERRORS}, auth=needs(Scope.WRITE))
def message_vote(request: MemberRequest, message_id: Id) -> Any:
    services.message_vote(actor=request.user, message_id=message_id, vote=True)
    return _message(access_message(request.user, message_id)[1])


@router.delete("/messages/{message_id}/vote", response={200: MessageOut, **ERRORS}, auth=needs(Scope.WRITE))
def message_unvote(request: MemberRequest, message_id: Id) -> Any:
    services.message_vote(actor=request.user, message_id=message_id, vote=False)
    return _message(access_message(request.user, message_id)[1])


@router.post("/messages/{message_id}/comments", response={201: MessageCommentOut, **ERRORS}, auth=needs(Scope.WRITE))
def message_comment(request: MemberRequest, message_id: Id, payload: MessageCommentIn) -> Any:
    comment = services.message_comment(actor=request.user, message_id=message_id, **payload.dict())
    return Status(201, comment)


@router.put("/messages/{message_id}/shortlist", response={200: MessageOut, **ERRORS}, auth=needs(Scope.STAFF))
def message_shortlist(request: MemberRequest, message_id: Id) -> Any:
    """Put a message on its brief's shortlist (staff)."""
    return _message(services.message_shortlist(actor=request.user, message_id=message_id, shortlisted=True))


@router.delete("/messages/{message_id}/shortlist", response={200: MessageOut, **ERRORS}, auth=needs(Scope.STAFF))
def message_unshortlist(request: MemberRequest, message_id: Id) -> Any:
    """Take a message off the shortlist (staff)."""
    return _message(services.message_shortlist(actor=request.user, message_id=message_id, shortlisted=False))


class ChannelIn(BodyIn):
    name: str = Field(description="As commerce's spend and members' channels name it: lower-case, digits, - and _")
    kind: str = Field(description="email, social, push, banner or in_store")
    medium: str = Field("", description="personal or mass; empty: email, social and push are personal, the rest mass")
    description: str = ""


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    medium: str
    description: str
    spend: dict[str, int] = Field(description="Currency -> cents spent on it, over every period recorded")
    periods: int = Field(description="How many periods of spend are recorded")


class ChannelCostIn(BodyIn):
    starts_on: date = Field(strict=False)
    ends_on: date = Field(strict=False, description="Inclusive")
    amount_cents: int
    currency: str = Field(description="Three letters, e.g. EUR")


def _channel(row: selectors.ChannelRow) -> dict[str, Any]:
    c = row.channel
    return {
        "id": c.pk,
        "name": c.name,
        "kind": c.kind,
        "medium": c.medium,
        "description": c.description,
        "spend": row.spend,
        "periods": row.periods,
    }


@router.get("/channels", response={200: list[ChannelOut], **ERRORS}, auth=needs(Scope.STAFF))
def channel_list(request: MemberRequest) -> Any:
    """Every channel with its kind, medium and recorded cost (staff)."""
    require_outreach_staff(request.user)
    return [_channel(row) for row in selectors.channel_list()]


@router.post("/channels", response={201: ChannelOut, **ERRORS}, auth=needs(Scope.STAFF))
def channel_create(request: MemberRequest, payload: ChannelIn) -> Any:
    """Add a channel (staff)."""
    channel = services.channel_create(actor=request.user, **payload.dict())
    return Status(201, _channel(selectors.ChannelRow(channel, {}, 0)))


@router.post("/channels/{channel_id}/spend", response={201: ChannelOut, **ERRORS}, auth=needs(Scope.STAFF))
def channel_spend_record(request: MemberRequest, channel_id: Id, payload: ChannelCostIn) -> Any:
    """Record what a channel cost over a period, as commerce's channel spend (admins)."""
    services.channel_spend_record(actor=request.user, channel_id=channel_id, **payload.dict())
    [row] = [r for r in selectors.channel_list() if r.channel.pk == channel_id]
    return Status(201, _channel(row))


class ArmIn(BodyIn):
    message_id: Id
    channel_id: Id


class ExperimentIn(BodyIn):
    name: str
    arms: list[ArmIn] = Field(description="Two or more arms: a message (co-produced or the company's) in a channel")
    segment_id: Id | None = Field(None, description="Its members take part; null: every member")
    allocation: str = Field("random", description="random, or thompson (adaptive: Thompson sampling)")


class ArmOut(Schema):
    id: int
    message_id: int
    channel_id: int
    company: bool = Field(description="The message was written by the company")
    medium: str = Field(description="The channel's medium: personal or mass")
    assigned: int
    exposed: int
    converted: int


class ExperimentOut(Schema):
    id: int
    name: str
    segment_id: int | None
    allocation: str
    status: str = Field(description="draft, running or finished")
    arms: list[ArmOut]


class ArmResultOut(Schema):
    arm: int
    source: str = Field(description="co-produced or company")
    medium: str = Field(description="personal or mass")
    assigned: int
    exposed: int
    converted: int
    conversion: float | None = Field(description="converted / assigned; null when no member was assigned")
    posterior_mean: float = Field(description="Mean of the Beta(1 + converted, 1 + assigned - converted) posterior")
    low_95: float = Field(description="2.5% quantile of the posterior")
    high_95: float = Field(description="97.5% quantile of the posterior")
    p_best: float = Field(description="Probability that this arm converts best")
    expected_loss: float = Field(description="Conversion given up, in expectation, by choosing this arm")


class MediumResultOut(Schema):
    medium: str = Field(description="personal or mass")
    co_assigned: int
    co_converted: int
    company_assigned: int
    company_converted: int
    co_conversion: float | None
    company_conversion: float | None
    difference: float | None = Field(description="Co-produced minus company conversion, posterior mean; null: too few")
    low_95: float | None
    high_95: float | None
    p_co_better: float | None = Field(description="Probability that the co-produced messages convert better")
    verdict: str = Field(description="co-produced better, company better, no difference or too few")


class InteractionOut(Schema):
    difference: float | None = Field(description="(co - company in personal media) - (co - company in mass media)")
    low_95: float | None
    high_95: float | None
    p_positive: float | None = Field(description="Probability that co-writing helps more in personal media")
    verdict: str


class ExperimentResultsOut(Schema):
    experiment_id: int
    arms: list[ArmResultOut]
    by_medium: list[MediumResultOut]
    interaction: InteractionOut
    leader: int | None = Field(description="The arm with the smallest expected loss")
    leader_loss: float | None = Field(description="Its expected loss")
    stop: bool = Field(description="The stopping rule is met: the leader's expected loss is below the threshold")


def _records(table: Any) -> list[dict[str, Any]]:
    """A table's rows with NaN as null."""
    return [{k: (None if v != v else v) for k, v in row.items()} for row in table.to_dict("records")]


class ConversionIn(BodyIn):
    member_id: Id
    action: str = Field(description="idea_support, survey_answer or order (an imported order carrying the code)")


def _experiment(experiment_id: int) -> dict[str, Any]:
    view = selectors.experiment_read(experiment_id)
    e = view.experiment
    return {
        "id": e.pk,
        "name": e.name,
        "segment_id": e.segment_id,
        "allocation": e.allocation,
        "status": e.status,
        "arms": [row.__dict__ for row in view.arms],
    }


@router.get("/experiments", response={200: list[ExperimentOut], **ERRORS}, auth=needs(Scope.STAFF))
def experiment_list(request: MemberRequest) -> Any:
    """Every experiment with each arm's counts (staff)."""
    require_outreach_staff(request.user)
    return [_experiment(pk) for pk in selectors.experiment_ids()]


@router.post("/experiments", response={201: ExperimentOut, **ERRORS}, auth=needs(Scope.STAFF))
def experiment_create(request: MemberRequest, payload: ExperimentIn) -> Any:
    """Set up an experiment: arms of messages (co-produced and the company's) in channels, for a segment (staff)."""
    arms = [(arm.message_id, arm.channel_id) for arm in payload.arms]
    experiment = services.experiment_create(
        actor=request.user,
        name=payload.name,
        arms=arms,
        segment_id=payload.segment_id,
        allocation=payload.allocation,
    )
    return Status(201, _experiment(experiment.pk))


@router.get("/experiments/{experiment_id}", response={200: ExperimentOut, **ERRORS}, auth=needs(Scope.STAFF))
def experiment_read(request: MemberRequest, experiment_id: Id) -> Any:
    require_outreach_staff(request.user)
    return _experiment(experiment_id)


@router.get(
    "/experiments/{experiment_id}/results", response={200: ExperimentResultsOut, **ERRORS}, auth=needs(Scope.STAFF)
)
def experiment_results(request: MemberRequest, experiment_id: Id) -> Any:
    """The results page's figures (staff): each arm's Beta-Binomial posterior, P(best) and expected loss,
    co-produced against company-made messages by medium, their interaction, and the stopping rule."""
    require_outreach_staff(request.user)
    view = selectors.experiment_results(experiment_id)
    results = view.results
    return {
        "experiment_id": view.experiment.pk,
        "arms": _records(results.arms),
        "by_medium": _records(results.by_medium),
        "interaction": results.interaction.__dict__,
        "leader": results.leader,
        "leader_loss": results.leader_loss,
        "stop": results.stop,
    }


@router.post("/experiments/{experiment_id}/start", response={200: ExperimentOut, **ERRORS}, auth=needs(Scope.STAFF))
def experiment_start(request: MemberRequest, experiment_id: Id) -> Any:
    """Start it: its segment's members are given their arms in the background."""
    services.experiment_start(actor=request.user, experiment_id=experiment_id)
    return _experiment(experiment_id)


@router.post("/experiments/{experiment_id}/finish", response={200: ExperimentOut, **ERRORS}, auth=needs(Scope.STAFF))
def experiment_finish(request: MemberRequest, experiment_id: Id) -> Any:
    services.experiment_finish(actor=request.user, experiment_id=experiment_id)
    return _experiment(experiment_id)


@router.post(
    "/experiments/{experiment_id}/conversions", response={200: ExperimentOut, **ERRORS}, auth=needs(Scope.STAFF)
)
def conversion_record(request: MemberRequest, experiment_id: Id, payload: ConversionIn) -> Any:
    """Record a member's landing action, e.g. an imported order carrying the code (staff); counted once."""
    require_outreach_staff(request.user)
    services.conversion_record(experiment_id=experiment_id, **payload.dict())
    return _experiment(experiment_id)


@router.post("/experiments/{experiment_id}/mail", response={202: ExperimentOut, **ERRORS}, auth=needs(Scope.STAFF))
def experiment_mail(request: MemberRequest, experiment_id: Id) -> Any:
    """Send the email arms to their members: in batches from a task, each in the member's language (staff)."""
    services.experiment_mail(actor=request.user, experiment_id=experiment_id)
    return Status(202, _experiment(experiment_id))
