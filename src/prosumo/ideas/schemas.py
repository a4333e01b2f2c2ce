"""API shapes for campaigns and ideas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from prosumo.community.models import DEFAULT_LICENCES
from prosumo.core.input import BodyIn, Id


class CampaignOut(Schema):
    id: int
    slug: str
    title: str
    brief: str
    starts_at: datetime
    ends_at: datetime | None
    visibility: str
    voting_mode: str
    support_threshold: int
    support_gates: list[dict[str, int]]
    scorecard_criteria: list[str]
    allowed_licences: list[str]


class CampaignTextIn(BodyIn):
    """A campaign's text in one more language of the site; empty parts fall back to the default language."""

    title: str = ""
    brief: str = ""
    stage_labels: dict[str, str] = Field(default_factory=dict)


class CampaignIn(BodyIn):
    title: str = Field(description="In the site's default language.")
    brief: str = Field(description="In the site's default language.")
    translations: dict[str, CampaignTextIn] = Field(
        default_factory=dict, description='Other languages by code, e.g. {"es": {"title": "...", "brief": "..."}}.'
    )
    starts_at: datetime | None = Field(None, strict=False)
    ends_at: datetime | None = Field(None, strict=False)
    visibility: str = "public"
    segment_id: Id | None = None
    voting_mode: str = "support"
    support_threshold: int = 0
    support_gates: list[dict[str, int]] = Field(default_factory=list)
    answer_days: int | None = None
    scorecard_criteria: list[str] = Field(default_factory=list)
    premoderation: bool = False
    # The licences a contributor may choose (docs/ip.md): by default the company's three.
    allowed_licences: list[str] = Field(default_factory=lambda: list(DEFAULT_LICENCES))


class CampaignPatchIn(BodyIn):
    """The fields to change; those left out keep their value (``null`` clears ``ends_at``, ``segment_id``, ``answer_days``)."""

    title: str | None = None
    brief: str | None = None
    starts_at: datetime | None = Field(None, strict=False)
    ends_at: datetime | None = Field(None, strict=False)
    visibility: str | None = None
    segment_id: Id | None = None
    voting_mode: str | None = None
    support_threshold: int | None = None
    support_gates: list[dict[str, int]] | None = None
    answer_days: int | None = None
    scorecard_criteria: list[str] | None = None
    stage_labels: dict[str, str] | None = None
    skipped_stages: list[str] | None = None
    premoderation: bool | None = None
    is_published: bool | None = None
    allowed_licences: list[str] | None = None


# Fields that hold null as a value; for the others null is refused, as a missing value would be.
CAMPAIGN_NULLABLE = {"ends_at", "segment_id", "answer_days"}


class MemberRef(Schema):
    id: int
    name: str


class IdeaOut(Schema):
    id: int
    campaign_id: int
    title: str
    body: str
    stage: str
    author: MemberRef
    created_at: datetime
    support_count: int
    up_count: int
    down_count: int
    score_count: int
    mean_score: float | None
    comment_count: int
    revision: int | None = None
    answered_at: datetime | None = None


class IdeaIn(BodyIn):
    title: str
    body: str
    tags: list[str] = Field(default_factory=list)
    language: str = ""
    # The contribution terms (docs/ip.md): the licence chosen among the campaign's, and the
    # number of the terms version accepted with this idea (GET /api/terms), if not accepted before.
    licence: str = ""
    accept_terms: int | None = Field(default=None, ge=1, le=2**31 - 1)


class RevisionIn(BodyIn):
    title: str
    body: str
    note: str = ""


class RevisionOut(Schema):
    number: int
    title: str
    body: str
    created_at: datetime
    note: str


class AmendmentIn(BodyIn):
    title: str
    body: str
    note: str = ""
    base_revision: int | None = Field(
        None, description="The idea's revision the change was written against; refused when the idea has moved on."
    )


class AmendmentAcceptIn(BodyIn):
    share: float = Field(5, allow_inf_nan=False, description="The amender's co-author share, percent, 1 to 99.")


class AmendmentRejectIn(BodyIn):
    reason: str = ""


class AmendmentChangesIn(BodyIn):
    message: str


class AmendmentOut(Schema):
    id: int
    idea_id: int
    amender: dict[str, Any]
    title: str
    body: str
    note: str
    status: str
    answer: str
    base_revision: int
    out_of_date: bool = Field(description="The idea has a newer revision than the one the change was written against.")
    revision: int | None = Field(description="The revision an accepted amendment became.")
    created_at: datetime
    updated_at: datetime


class IdeaPageOut(Schema):
    items: list[IdeaOut]
    count: int
    page: int
    pages: int


class VoteIn(BodyIn):
    value: int = 1


class VoteOut(Schema):
    idea_id: int
    value: int | None
    support_count: int
    up_count: int
    down_count: int
    score_count: int


class CommentIn(BodyIn):
    body: str
    parent_id: Id | None = None
    builds_on: bool = False
    # The number of the contribution terms version accepted with this comment, if not accepted before (docs/ip.md).
    accept_terms: int | None = Field(default=None, ge=1, le=2**31 - 1)


class CommentOut(Schema):
    id: int
    idea_id: int
    author: MemberRef
    parent_id: int | None
    body: str
    builds_on: bool
    created_at: datetime
    edited_at: datetime | None


class StageIn(BodyIn):
    to_stage: str
    message: str
    reason_id: Id | None = None


class StageOut(Schema):
    idea_id: int
    from_stage: str
    to_stage: str
    message: str
    reason: str | None
    created_at: datetime


class MergeIn(BodyIn):
    target_id: Id
    message: str


class CoAuthorIn(BodyIn):
    member_id: Id
    share: float = Field(allow_inf_nan=False, description="Percent, 1 to 99.")


class FlagIn(BodyIn):
    kind: str
    object_id: Id
    reason: str


class SimilarOut(Schema):
    id: int
    title: str
    campaign_id: int
    stage: str
    support_count: int
    score: float = Field(description="0 to 1: how alike, the meaning and the shared words together")
    meaning: float | None = Field(description="cosine of the two texts' vectors; null where only words are compared")
    shared_words: list[str] = Field(description="the significant words both texts use")

    @staticmethod
    def resolve_score(idea: Any) -> float:
        return float(idea.match.score)

    @staticmethod
    def resolve_meaning(idea: Any) -> float | None:
        meaning = idea.match.meaning
        return None if meaning is None else round(float(meaning), 4)


class DuplicateOut(Schema):
    idea_id: int = Field(description="the idea waiting for an answer")
    title: str
    other: SimilarOut = Field(description="an idea of the same campaign like it, and how alike the two are")


class DismissalIn(BodyIn):
    idea_id: Id
    other_id: Id


class DismissalOut(Schema):
    idea_id: int = Field(description="the lower of the two ids")
    other_id: int
    dismissed_at: datetime


class QueueItemOut(Schema):
    id: int
    title: str
    campaign_id: int
    stage: str
    created_at: datetime
    age_days: int


class DeclineReasonOut(Schema):
    id: int
    label: str


class ReviewIn(BodyIn):
    scores: dict[str, int] = Field(
        description="criterion: a whole number from 1 to 5, for each of the campaign's criteria"
    )
    note: str = Field("", max_length=5000)


class ReviewOut(Schema):
    id: int
    idea_id: int
    reviewer_id: int
    scores: dict[str, int]
    note: str
    created_at: datetime


class ScorecardsOut(Schema):
    criteria: list[str] = Field(description="what the campaign scores ideas on")
    means: dict[str, float] = Field(description="criterion: the mean of the scores given")
    reviews: list[ReviewOut]


class ModerationIn(BodyIn):
    kind: str = Field(description="idea or comment")
    object_id: Id
    reason: str = Field("", max_length=300, description="why; required to hide")


class ModeratedOut(Schema):
    kind: str
    object_id: int
    hidden: bool


class FlagOut(Schema):
    id: int
    kind: str = Field(description="idea or comment")
    object_id: int
    idea_id: int
    reporter_id: int
    reason: str
    created_at: datetime


class AuditOut(Schema):
    id: int
    verb: str
    occurred_at: datetime
    actor_id: int | None
    object_type: str
    object_id: int | None
    target_member_id: int | None
    details: dict[str, Any]
