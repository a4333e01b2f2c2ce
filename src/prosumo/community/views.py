"""The members' pages: a member's profile, one's own profile form, an invitation's link, and the staff pages for members.

The profile shows the member's ideas and the invitation page what an invitation offers
besides joining: those parts come from the apps above, which register them in their
AppConfig.ready() (`selectors.profile_part_register`, `selectors.invitation_part_register`,
`services.invitation_take_up_register`; docs/architecture.md, "Turning dependencies around").
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from prosumo.community import imports as customer_imports
from prosumo.community import selectors, services
from prosumo.community.forms import ImportForm, ProfileForm, SuspendForm
from prosumo.community.http import MemberRequest
from prosumo.community.permissions import access_customer_import, require_staff_page
from prosumo.core.forms import form_problems
from prosumo.core.pages import form_errors, page_errors


@page_errors()
def member_profile(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's public profile, with what each app above shows of them to this viewer."""
    return render(request, "community/profile.html", selectors.profile_page(member_id=member_id, viewer=request.user))


@page_errors(back=lambda request, token: reverse("home"))
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: it belongs to the address it was sent to.

    A visitor goes on to sign up with that address (or to sign in, when it already has an
    account); a signed-in member whose address it is accepts it with a button; anyone else
    signed in is told it is not theirs (docs/security.md, "Invitations").
    """
    invite = selectors.invitation_open(token)
    if not request.user.is_authenticated:
        request.session["invitation_token"] = token
        request.session["channel"] = "invite"
        if selectors.member_with_address(invite.email) is not None:
            messages.info(request, _("Sign in to accept the invitation."))
            return redirect(f"{reverse('account_login')}?next={reverse('invitation', args=[token])}")
        # Holding the link proves the address: the sign-up form takes it and needs no confirmation email.
        get_account_adapter(request).stash_verified_email(request, invite.email)
        return redirect("account_signup")
    member = request.user
    if not services.invitation_addressed_to(invite, member):
        return render(request, "community/invitation.html", {"invite": invite, "theirs": False}, status=403)
    if request.method == "POST":
        accepted = services.invitation_take_up(invitation=invite, member=member)
        messages.success(request, _("Invitation accepted."))
        return redirect(accepted.destination())
    context = {"invite": invite, "theirs": True, **selectors.invitation_page(invite)}
    return render(request, "community/invitation.html", context)


@login_required
def profile_edit(request: MemberRequest) -> HttpResponse:
    member = request.user
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        instance=member,
        initial={"interests_text": ", ".join(member.interests), "avatar": member.avatar},
    )
    if request.method == "POST" and form.is_valid():
        changes: dict[str, Any] = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
        changes["interests"] = [t.strip() for t in form.cleaned_data.get("interests_text", "").split(",") if t.strip()]
        avatar = form.cleaned_data.get("avatar")
        if avatar is False:  # "Clear" ticked
            changes["avatar"] = None
        elif isinstance(avatar, UploadedFile):
            changes["avatar"] = avatar
        with form_errors(form):
            services.member_update_profile(member=member, **changes)
            messages.success(request, _("Profile saved."))
            return redirect("profile_edit")
    return render(
        request,
        "community/profile_edit.html",
        {"form": form, "tokens": selectors.tokens_active(member=member)},
        status=400 if form.errors else 200,
    )


@login_required
@page_errors(back="member")
def staff_suspend(request: MemberRequest, member_id: int) -> HttpResponse:
    require_staff_page(request.user)
    member = selectors.member_for_staff(member_id)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        messages.error(request, form_problems(form))
    elif request.method == "POST":
        if request.POST.get("suspend") == "1":
            services.member_suspend(actor=request.user, member=member, reason=form.cleaned_data["reason"])
        else:
            services.member_unsuspend(actor=request.user, member=member)
        messages.success(request, _("Saved."))
    return redirect("member", member_id=member.pk)


@login_required
@page_errors()
def staff_import(request: MemberRequest) -> HttpResponse:
    """Staff upload a customer CSV; a background job checks and writes it, and its page shows how far it got."""
    require_staff_page(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with form_errors(form) as caught:
                customer_imports.size_check(file_name=upload.name, size=upload.size)
                job = customer_imports.customer_import_create(
                    actor=request.user,
                    file_name=upload.name,
                    data=upload.read(),
                    dry_run=form.cleaned_data["dry_run"],
                )
                return redirect("staff_import_job", import_id=job.pk)
            status = caught.status
    jobs = selectors.customer_imports_for(request.user)
    limits = {
        "import_max_rows": settings.PROSUMO_IMPORT_MAX_ROWS,
        "import_max_bytes": settings.PROSUMO_IMPORT_MAX_BYTES,
    }
    return render(request, "staff/import.html", {"form": form, "jobs": jobs, **limits}, status=status)


@login_required
@page_errors(back="staff_import_job")
def staff_import_job(request: MemberRequest, import_id: int) -> HttpResponse:
    """One import's progress; htmx asks for it again every second until the job has ended."""
    require_staff_page(request.user)
    job = access_customer_import(request.user, import_id)
    if request.method == "POST":
        customer_imports.customer_import_cancel(actor=request.user, import_id=job.pk)
        messages.success(request, _("The import is cancelled; nothing was imported."))
        return redirect("staff_import_job", import_id=job.pk)
    template = "staff/_import_job.html" if request.htmx else "staff/import_job.html"
    return render(request, template, {"job": job})
