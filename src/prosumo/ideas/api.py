"""JSON endpoints for campaigns and ideas: parse, authorise, call a service or selector, return."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer

from prosumo.activity.selectors import moderation_audit
from prosumo.community.auth import PUBLIC, needs
from prosumo.community.http import MemberRequest
from prosumo.community.limits import rate_limited
from prosumo.community.models import STAFF_ROLES, Role, Scope
from prosumo.community.permissions import is_staff, require_role
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.core.input import Id
from prosumo.core.schemas import ERRORS, LIMITED, ErrorOut
from prosumo.ideas import selectors, services
from prosumo.ideas.models import Amendment, Idea
from prosumo.ideas.permissions import access_campaign, access_idea
from prosumo.ideas.schemas import (
    CAMPAIGN_NULLABLE,
    AmendmentAcceptIn,
    AmendmentChangesIn,
    AmendmentIn,
    AmendmentOut,
    AmendmentRejectIn,
    AuditOut,
    CampaignIn,
    CampaignOut,
    CampaignPatchIn,
    CoAuthorIn,
    CommentIn,
    CommentOut,
    DeclineReasonOut,
    DismissalIn,
    DismissalOut,
    DuplicateOut,
    FlagIn,
    FlagOut,
    IdeaIn,
    IdeaOut,
    IdeaPageOut,
    MergeIn,
    ModeratedOut,
    ModerationIn,
    QueueItemOut,
    ReviewIn,
    ReviewOut,
    RevisionIn,
    RevisionOut,
    ScorecardsOut,
    SimilarOut,
    StageIn,
    StageOut,
    VoteIn,
    VoteOut,
)

# The list of ideas is rendered from our own rows, with the API's renderer (ninja's JSON).
LIST_RENDERER = JSONRenderer()

router = Router(tags=["ideas"])


def idea_out(idea: Idea | selectors.ListedIdea) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "campaign_id": idea.campaign_id,
        "title": idea.title,
        "body": idea.body,
        "stage": idea.stage,
        "author": {"id": idea.author_id, "name": idea.author.name},
        "created_at": idea.created_at,
        "support_count": idea.support_count,
        "up_count": idea.up_count,
        "down_count": idea.down_count,
        "score_count": idea.score_count,
        "mean_score": idea.mean_score,
        "comment_count": idea.comment_count,
        "revision": idea.revision,
        "answered_at": idea.answered_at,
    }


@router.get("/campaigns", response=list[CampaignOut], auth=PUBLIC)
def campaigns(request: HttpRequest) -> Any:
    return list(selectors.campaigns_for(request.user))


@router.post("/campaigns", response={201: CampaignOut, **ERRORS}, auth=needs(Scope.STAFF))
def campaign_create(request: MemberRequest, payload: CampaignIn) -> Any:
    fields = payload.dict()
    fields.update(services.translated_fields(fields.pop("translations")))
    campaign = services.campaign_create(actor=request.user, **fields)
    return Status(201, campaign)


@router.get("/campaigns/{campaign}", response={200: CampaignOut, **ERRORS}, auth=PUBLIC)
def campaign_detail(request: HttpRequest, campaign: str) -> Any:
    return access_campaign(request.user, campaign)


@router.patch("/campaigns/{campaign}", response={200: CampaignOut, **ERRORS}, auth=needs(Scope.STAFF))
def campaign_edit(request: MemberRequest, campaign: str, payload: CampaignPatchIn) -> Any:
    """Change a campaign (admins): only the fields given; written as `campaign.updated` with their names."""
    require_role(request.user, Role.ADMIN)
    found = access_campaign(request.user, campaign)
    changes = payload.dict(exclude_unset=True)
    cleared = sorted(k for k, v in changes.items() if v is None and k not in CAMPAIGN_NULLABLE)
    if cleared:
        raise InvalidInput(
            gettext("The campaign could not be saved."), fields={k: [gettext("Give a value.")] for k in cleared}
        )
    if not changes:
        return found
    return services.campaign_update(actor=request.user, campaign=found, **changes)


class ListParams(Schema):
    order: str = Field("hot", description="new, top, trending, hot or consensus (docs/ranking.md)")
    stage: str | None = None
    tag: str | None = None
    q: str | None = None
    page: int = Field(1, ge=1, description="1 for the first page")
    per_page: int = Field(20, ge=1, le=selectors.PER_PAGE_MAX, description="1 to 100")


@router.get("/campaigns/{campaign}/ideas", response={200: IdeaPageOut, **ERRORS}, auth=PUBLIC)
def campaign_ideas(request: HttpRequest, campaign: str, params: Query[ListParams]) -> Any:
    """A page of a campaign's ideas; anonymous readers may get a page up to a few seconds old."""
    anonymous = not request.user.is_authenticated and "Authorization" not in request.headers
    cache_key = f"api:ideas:{campaign}:{request.GET.urlencode()}"
    if anonymous and settings.PROSUMO_ANONYMOUS_CACHE_SECONDS:
        cached = cache.get(cache_key)
        if cached is not None:
            return HttpResponse(cached, content_type="application/json")
    response = _campaign_ideas(request, campaign, params)
    if anonymous and settings.PROSUMO_ANONYMOUS_CACHE_SECONDS and response.status_code == 200:
        cache.set(cache_key, response.content, settings.PROSUMO_ANONYMOUS_CACHE_SECONDS)
    return response


def _campaign_ideas(request: HttpRequest, campaign: str, params: ListParams) -> HttpResponse:
    found = access_campaign(request.user, campaign)
    page = selectors.idea_list(
        viewer=request.user,
        campaign=found,
        order=params.order,
        stage=params.stage,
        tag=params.tag,
        query=params.q,
        page=params.page,
        per_page=params.per_page,
    )
    if params.page > page.paginator.num_pages:
        raise NotFound(
            gettext("There is no page {page}: the list has {pages} page(s).").format(
                page=params.page, pages=page.paginator.num_pages
            ),
            fields={"page": [f"1 to {page.paginator.num_pages}"]},
        )
    # Built from our own rows, so it skips re-validating twenty items against IdeaPageOut:
    # on the busiest read of the site that is a third of the CPU time of the request.
    content = LIST_RENDERER.render(
        request,
        {
            "items": [idea_out(i) for i in page.object_list],
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
        },
        response_status=200,
    )
    return HttpResponse(content, content_type=f"{LIST_RENDERER.media_type}; charset={LIST_RENDERER.charset}")


@router.post("/campaigns/{campaign}/ideas", response={201: IdeaOut, **ERRORS, **LIMITED}, auth=needs(Scope.WRITE))
@rate_limited("idea")
def idea_submit(request: MemberRequest, campaign: str, payload: IdeaIn) -> Any:
    idea = services.idea_submit(actor=request.user, campaign_id=campaign, **payload.dict())
    return Status(201, idea_out(idea))


@router.get("/ideas/similar", response=list[SimilarOut], auth=PUBLIC)
def ideas_similar(request: HttpRequest, text: str, campaign: Id | None = None) -> Any:
    return selectors.similar_ideas(viewer=request.user, text=text[:2000], campaign_id=campaign)


@router.get("/ideas/{idea_id}", response={200: IdeaOut, **ERRORS}, auth=PUBLIC)
def idea_detail(request: HttpRequest, idea_id: Id) -> Any:
    return idea_out(access_idea(request.user, idea_id))


@router.patch("/ideas/{idea_id}", response={200: RevisionOut, **ERRORS}, auth=needs(Scope.WRITE))
def idea_revise(request: MemberRequest, idea_id: Id, payload: RevisionIn) -> Any:
    return services.idea_revise(actor=request.user, idea_id=idea_id, **payload.dict())


@router.get("/ideas/{idea_id}/revisions", response={200: list[RevisionOut], **ERRORS}, auth=PUBLIC)
def idea_revisions(request: HttpRequest, idea_id: Id) -> Any:
    return selectors.idea_revisions(access_idea(request.user, idea_id))


def amendment_out(amendment: Amendment) -> dict[str, Any]:
    return {
        "id": amendment.pk,
        "idea_id": amendment.idea_id,
        "amender": {"id": amendment.amender_id, "name": amendment.amender.name},
        "title": amendment.title,
        "body": amendment.body,
        "note": amendment.note,
        "status": amendment.status,
        "answer": amendment.answer,
        "base_revision": amendment.base_revision,
        "out_of_date": amendment.is_open and amendment.base_revision != amendment.idea.revision,
        "revision": amendment.revision.number if amendment.revision else None,
        "created_at": amendment.created_at,
        "updated_at": amendment.updated_at,
    }


@router.get("/ideas/{idea_id}/amendments", response={200: list[AmendmentOut], **ERRORS}, auth=PUBLIC)
def idea_amendments(request: HttpRequest, idea_id: Id) -> Any:
    return [amendment_out(a) for a in selectors.idea_amendments(access_idea(request.user, idea_id))]


@router.post("/ideas/{idea_id}/amendments", response={201: AmendmentOut, **ERRORS}, auth=needs(Scope.WRITE))
def amendment_propose(request: MemberRequest, idea_id: Id, payload: AmendmentIn) -> Any:
    amendment = services.amendment_propose(actor=request.user, idea_id=idea_id, **payload.dict())
    return Status(201, amendment_out(amendment))


@router.put("/amendments/{amendment_id}", response={200: AmendmentOut, **ERRORS}, auth=needs(Scope.WRITE))
def amendment_update(request: MemberRequest, amendment_id: Id, payload: AmendmentIn) -> Any:
    return amendment_out(services.amendment_update(actor=request.user, amendment_id=amendment_id, **payload.dict()))


@router.post("/amendments/{amendment_id}/accept", response={200: AmendmentOut, **ERRORS}, auth=needs(Scope.WRITE))
def amendment_accept(request: MemberRequest, amendment_id: Id, payload: AmendmentAcceptIn) -> Any:
    amendment = services.amendment_accept(actor=request.user, amendment_id=amendment_id, share=str(payload.share))
    return amendment_out(amendment)


@router.post("/amendments/{amendment_id}/reject", response={200: AmendmentOut, **ERRORS}, auth=needs(Scope.WRITE))
def amendment_reject(request: MemberRequest, amendment_id: Id, payload: AmendmentRejectIn) -> Any:
    return amendment_out(
        services.amendment_reject(actor=request.user, amendment_id=amendment_id, reason=payload.reason)
    )


@router.post("/amendments/{amendment_id}/changes", response={200: AmendmentOut, **ERRORS}, auth=needs(Scope.WRITE))
def amendment_request_changes(request: MemberRequest, amendment_id: Id, payload: AmendmentChangesIn) -> Any:
    amendment = services.amendment_request_changes(
        actor=request.user, amendment_id=amendment_id, message=payload.message
    )
    return amendment_out(amendment)


def _vote_out(result: services.VoteResult) -> dict[str, Any]:
    idea, value = result.idea, result.value
    return {
        "idea_id": idea.pk,
        "value": value,
        "support_count": idea.support_count,
        "up_count": idea.up_count,
        "down_count": idea.down_count,
        "score_count": idea.score_count,
    }


@router.put("/ideas/{idea_id}/vote", response={200: VoteOut, **ERRORS, **LIMITED}, auth=needs(Scope.WRITE))
@rate_limited("vote")
def vote_cast(request: MemberRequest, idea_id: Id, payload: VoteIn) -> Any:
    return _vote_out(services.vote_cast(actor=request.user, idea_id=idea_id, value=payload.value))


@router.delete("/ideas/{idea_id}/vote", response={200: VoteOut, **ERRORS, **LIMITED}, auth=needs(Scope.WRITE))
@rate_limited("vote")
def vote_withdraw(request: MemberRequest, idea_id: Id) -> Any:
    return _vote_out(services.vote_withdraw(actor=request.user, idea_id=idea_id))


def comment_out(comment: Any) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "idea_id": comment.idea_id,
        "author": {"id": comment.author_id, "name": comment.author.name},
        "parent_id": comment.parent_id,
        "body": comment.body,
        "builds_on": comment.builds_on,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


@router.get("/ideas/{idea_id}/comments", response={200: list[CommentOut], **ERRORS}, auth=PUBLIC)
def comments(request: HttpRequest, idea_id: Id) -> Any:
    return [comment_out(c) for c in selectors.idea_comments(access_idea(request.user, idea_id))]


@router.post("/ideas/{idea_id}/comments", response={201: CommentOut, **ERRORS, **LIMITED}, auth=needs(Scope.WRITE))
@rate_limited("comment")
def comment_post(request: MemberRequest, idea_id: Id, payload: CommentIn) -> Any:
    comment = services.comment_post(actor=request.user, idea_id=idea_id, **payload.dict())
    return Status(201, comment_out(comment))


@router.post("/ideas/{idea_id}/stage", response={200: StageOut, **ERRORS}, auth=needs(Scope.STAFF))
def stage_change(request: MemberRequest, idea_id: Id, payload: StageIn) -> Any:
    change = services.stage_change(actor=request.user, idea_id=idea_id, **payload.dict())
    return {
        "idea_id": idea_id,
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "message": change.display_message,
        "reason": change.reason.label if change.reason else None,
        "created_at": change.created_at,
    }


@router.post("/ideas/{idea_id}/merge", response={200: IdeaOut, **ERRORS}, auth=needs(Scope.STAFF))
def idea_merge(request: MemberRequest, idea_id: Id, payload: MergeIn) -> Any:
    lineage = services.idea_merge(
        actor=request.user, source_id=idea_id, target_id=payload.target_id, message=payload.message
    )
    return idea_out(selectors.idea_with_author(lineage.target_id))


@router.post("/ideas/{idea_id}/follow", response={200: dict, **ERRORS}, auth=needs(Scope.WRITE))
def follow(request: MemberRequest, idea_id: Id) -> Any:
    return {"following": True, "changed": services.idea_follow(actor=request.user, idea_id=idea_id)}


@router.delete("/ideas/{idea_id}/follow", response={200: dict, **ERRORS}, auth=needs(Scope.WRITE))
def unfollow(request: MemberRequest, idea_id: Id) -> Any:
    return {"following": False, "changed": services.idea_unfollow(actor=request.user, idea_id=idea_id)}


@router.post("/ideas/{idea_id}/coauthors", response={201: dict, **ERRORS}, auth=needs(Scope.WRITE))
def coauthor_invite(request: MemberRequest, idea_id: Id, payload: CoAuthorIn) -> Any:
    coauthor = services.coauthor_invite(
        actor=request.user, idea_id=idea_id, member_id=payload.member_id, share=str(payload.share)
    )
    return Status(
        201,
        {"id": coauthor.pk, "member_id": coauthor.member_id, "share": float(coauthor.share), "status": coauthor.status},
    )


@router.post("/ideas/{idea_id}/attachments", response={201: dict, **ERRORS, 503: ErrorOut}, auth=needs(Scope.WRITE))
def attachment_add(request: MemberRequest, idea_id: Id, file: File[UploadedFile]) -> Any:
    attachment = services.attachment_add(actor=request.user, idea_id=idea_id, upload=file)
    return Status(
        201,
        {
            "id": attachment.pk,
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
        },
    )


@router.post("/flags", response={201: dict, **ERRORS, **LIMITED}, auth=needs(Scope.WRITE))
@rate_limited("flag")
def flag(request: MemberRequest, payload: FlagIn) -> Any:
    created = services.flag_create(actor=request.user, **payload.dict())
    return Status(201, {"id": created.pk})


@router.get("/queue", response={200: list[QueueItemOut], **ERRORS}, auth=needs(Scope.STAFF))
def queue(request: MemberRequest) -> Any:
    if not is_staff(request.user):
        require_role(request.user, Role.REVIEWER, Role.ADMIN, Role.MODERATOR)
    return selectors.answer_queue()


@router.get("/duplicates", response={200: list[DuplicateOut], **ERRORS}, auth=needs(Scope.STAFF))
def duplicates(request: MemberRequest) -> Any:
    """Waiting ideas and the ideas most like them, with why: the staff duplicates page as data."""
    require_role(request.user, *STAFF_ROLES)
    pairs = selectors.possible_duplicates(viewer=request.user)
    return [{"idea_id": idea.pk, "title": idea.title, "other": other} for idea, other in pairs]


@router.post("/duplicates/dismissals", response={200: DismissalOut, **ERRORS}, auth=needs(Scope.STAFF))
def duplicate_dismiss(request: MemberRequest, payload: DismissalIn) -> Any:
    """Two ideas are not duplicates: the pair leaves the list for good (saying it twice changes nothing)."""
    dismissal = services.duplicate_dismiss(actor=request.user, idea_id=payload.idea_id, other_id=payload.other_id)
    return {"idea_id": dismissal.idea_id, "other_id": dismissal.other_id, "dismissed_at": dismissal.created_at}


@router.get("/decline-reasons", response=list[DeclineReasonOut], auth=PUBLIC)
def decline_reasons(request: HttpRequest) -> Any:
    return selectors.decline_reasons()


# --- reviews and scorecards ------------------------------------------------------


@router.get("/ideas/{idea_id}/reviews", response={200: ScorecardsOut, **ERRORS}, auth=needs(Scope.STAFF))
def idea_reviews(request: MemberRequest, idea_id: Id) -> Any:
    """The idea's scorecards, oldest first, with the campaign's criteria and the mean score of each."""
    require_role(request.user, *STAFF_ROLES)
    cards = selectors.idea_scorecards(access_idea(request.user, idea_id))
    return {"criteria": cards.criteria, "means": cards.means, "reviews": cards.reviews}


@router.put("/ideas/{idea_id}/review", response={200: ReviewOut, **ERRORS}, auth=needs(Scope.STAFF))
def idea_review(request: MemberRequest, idea_id: Id, payload: ReviewIn) -> Any:
    """Save your scorecard for the idea (again: replace it); reviewers and admins. Written as `idea.reviewed`."""
    return services.review_submit(actor=request.user, idea_id=idea_id, scores=payload.scores, note=payload.note)


# --- moderation -------------------------------------------------------------------


def _flag_out(flag: Any) -> dict[str, Any]:
    kind = "idea" if flag.idea_id else "comment"
    return {
        "id": flag.pk,
        "kind": kind,
        "object_id": flag.idea_id or flag.comment_id,
        "idea_id": flag.idea_id or flag.comment.idea_id,
        "reporter_id": flag.reporter_id,
        "reason": flag.reason,
        "created_at": flag.created_at,
    }


@router.get("/moderation/flags", response={200: list[FlagOut], **ERRORS}, auth=needs(Scope.STAFF))
def moderation_flags(request: MemberRequest) -> Any:
    """Open reports, oldest first: what the moderation page lists."""
    require_role(request.user, Role.MODERATOR, Role.ADMIN)
    return [_flag_out(f) for f in selectors.flags_open()]


@router.get("/moderation/audit", response={200: list[AuditOut], **ERRORS}, auth=needs(Scope.STAFF))
def moderation_log(request: MemberRequest) -> Any:
    """The latest moderation and staff actions, newest first (the audit trail of the moderation page)."""
    require_role(request.user, Role.MODERATOR, Role.ADMIN)
    return moderation_audit()


@router.post("/moderation/hide", response={200: ModeratedOut, **ERRORS}, auth=needs(Scope.STAFF))
def moderation_hide(request: MemberRequest, payload: ModerationIn) -> Any:
    """Hide an idea or a comment `{"kind", "object_id", "reason"}`; its open reports are resolved as `hidden`."""
    found = services.content_hide(
        actor=request.user, kind=payload.kind, object_id=payload.object_id, reason=payload.reason
    )
    return {"kind": payload.kind, "object_id": found.pk, "hidden": found.hidden}


@router.post("/moderation/restore", response={200: ModeratedOut, **ERRORS}, auth=needs(Scope.STAFF))
def moderation_restore(request: MemberRequest, payload: ModerationIn) -> Any:
    """Show hidden content again; its open reports are resolved as `kept`."""
    found = services.content_restore(
        actor=request.user, kind=payload.kind, object_id=payload.object_id, reason=payload.reason
    )
    return {"kind": payload.kind, "object_id": found.pk, "hidden": found.hidden}
