"""The ideas pages: campaigns, ideas and everything done on an idea's page, and the staff pages for them.

The staff's invitation form lives here too, not in community: an invitation may open an
invitation-only campaign, so the form lists campaigns and saves through this app's service
(`staff_invite`). A member's profile and an invitation's link are community's pages; this
app adds its part to them from its apps.py.

Each view parses input, checks access, calls one service or selector, and renders.
"""

from __future__ import annotations

import itertools
import mimetypes
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from prosumo.activity.services import presence_record
from prosumo.community import selectors as community_selectors
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
from prosumo.core.input import id_in_range
from prosumo.core.markdown import markdown_text, render_markdown
from prosumo.core.pages import form_errors, page_errors, refused
from prosumo.core.replica import replica_reads
from prosumo.ideas import selectors, services
from prosumo.ideas.diff import text_diff
from prosumo.ideas.forms import (
    AmendmentAcceptForm,
    AmendmentChangesForm,
    AmendmentForm,
    AmendmentRejectForm,
    AttachmentForm,
    CampaignForm,
    CoAuthorForm,
    CommentEditForm,
    CommentForm,
    FlagForm,
    IdeaForm,
    IdeaListForm,
    InviteForm,
    MembersInviteForm,
    MergeForm,
    ModerationForm,
    ReviewForm,
    RevisionForm,
    SearchForm,
    SimilarForm,
    StageForm,
    StageMoveForm,
)
from prosumo.ideas.models import Campaign, Stage, Visibility
from prosumo.ideas.permissions import (
    access_campaign,
    access_idea,
    can_decide_amendment,
    can_edit_idea,
    check_takes_ideas,
)
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
    order, fell_back = selectors.list_order(filters.cleaned_data["order"] or selectors.DEFAULT_ORDER)
    if fell_back:
        messages.info(request, _("No opinion groups have been computed yet, so the ideas are in the usual order."))
    page = selectors.idea_list(
        viewer=request.user,
        campaign=campaign,
        order=order,
        stage=filters.cleaned_data["stage"] or None,
        tag=filters.cleaned_data["tag"] or None,
        query=filters.cleaned_data["q"] or None,
        page=filters.cleaned_data["page"] or 1,
        hide_declined=True,
        cards=True,
    )
    return render(
        request,
        "ideas/campaign.html",
        {
            "campaign": campaign,
            "status": campaign_status(campaign, timezone.now()),
            "takes_ideas": campaign.takes_ideas(),
            "brief": render_markdown(campaign.brief),
            "page": page,
            "order": order,
            "orders": ["hot", "new", "top", "trending", selectors.CONSENSUS],
            "marks": selectors.opinion_marks(ideas=page.object_list, viewer=request.user),
            "stages": Stage.choices,
            "q": filters.cleaned_data["q"],
            "tag": (filters.cleaned_data["tag"] or "").lower(),
        },
    )


@require_GET
@page_errors(back="search")
def site_search(request: HttpRequest) -> HttpResponse:
    """The header's search box: ideas of every campaign the reader may see, best match first."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = (
        selectors.idea_search(viewer=request.user, query=query, page=form.cleaned_data["page"] or 1) if query else None
    )
    status = 200 if form.is_valid() else 400
    return render(request, "ideas/search.html", {"form": form, "site_search": query, "found": found}, status=status)


@login_required
@rate_limited("idea")
@page_errors(back="campaign")
def idea_submit(request: MemberRequest, slug: str) -> HttpResponse:
    # An ended (or not yet started) campaign is refused before the member writes anything.
    campaign = check_takes_ideas(access_campaign(request.user, slug))
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
    images, files = selectors.idea_images(page.attachments)
    return render(
        request,
        "ideas/idea.html",
        {
            "idea": idea,
            "page": page,
            "body_html": render_markdown(idea.body),
            "comments": [(c, d, render_markdown(c.body)) for c, d in selectors.comment_tree(page.comments)],
            "comment_form": CommentForm(),
            # Each form's fields get ids of their own: the stage and merge forms both have a message.
            "stage_form": StageForm(initial={"to_stage": (allowed_moves(idea) or [""])[0]}, auto_id="stage-%s"),
            "allowed_moves": [(s, idea.campaign.stage_label(s)) for s in allowed_moves(idea)],
            "timeline": [(change, idea.campaign.stage_label(change.to_stage)) for change in page.timeline],
            "merge_form": MergeForm(auto_id="merge-%s"),
            "merge_targets": selectors.merge_targets(idea=idea, member=request.user)
            if can_review(request.user)
            else [],
            "flag_form": FlagForm(auto_id="flag-%s"),
            "review_form": ReviewForm(criteria=criteria, auto_id="review-%s"),
            "coauthor_form": CoAuthorForm(auto_id="coauthor-%s"),
            "attachment_form": AttachmentForm(auto_id="attachment-%s"),
            "can_edit": can_edit_idea(request.user, idea),
            "can_review": can_review(request.user),
            "can_moderate": can_moderate(request.user),
            "pending_invite": page.invitation,
            "threshold": threshold,
            "progress": min(100, round(100 * idea.support_count / threshold)) if threshold else None,
            "stage_label": idea.campaign.stage_label(idea.stage),
            "attachments": page.attachments,
            "images": images,
            "files": files,
            "tags": page.tags,
            "revision_count": idea.revision,
            "opinions": selectors.idea_opinions(idea=idea, viewer=request.user),
            "amendments": selectors.idea_amendments(idea),
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
    missing = not (form.data.get("target") or form.data.get("target_id")) or not form.data.get("message")
    if missing or not form.is_valid():
        messages.error(
            request,
            _("Choose the idea to merge into, and write a message.") if missing else form_problems(form),
        )
        return redirect("idea", idea_id=idea_id)
    target_id = form.cleaned_data["target_id"] or selectors.merge_target_named(
        idea=access_idea(request.user, idea_id), member=request.user, text=form.cleaned_data["target"]
    )
    services.idea_merge(
        actor=request.user, source_id=idea_id, target_id=target_id, message=form.cleaned_data["message"]
    )
    return _done(request, target_id, _("Merged. Supporters were told and may withdraw their support."))


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
        missing = form.missing()
        messages.error(
            request,
            _("Nothing was saved. Give a score from 1 to 5 to: %(names)s.") % {"names": ", ".join(missing)}
            if missing
            else _("Score every criterion from 1 to 5."),
        )
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


@login_required
@page_errors()
def idea_amend(request: MemberRequest, idea_id: int) -> HttpResponse:
    """Propose a change to someone else's idea: its current text to edit, sent to its author."""
    idea = access_idea(request.user, idea_id)
    initial = {"title": idea.title, "body": idea.body, "base_revision": idea.revision}
    form = AmendmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            amendment = services.amendment_propose(actor=request.user, idea_id=idea.pk, **form.cleaned_data)
            messages.success(request, _("Your amendment is proposed. The author has been told."))
            return redirect("idea_amendment", idea_id=idea.pk, amendment_id=amendment.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "ideas/amend.html", {"idea": idea, "form": form}, status=status)


@page_errors()
def idea_amendment(request: HttpRequest, idea_id: int, amendment_id: int) -> HttpResponse:
    """One amendment: the change as a diff against the text it was written for, and what its author and amender may do."""
    idea = access_idea(request.user, idea_id)
    amendment = selectors.idea_amendment(idea=idea, amendment_id=amendment_id)
    before = selectors.idea_revision(idea=idea, number=amendment.base_revision)
    is_amender = request.user.is_authenticated and amendment.amender_id == request.user.pk
    update = AmendmentForm(
        initial={
            "title": amendment.title,
            "body": amendment.body,
            "note": amendment.note,
            "base_revision": idea.revision,
        }
    )
    return render(
        request,
        "ideas/amendment.html",
        {
            "idea": idea,
            "amendment": amendment,
            "title_diff": text_diff(before.title, amendment.title),
            "body_diff": text_diff(before.body, amendment.body),
            "out_of_date": amendment.is_open and amendment.base_revision != idea.revision,
            "can_decide": amendment.is_open and can_decide_amendment(request.user, idea),
            "can_update": amendment.is_open and is_amender,
            "accept_form": AmendmentAcceptForm(),
            "reject_form": AmendmentRejectForm(),
            "changes_form": AmendmentChangesForm(),
            "update_form": update,
        },
    )


def _amendment_page(request: HttpRequest, idea_id: int, amendment_id: int) -> str:
    return reverse("idea_amendment", args=[idea_id, amendment_id])


@login_required
@require_POST
@page_errors(back=_amendment_page)
def amendment_decide(request: MemberRequest, idea_id: int, amendment_id: int) -> HttpResponse:
    """The author's decision, posted from the amendment's page: accept, reject or ask for changes."""
    decision = request.POST.get("decision")
    done = {
        "accept": _("Amendment accepted: it is now the idea's latest revision."),
        "reject": _("Amendment rejected. The amender has been told."),
        "changes": _("You asked for changes. The amender has been told."),
    }
    if decision == "accept":
        form: AmendmentAcceptForm | AmendmentRejectForm | AmendmentChangesForm = AmendmentAcceptForm(request.POST)
    elif decision == "reject":
        form = AmendmentRejectForm(request.POST)
    elif decision == "changes":
        form = AmendmentChangesForm(request.POST)
    else:
        return HttpResponseBadRequest(_("Choose accept, reject or ask for changes."))
    if not form.is_valid():
        messages.error(request, form_problems(form))
        return redirect("idea_amendment", idea_id=idea_id, amendment_id=amendment_id)
    data = form.cleaned_data
    if decision == "accept":
        services.amendment_accept(actor=request.user, amendment_id=amendment_id, share=data["share"])
    elif decision == "reject":
        services.amendment_reject(actor=request.user, amendment_id=amendment_id, reason=data["reason"])
    else:
        services.amendment_request_changes(actor=request.user, amendment_id=amendment_id, message=data["message"])
    messages.success(request, done[decision])
    return redirect("idea_amendment", idea_id=idea_id, amendment_id=amendment_id)


@login_required
@require_POST
@page_errors(back=_amendment_page)
def amendment_update(request: MemberRequest, idea_id: int, amendment_id: int) -> HttpResponse:
    """The amender rewrites their open amendment, against the idea's current text."""
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problems(form))
        return redirect("idea_amendment", idea_id=idea_id, amendment_id=amendment_id)
    services.amendment_update(actor=request.user, amendment_id=amendment_id, **form.cleaned_data)
    messages.success(request, _("Amendment updated. The author has been told."))
    return redirect("idea_amendment", idea_id=idea_id, amendment_id=amendment_id)


@page_errors()
def idea_revisions(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = access_idea(request.user, idea_id)
    revisions = selectors.idea_revisions(idea)
    pairs = []
    for previous, current in itertools.pairwise(revisions):
        pairs.append(
            {
                "revision": current,
                "title": text_diff(previous.title, current.title),
                # The words as they read (no Markdown markup), so the change is what a reader sees.
                "body": text_diff(markdown_text(previous.body), markdown_text(current.body)),
                "rendered": render_markdown(current.body),
            }
        )
    return render(
        request,
        "ideas/revisions.html",
        {
            "idea": idea,
            "first": revisions[0] if revisions else None,
            "first_rendered": render_markdown(revisions[0].body) if revisions else "",
            "pairs": pairs[::-1],
        },
    )


# --- staff ------------------------------------------------------------------------


@login_required
@page_errors()
def staff_queue(request: MemberRequest) -> HttpResponse:
    require_staff_page(request.user)
    ideas = selectors.answer_queue()
    marks = selectors.opinion_marks(ideas=ideas, viewer=request.user)
    return render(request, "staff/queue.html", {"ideas": ideas, "marks": marks})


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
@require_POST
@page_errors(back=lambda request, **_kwargs: reverse("staff_moderation"))
def staff_flag_dismiss(request: MemberRequest, flag_id: int) -> HttpResponse:
    if not can_moderate(request.user):
        raise NotFound(_("Not found."))
    services.flag_dismiss(actor=request.user, flag_id=flag_id)
    messages.success(request, _("Report dismissed: the content stays as it is."))
    return redirect("staff_moderation")


@login_required
@page_errors()
def staff_moderation(request: MemberRequest) -> HttpResponse:
    if not can_moderate(request.user):
        raise NotFound(_("Not found."))
    page = selectors.moderation_page()
    return render(request, "staff/moderation.html", {"flags": page.flags, "audit": page.audit})


def _member_ids(values: list[str]) -> list[int]:
    """The member ids a list of query values names, in order, once each; what is not an id is left out."""
    ids = [int(v) for v in values if v.isdigit() and id_in_range(int(v))]
    return list(dict.fromkeys(ids))


@login_required
@rate_limited("invitation")
@page_errors()
def staff_invite(request: MemberRequest) -> HttpResponse:
    """Staff invite people by email, to the community or to one invitation-only campaign; or invite members.

    It stays in ideas: the form offers the invitation-only campaigns, the service records
    the campaign with the invitation, and the list shows each invitation's campaign. A
    registration could lend community a form field, but not the campaign's rule (staff only).

    ``?member=1&member=2`` (the Insights invitation ranking's link, with ``&campaign=``
    when the ranking was for one campaign) lists those members by name, each ticked, to
    invite with a personal note (`members_invite`).
    """
    require_staff_page(request.user)
    chosen = request.POST.get("form") == "members"
    form = InviteForm(request.POST if request.method == "POST" and not chosen else None)
    ids = _member_ids(request.POST.getlist("member") if chosen else request.GET.getlist("member"))
    members_form = None
    if ids:
        names = [(pk, m.name) for pk, m in sorted(community_selectors.members_by_id(ids).items())]
        asked = request.GET.get("campaign", "")
        initial = {"member": [str(pk) for pk, _name in names], "campaign": asked if asked.isdigit() else None}
        members_form = MembersInviteForm(request.POST if chosen else None, members=names, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if chosen and members_form is not None and members_form.is_valid():
            campaign = members_form.cleaned_data.get("campaign")
            with form_errors(members_form):
                invited = services.members_invite(
                    actor=request.user,
                    member_ids=[int(v) for v in members_form.cleaned_data["member"]],
                    campaign_id=campaign.pk if campaign else None,
                    note=members_form.cleaned_data["note"],
                )
                messages.success(
                    request,
                    ngettext(
                        "Invitation sent to %(count)d member.", "Invitation sent to %(count)d members.", len(invited)
                    )
                    % {"count": len(invited)},
                )
                return redirect("staff_invite")
        elif chosen and members_form is None:
            messages.error(request, _("Choose at least one member to invite."))
        elif not chosen and form.is_valid():
            campaign = form.cleaned_data.get("campaign")
            with form_errors(form):
                sent = services.invitations_create(
                    actor=request.user,
                    emails=form.cleaned_data["email"],
                    campaign_id=campaign.pk if campaign else None,
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": ", ".join(i.email for i in sent)}
                )
                return redirect("staff_invite")
    invitations = selectors.invitations_latest()
    return render(
        request,
        "staff/invite.html",
        {"form": form, "members_form": members_form, "invitations": invitations},
        status=status,
    )


@replica_reads
def campaigns_index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    campaigns = selectors.campaigns_with_open_ideas(request.user)
    return render(request, "ideas/campaigns.html", {"rows": [(c, *campaign_status(c, now)) for c in campaigns]})


# --- staff: campaigns -------------------------------------------------------------------


def _admins_only(request: HttpRequest) -> None:
    """Campaign set-up is for admins: other staff get 403; members, as on every staff page, 404."""
    require_staff_page(request.user)
    if not can_manage_campaigns(request.user):
        raise PermissionDenied(_("You do not have permission to do that."))


def campaign_status(campaign: Campaign, now: datetime) -> tuple[str, str]:
    """Where a campaign stands (`Campaign.status`): a key and its label."""
    status = campaign.status(now)
    labels = {"draft": _("Draft"), "upcoming": _("Upcoming"), "ended": _("Ended"), "running": _("Running")}
    return status, labels[status]


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
@page_errors()
def staff_translations(request: MemberRequest) -> HttpResponse:
    """What staff-written content lacks a language: campaign texts, renamed stages, decline reasons."""
    _admins_only(request)
    names = dict(settings.LANGUAGES)
    rows = []
    for item in selectors.missing_translations():
        if item.part.startswith("stage:"):
            part = _("Stage “%(stage)s”") % {"stage": Stage(item.part.removeprefix("stage:")).label}
        else:
            part = {"title": _("Title"), "brief": _("Brief"), "label": _("Decline reason")}[item.part]
        if item.kind == "campaign":
            url = reverse("staff_campaign_edit", args=[item.object_id])
        else:
            url = reverse("admin:ideas_declinereason_change", args=[item.object_id])
        rows.append((item, part, ", ".join(str(names[c]) for c in item.languages), url))
    return render(request, "staff/translations.html", {"rows": rows})


@login_required
@require_POST
@page_errors()
def staff_campaign_preview(request: MemberRequest) -> HttpResponse:
    """The htmx partial under the brief: the Markdown as the campaign page will show it."""
    _admins_only(request)
    return HttpResponse(render_markdown(request.POST.get("brief", "")[:20_000]))
