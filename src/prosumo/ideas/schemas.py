"""API shapes for campaigns and ideas."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


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


class CampaignIn(Schema):
    title: str
    brief: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    visibility: str = "public"
    segment_id: int | None = None
    voting_mode: str = "support"
    support_threshold: int = 0
    support_gates: list[dict[str, int]] = Field(default_factory=list)
    scorecard_criteria: list[str] = Field(default_factory=list)
    premoderation: bool = False


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


class IdeaIn(Schema):
    title: str
    body: str
    tags: list[str] = Field(default_factory=list)
    language: str = ""


class RevisionIn(Schema):
    title: str
    body: str
    note: str = ""


class RevisionOut(Schema):
    number: int
    title: str
    body: str
    created_at: datetime
    note: str


class IdeaPageOut(Schema):
    items: list[IdeaOut]
    count: int
    page: int
    pages: int


class VoteIn(Schema):
    value: int = 1


class VoteOut(Schema):
    idea_id: int
    value: int | None
    support_count: int
    up_count: int
    down_count: int
    score_count: int


class CommentIn(Schema):
    body: str
    parent_id: int | None = None
    builds_on: bool = False


class CommentOut(Schema):
    id: int
    idea_id: int
    author: MemberRef
    parent_id: int | None
    body: str
    builds_on: bool
    created_at: datetime
    edited_at: datetime | None


class StageIn(Schema):
    to_stage: str
    message: str
    reason_id: int | None = None


class StageOut(Schema):
    idea_id: int
    from_stage: str
    to_stage: str
    message: str
    reason: str | None
    created_at: datetime


class MergeIn(Schema):
    target_id: int
    message: str


class CoAuthorIn(Schema):
    member_id: int
    share: float


class FlagIn(Schema):
    kind: str
    object_id: int
    reason: str


class SimilarOut(Schema):
    id: int
    title: str
    campaign_id: int
    stage: str
    support_count: int


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


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]
