"""The ideas pages: campaigns, ideas and everything done on an idea's page, and the staff pages for them.

The staff's invitation form lives here too, not in community: an invitation may open an
invitation-only campaign, so the form lists campaigns and saves through this app's service
(`staff_invite`). A member's profile and an invitation's link are community's pages; this
app adds its part to them from its apps.py.

Each view parses input, checks access, calls one service or selector, and renders.
"""

from __future__ import annotations

import difflib
import itertools
import mimetypes
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prosumo.activity.services import presence_record
from prosumo.community.http import MemberRequest
from prosumo.community.limits import rate_limited
from prosumo.community.permissions import (
    can_manage_campaigns,
    can_moderate,
    can_review,
    require_staff_page,
)
from prosumo.community.terms import contribution_context, terms_context
from prosumo.core.errors import NotFound, PermissionDenied
from prosumo.core.files import file_response
from prosumo.core.forms import form_problems
from prosumo.core.http import HtmxRequest
from prosumo.core.markdown import render_markdown
from prosumo.core.pages import form_errors, page_errors, refused
from prosumo.core.replica import replica_reads
from prosumo.ideas import selectors, services
from prosumo.ideas.forms import (
    AttachmentForm,
    CampaignForm,
    CoAuthorForm,
    CommentEditForm,
    CommentForm,
    FlagForm,
    IdeaForm,
    IdeaListForm,
    InviteForm,
    MergeForm,
    ModerationForm,
    ReviewForm,
    RevisionForm,
    SimilarForm,
    StageForm,
    StageMoveForm,
)
from prosumo.ideas.models import Campaign, Stage, Visibility
from prosumo.ideas.permissions import access_campaign, access_idea, can_edit_idea
from prosumo.ideas.services.reviews import DEFAULT_CRITERIA
from prosumo.ideas.services.stages import allowed_moves


@replica_reads
@page_errors(back="campaign")
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    filters = IdeaListForm(request.GET)
    campaign = access_campaign(request.user, slug)
    if not filters.is_valid():
        messages.error(request, form_problems(filters))
        return redirect("campaign", slug=slug)
    order = filters.cleaned_data["order"] or "hot"
    page = selectors.idea_list(
        viewer=request.user,
        campaign=campaign,
        order=order,
        stage=filters.cleaned_data["stage"] or None,
        tag=filters.cleaned_data["tag"] or None,
        query=filters.cleaned_data["q"] or None,
        page=filters.cleaned_data["page"] or 1,
    )
    return render(
        request,
        "ideas/campaign.html",
        {
            "campaign": campaign,
            "brief": render_markdown(campaign.brief),
            "page": page,
            "order": order,
            "orders": ["hot", "new", "top", "trending"],
            "stages": Stage.choices,
            "q": filters.cleaned_data["q"],
        },
    )


@login_required
@rate_limited("idea")
@page_errors()
def idea_submit(request: MemberRequest, slug: str) -> HttpResponse:
    campaign = access_campaign(request.user, slug)
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            idea = services.idea_submit(
                actor=request.user,
                campaign_id=campaign.pk,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=form.tag_list(),
                licence=form.cleaned_data["licence"],
                accept_terms=form.cleaned_data["accept_terms"],
            )
            messages.success(request, _("Your idea is in. Thank you!"))
            return redirect("idea", idea_id=idea.pk)
    status = 400 if request.method == "POST" else 200
    context = {"campaign": campaign, "form": form, **contribution_context(request.user, campaign)}
    return render(request, "ideas/submit.html", context, status=status)


@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    """The htmx partial beside the submit form: similar ideas to what the member is typing."""
    form = SimilarForm(request.GET)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {"title": "", "body": "", "campaign": None}
    text = f"{data['title']} {data['body']}"[:2000]
    ideas = []
    if len(text.strip()) >= 4:
        ideas = selectors.similar_ideas(viewer=request.user, text=text, campaign_id=data["campaign"])
    return render(request, "ideas/_similar.html", {"similar": ideas})


@replica_reads
@page_errors()
def idea_detail(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = access_idea(request.user, idea_id)
    if idea.merged_into_id and idea.stage == Stage.MERGED:
        messages.info(request, _("This idea was merged into another; here it is."))
    if request.user.is_authenticated:
        presence_record(
            member_id=request.user.pk,
            verb="idea.viewed",
            object_type="idea",
            object_id=idea.pk,
            campaign_id=idea.campaign_id,
            channel=request.user.channel,
        )
    page = selectors.idea_page(idea=idea, member=request.user)
    criteria = idea.campaign.scorecard_criteria or DEFAULT_CRITERIA
    threshold = idea.campaign.support_threshold
    return render(
        request,
        "ideas/idea.html",
        {
            "idea": idea,
            "page": page,
            "body_html": render_markdown(idea.body),
            "comments": [(c, d, render_markdown(c.body)) for c, d in selectors.comment_tree(page.comments)],
            "comment_form": CommentForm(),
            "stage_form": StageForm(initial={"to_stage": (allowed_moves(idea) or [""])[0]}),
            "allowed_moves": [(s, idea.campaign.stage_label(s)) for s in allowed_moves(idea)],
            "merge_form": MergeForm(),
            "flag_form": FlagForm(),
            "review_form": ReviewForm(criteria=criteria),
            "coauthor_form": CoAuthorForm(),
            "attachment_form": AttachmentForm(),
            "can_edit": can_edit_idea(request.user, idea),
            "can_review": can_review(request.user),
            "can_moderate": can_moderate(request.user),
            "pending_invite": page.invitation,
            "threshold": threshold,
            "progress": min(100, round(100 * idea.support_count / threshold)) if threshold else None,
            "stage_label": idea.campaign.stage_label(idea.stage),
            "attachments": page.attachments,
            "revision_count": idea.revision,
            # The comment forms ask for the current contribution terms until the member accepts them.
            **(terms_context(request.user) if request.user.is_authenticated else {}),
        },
    )


@require_GET
@page_errors()
def idea_attachment(request: HttpRequest, idea_id: int, attachment_id: int) -> HttpResponseBase:
    """An idea's file, for whoever may read the idea (the idea page's own rule), and for nobody else."""
    idea = access_idea(request.user, idea_id)
    attachment = selectors.idea_attachment(idea=idea, attachment_id=attachment_id)
    return file_response(
        name=attachment.file.name, content_type=attachment.content_type, download_name=attachment.original_name
    )


@require_GET
@page_errors()
def campaign_cover(request: HttpRequest, slug: str) -> HttpResponseBase:
    """A campaign's cover image, for whoever may see the campaign; public only for a published public campaign."""
    campaign = access_campaign(request.user, slug)
    name = campaign.cover.name or ""
    return file_response(
        name=name,
        content_type=mimetypes.guess_type(name)[0] or "",
        download_name=f"{campaign.slug}-cover{PurePath(name).suffix}",
        public=campaign.is_published and campaign.visibility == Visibility.PUBLIC,
    )


def _idea_page(anchor: str = "") -> Callable[..., str]:
    """Where an action posted from an idea's page goes back to: that page, at `anchor` (the view's ids filled in)."""

    def address(request: HttpRequest, idea_id: int, **ids: int) -> str:
        return reverse("idea", args=[idea_id]) + anchor.format(**ids)

    return address


def _done(request: HttpRequest, idea_id: int, message: str, anchor: str = "") -> HttpResponse:
    """Back to the idea's page after an action, saying what was done."""
    messages.success(request, message)
    return redirect(reverse("idea", args=[idea_id]) + anchor)


def _refused(request: HtmxRequest, idea_id: int, message: str, anchor: str = "") -> HttpResponse:
    """Back to the idea page with the reason a POST from it was refused (for htmx, the reason alone)."""
    return refused(request, message, reverse("idea", args=[idea_id]) + anchor)


@login_required
@require_POST
@rate_limited("vote")
@page_errors(back=_idea_page())
def idea_vote(request: MemberRequest, idea_id: int) -> HttpResponse:
    try:
        value = int(request.POST.get("value", "1"))
    except ValueError:
        return HttpResponseBadRequest(_("A vote is a number."))
    services.vote_cast(actor=request.user, idea_id=idea_id, value=value)
    return _done(request, idea_id, _("Your vote counts."))


@login_required
@require_POST
@rate_limited("vote")
@page_errors(back=_idea_page())
def idea_unvote(request: MemberRequest, idea_id: int) -> HttpResponse:
    services.vote_withdraw(actor=request.user, idea_id=idea_id)
    return _done(request, idea_id, _("Your vote is withdrawn."))


@login_required
@require_POST
@page_errors(back=_idea_page())
def idea_withdraw_carried(request: MemberRequest, idea_id: int) -> HttpResponse:
    services.merged_support_withdraw(actor=request.user, target_id=idea_id)
    return _done(request, idea_id, _("Your carried support is withdrawn."))


@login_required
@require_POST
@page_errors(back=_idea_page())
def idea_follow(request: MemberRequest, idea_id: int) -> HttpResponse:
    if request.POST.get("follow") == "0":
        services.idea_unfollow(actor=request.user, idea_id=idea_id)
        return _done(request, idea_id, _("You no longer follow this idea."))
    services.idea_follow(actor=request.user, idea_id=idea_id)
    return _done(request, idea_id, _("You follow this idea."))


@login_required
@require_POST
@rate_limited("comment")
@page_errors(back=_idea_page("#comments"))
def comment_post(request: MemberRequest, idea_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    if not form.is_valid():
        empty = form.has_error("body", "required")
        messages.error(request, _("Write something before posting.") if empty else form_problems(form))
        return redirect(reverse("idea", args=[idea_id]) + "#comments")
    data = form.cleaned_data
    services.comment_post(
        actor=request.user,
        idea_id=idea_id,
        body=data["body"],
        parent_id=data.get("parent_id"),
        builds_on=data.get("builds_on", False),
        accept_terms=data.get("accept_terms"),
    )
    return _done(request, idea_id, _("Comment posted."), "#comments")


@login_required
@require_POST
@page_errors(back=_idea_page("#comment-{comment_id}"))
def comment_edit(request: MemberRequest, idea_id: int, comment_id: int) -> HttpResponse:
    form = CommentEditForm(request.POST)
    if not form.is_valid():
        return _refused(request, idea_id, form_problems(form), f"#comment-{comment_id}")
    services.comment_edit(actor=request.user, comment_id=comment_id, body=form.cleaned_data["body"])
    return _done(request, idea_id, _("Comment saved; the earlier text stays in its history."), f"#comment-{comment_id}")


@login_required
@require_POST
@page_errors(back=_idea_page())
def stage_change(request: MemberRequest, idea_id: int) -> HttpResponse:
    form = StageMoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, idea_id, form_problems(form))
    data = form.cleaned_data
    services.stage_change(
        actor=request.user,
        idea_id=idea_id,
        to_stage=data["to_stage"],
        message=data["message"],
        reason_id=data["reason_id"],
    )
    return _done(request, idea_id, _("The idea moved, and its contributors were told."))


@login_required
@require_POST
@page_errors(back=_idea_page())
def idea_merge(request: MemberRequest, idea_id: int) -> HttpResponse:
    form = MergeForm(request.POST)
    if not form.is_valid():
        missing = form.has_error("target_id", "required") or form.has_error("message", "required")
        messages.error(
            request,
            _("Give the number of the idea to merge into, and a message.") if missing else form_problems(form),
        )
        return redirect("idea", idea_id=idea_id)
    services.idea_merge(
        actor=request.user,
        source_id=idea_id,
        target_id=form.cleaned_data["target_id"],
        message=form.cleaned_data["message"],
    )
    return _done(
        request, form.cleaned_data["target_id"], _("Merged. Supporters were told and may withdraw their support.")
    )


@login_required
@require_POST
@rate_limited("flag")
@page_errors(back=_idea_page())
def idea_flag(request: MemberRequest, idea_id: int) -> HttpResponse:
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return _refused(request, idea_id, form_problems(form))
    services.flag_create(
        actor=request.user,
        kind=form.cleaned_data["kind"] or "idea",
        object_id=form.cleaned_data["object_id"] or idea_id,
        reason=form.cleaned_data["reason"],
    )
    return _done(request, idea_id, _("Thank you. A moderator will look at it."))


@login_required
@require_POST
@page_errors(back=_idea_page())
def content_visibility(request: MemberRequest, idea_id: int) -> HttpResponse:
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return _refused(request, idea_id, form_problems(form))
    kind = form.cleaned_data["kind"] or "idea"
    object_id = form.cleaned_data["object_id"] or idea_id
    reason = form.cleaned_data["reason"]
    if request.POST.get("hide") == "1":
        services.content_hide(actor=request.user, kind=kind, object_id=object_id, reason=reason)
        return _done(request, idea_id, _("Hidden."))
    services.content_restore(actor=request.user, kind=kind, object_id=object_id, reason=reason)
    return _done(request, idea_id, _("Restored."))


@login_required
@require_POST
@page_errors(back=_idea_page())
def idea_review(request: MemberRequest, idea_id: int) -> HttpResponse:
    idea = access_idea(request.user, idea_id)
    criteria = idea.campaign.scorecard_criteria or DEFAULT_CRITERIA
    form = ReviewForm(request.POST, criteria=criteria)
    if not form.is_valid():
        messages.error(request, _("Score every criterion from 1 to 5."))
        return redirect("idea", idea_id=idea_id)
    scores = {c: form.cleaned_data[c] for c in criteria}
    services.review_submit(actor=request.user, idea_id=idea_id, scores=scores, note=form.cleaned_data.get("note", ""))
    return _done(request, idea_id, _("Scorecard saved."))


@login_required
@require_POST
@page_errors(back=_idea_page())
def coauthor_invite(request: MemberRequest, idea_id: int) -> HttpResponse:
    """Invite a co-author by address; the answer never says whether the address has an account."""
    form = CoAuthorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give an email address and a share between 1 and 99."))
        return redirect("idea", idea_id=idea_id)
    email = form.cleaned_data["email"]
    services.coauthor_invite_by_email(
        actor=request.user, idea_id=idea_id, email=email, share=form.cleaned_data["share"]
    )
    return _done(request, idea_id, _("Invitation sent to %(email)s.") % {"email": email})


@login_required
@require_POST
@page_errors(back=_idea_page())
def coauthor_respond(request: MemberRequest, idea_id: int, coauthor_id: int) -> HttpResponse:
    accept = request.POST.get("accept") == "1"
    services.coauthor_respond(actor=request.user, coauthor_id=coauthor_id, accept=accept)
    return _done(request, idea_id, _("You are now a co-author.") if accept else _("Invitation declined."))


@login_required
@require_POST
@page_errors(back=_idea_page())
def attachment_add(request: MemberRequest, idea_id: int) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("idea", idea_id=idea_id)
    services.attachment_add(actor=request.user, idea_id=idea_id, upload=form.cleaned_data["file"])
    return _done(request, idea_id, _("File attached."))


@login_required
@page_errors()
def idea_revise(request: MemberRequest, idea_id: int) -> HttpResponse:
    idea = access_idea(request.user, idea_id)
    if not can_edit_idea(request.user, idea):
        raise NotFound(_("No such idea."))
    form = RevisionForm(request.POST or None, initial={"title": idea.title, "body": idea.body})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.idea_revise(actor=request.user, idea_id=idea.pk, **form.cleaned_data)
            return _done(request, idea.pk, _("Revision saved."))
    status = 400 if request.method == "POST" else 200
    return render(request, "ideas/revise.html", {"idea": idea, "form": form}, status=status)


def _word_diff(before: str, after: str) -> str:
    a, b = before.split(), after.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out))  # noqa: S308 - every piece is escaped above


@page_errors()
def idea_revisions(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = access_idea(request.user, idea_id)
    revisions = selectors.idea_revisions(idea)
    pairs = []
    for previous, current in itertools.pairwise(revisions):
        pairs.append(
            {
                "revision": current,
                "title": _word_diff(previous.title, current.title),
                "body": _word_diff(previous.body, current.body),
            }
        )
    return render(
        request,
        "ideas/revisions.html",
        {"idea": idea, "first": revisions[0] if revisions else None, "pairs": pairs[::-1]},
    )


# --- staff ------------------------------------------------------------------------


@login_required
@page_errors()
def staff_queue(request: MemberRequest) -> HttpResponse:
    require_staff_page(request.user)
    return render(request, "staff/queue.html", {"ideas": selectors.answer_queue()})


@login_required
@page_errors()
def staff_duplicates(request: MemberRequest) -> HttpResponse:
    require_staff_page(request.user)
    pairs = selectors.possible_duplicates(viewer=request.user)
    return render(request, "staff/duplicates.html", {"pairs": pairs, "can_review": can_review(request.user)})


@login_required
@require_POST
@page_errors(back=lambda request, **_kwargs: reverse("staff_duplicates"))
def staff_duplicate_dismiss(request: MemberRequest, idea_id: int, other_id: int) -> HttpResponse:
    require_staff_page(request.user)
    services.duplicate_dismiss(actor=request.user, idea_id=idea_id, other_id=other_id)
    messages.success(request, _("Marked as not duplicates: this pair will not be shown again."))
    return redirect("staff_duplicates")


@login_required
@page_errors()
def staff_moderation(request: MemberRequest) -> HttpResponse:
    if not can_moderate(request.user):
        raise NotFound(_("Not found."))
    page = selectors.moderation_page()
    return render(request, "staff/moderation.html", {"flags": page.flags, "audit": page.audit})


@login_required
@rate_limited("invitation")
@page_errors()
def staff_invite(request: MemberRequest) -> HttpResponse:
    """Staff invite people by email, to the community or to one invitation-only campaign.

    It stays in ideas: the form offers the invitation-only campaigns, the service records
    the campaign with the invitation, and the list shows each invitation's campaign. A
    registration could lend community a form field, but not the campaign's rule (staff only).
    """
    require_staff_page(request.user)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            campaign = form.cleaned_data.get("campaign")
            with form_errors(form):
                services.invitation_create(
                    actor=request.user, email=form.cleaned_data["email"], campaign_id=campaign.pk if campaign else None
                )
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("staff_invite")
    invitations = selectors.invitations_latest()
    return render(request, "staff/invite.html", {"form": form, "invitations": invitations}, status=status)


@replica_reads
def campaigns_index(request: HttpRequest) -> HttpResponse:
    return render(request, "ideas/campaigns.html", {"campaigns": selectors.campaigns_with_open_ideas(request.user)})


# --- staff: campaigns -------------------------------------------------------------------


def _admins_only(request: HttpRequest) -> None:
    """Campaign set-up is for admins: other staff get 403; members, as on every staff page, 404."""
    require_staff_page(request.user)
    if not can_manage_campaigns(request.user):
        raise PermissionDenied(_("You do not have permission to do that."))


def campaign_status(campaign: Campaign, now: datetime) -> tuple[str, str]:
    """Where a campaign stands: draft (unpublished), upcoming, running or ended; a key and its label."""
    if not campaign.is_published:
        return "draft", _("Draft")
    if campaign.starts_at > now:
        return "upcoming", _("Upcoming")
    if campaign.ends_at is not None and campaign.ends_at <= now:
        return "ended", _("Ended")
    return "running", _("Running")


@login_required
@page_errors()
def staff_campaigns(request: MemberRequest) -> HttpResponse:
    _admins_only(request)
    campaigns = selectors.campaigns_with_waiting(request.user)
    now = timezone.now()
    return render(request, "staff/campaigns.html", {"rows": [(c, *campaign_status(c, now)) for c in campaigns]})


@login_required
@page_errors()
def staff_campaign_edit(request: MemberRequest, campaign_id: int | None = None) -> HttpResponse:
    """Create a campaign (no id) or change one, through the campaign services."""
    _admins_only(request)
    campaign = None
    if campaign_id is not None:
        campaign = access_campaign(request.user, campaign_id)
    initial = None if campaign else {"starts_at": timezone.now().replace(second=0, microsecond=0)}
    posted = request.method == "POST"
    form = CampaignForm(
        request.POST if posted else None, request.FILES if posted else None, campaign=campaign, initial=initial
    )
    if posted and form.is_valid():
        with form_errors(form):
            if campaign is None:
                created = services.campaign_create(actor=request.user, **form.service_fields())
                done = _("Campaign “%(title)s” created.") % {"title": created.title}
            elif changes := form.changes():
                services.campaign_update(actor=request.user, campaign=campaign, **changes)
                done = _("Campaign “%(title)s” saved.") % {"title": campaign.title}
            else:
                done = _("Nothing changed.")
            messages.success(request, done)
            return redirect("staff_campaigns")
    return render(
        request, "staff/campaign_form.html", {"form": form, "campaign": campaign}, status=400 if posted else 200
    )


@login_required
@require_POST
@page_errors()
def staff_campaign_preview(request: MemberRequest) -> HttpResponse:
    """The htmx partial under the brief: the Markdown as the campaign page will show it."""
    _admins_only(request)
    return HttpResponse(render_markdown(request.POST.get("brief", "")[:20_000]))
