"""The outreach pages: briefs and their messages for members; opening briefs and shortlisting for staff."""

from __future__ import annotations

import csv
import io
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prosumo.analytics.sections.figures import DIFFERENCE, SHARE
from prosumo.analytics.sections.formats import Reader
from prosumo.community.http import MemberRequest
from prosumo.community.models import Licence, Segment
from prosumo.community.permissions import is_staff
from prosumo.community.terms import terms_context
from prosumo.core.errors import InvalidInput
from prosumo.core.files import download_response, file_response
from prosumo.core.pages import form_errors, page_errors
from prosumo.outreach import selectors, services
from prosumo.outreach.codes import LANDING_SESSION_KEY
from prosumo.outreach.forms import BriefForm, ChannelForm, CommentForm, ExperimentForm, MessageForm, RevisionForm
from prosumo.outreach.models import ChannelKind, Message
from prosumo.outreach.permissions import access_brief, access_message, can_revise, is_staff_edit, staff_page
from prosumo.outreach.services import link_token


def _segments() -> list[tuple[int, str]]:
    return list(Segment.objects.order_by("name").values_list("pk", "name"))


def _to_message(request: MemberRequest, message_id: int, **kwargs: object) -> str:
    return reverse("outreach_message", args=[message_id])


@login_required
def briefs(request: MemberRequest) -> HttpResponse:
    """The briefs a member may write for, newest first."""
    return render(request, "outreach/briefs.html", {"briefs": selectors.brief_list(request.user)})


@login_required
@page_errors()
def staff_briefs(request: MemberRequest) -> HttpResponse:
    """Every brief, and opening a new one."""
    staff_page(request.user)
    form = BriefForm(request.POST or None, segments=_segments())
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            brief = services.brief_open(actor=request.user, **form.cleaned_data)
        if caught.error is None:
            messages.success(request, _("The brief is open: members can propose messages until its deadline."))
            return redirect("outreach_brief", brief_id=brief.pk)
    context = {"form": form, "briefs": selectors.brief_list(request.user)}
    return render(request, "outreach/staff_briefs.html", context, status=400 if form.errors else 200)


@login_required
@page_errors()
def brief(request: MemberRequest, brief_id: int) -> HttpResponse:
    """A brief, its messages with their votes, and proposing one."""
    member, found = access_brief(request.user, brief_id)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            message = services.message_propose(actor=member, brief_id=found.pk, **form.cleaned_data)
        if caught.error is None:
            messages.success(request, _("Your message is in the pool. Others can now improve it and vote."))
            return redirect("outreach_message", message_id=message.pk)
    context: dict[str, Any] = {
        "brief": found,
        "form": form,
        "rows": selectors.messages_of(found, member),
        "is_staff": is_staff(member),
        "licences": Licence.choices,
        **terms_context(member),
    }
    return render(request, "outreach/brief.html", context, status=400 if form.errors else 200)


@login_required
@page_errors()
def message(request: MemberRequest, message_id: int) -> HttpResponse:
    """A message: its text, its history with each change, its credit and comments; revising, voting, commenting."""
    member, found = access_message(request.user, message_id)
    revision_form = RevisionForm(request.POST if "text" in request.POST else None, initial={"text": found.text})
    comment_form = CommentForm(request.POST if "body" in request.POST else None)
    for form in (revision_form, comment_form):
        if form.is_bound and form.is_valid():
            with form_errors(form) as caught:
                if form is revision_form:
                    services.message_revise(actor=member, message_id=found.pk, **form.cleaned_data)
                else:
                    services.message_comment(actor=member, message_id=found.pk, **form.cleaned_data)
            if caught.error is None:
                return redirect("outreach_message", message_id=found.pk)
    bad = bool(revision_form.errors or comment_form.errors)
    context = {
        "view": selectors.message_read(found, member),
        "credit": selectors.credit_of(found),
        "revision_form": revision_form,
        "comment_form": comment_form,
        "can_revise": can_revise(member, found),
        "staff_edit": is_staff_edit(member, found),
        "licence": Licence(found.licence).label if found.licence in Licence.values else "",
        "is_staff": is_staff(member),
        **terms_context(member),
    }
    return render(request, "outreach/message.html", context, status=400 if bad else 200)


@login_required
@require_GET
@page_errors()
def message_image(request: MemberRequest, message_id: int) -> HttpResponseBase:
    """A message's image, for whoever may read the message (its page's own rule), and for nobody else."""
    found = access_message(request.user, message_id)[1]
    name = found.image.name or ""
    return file_response(
        name=name, content_type=found.image_type, download_name=f"message-{found.pk}{PurePath(name).suffix}"
    )


@login_required
@require_POST
@page_errors(_to_message)
def message_vote(request: MemberRequest, message_id: int) -> HttpResponse:
    services.message_vote(actor=request.user, message_id=message_id, vote=request.POST.get("vote") != "0")
    return redirect("outreach_message", message_id=message_id)


@login_required
@require_POST
@page_errors(_to_message)
def message_shortlist(request: MemberRequest, message_id: int) -> HttpResponse:
    staff_page(request.user)
    on = request.POST.get("shortlisted") != "0"
    services.message_shortlist(actor=request.user, message_id=message_id, shortlisted=on)
    messages.success(request, _("The message is on the shortlist.") if on else _("The message is off the shortlist."))
    return redirect("outreach_message", message_id=message_id)


@login_required
@page_errors()
def staff_channels(request: MemberRequest) -> HttpResponse:
    """Every channel with its medium and what it cost, and adding one."""
    staff_page(request.user)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            services.channel_create(actor=request.user, **form.cleaned_data)
        if caught.error is None:
            messages.success(request, _("The channel is added."))
            return redirect("staff_outreach_channels")
    context = {"form": form, "rows": selectors.channel_list()}
    return render(request, "outreach/staff_channels.html", context, status=400 if form.errors else 200)


def tracked_link(request: HttpRequest, token: str) -> HttpResponse:
    """A tracked link from a message: its first opening is the member's exposure; the page shows their message.

    Anyone holding the link may open it (a forwarded email still counts for the member it
    was sent to); the page names no arm and no other member's message.
    """
    try:
        assignment = services.link_open(token=token)
    except InvalidInput as exc:
        return render(request, "outreach/link_refused.html", {"message": exc.message}, status=400)
    message = assignment.arm.message
    return render(request, "outreach/landing.html", {"text": message.text, "brief": message.brief})


#: A transparent 1x1 GIF: the tracking image of an email arm.
PIXEL_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


@require_GET
def tracking_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The image in an email arm: its first load is the member's exposure, a replay writes nothing.

    The same transparent pixel for everyone, never cached (each load reaches the site, so
    a replay is seen as one), and no cookie: it records that the member's email was shown,
    nothing about the reader or their device. A changed or cut token records nothing and
    says so in plain text.
    """
    try:
        services.pixel_load(token=token)
    except InvalidInput as exc:
        response = HttpResponse(exc.message, content_type="text/plain; charset=utf-8", status=400)
    else:
        response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stop_loss() -> float:
    """The stopping rule's threshold; the analytics' libraries load with the first results page, not with the site."""
    from prosumo.analytics.metrics.messages import STOP_LOSS

    return STOP_LOSS


# --- an experiment's results ----------------------------------------------------------------


#: The figures of the comparison by medium the page shows, in its table's order.
MEDIUM_FIGURES = (
    "co_assigned",
    "co_converted",
    "co_conversion",
    "company_assigned",
    "company_converted",
    "company_conversion",
    "p_co_better",
)


def _reader() -> Reader:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return Reader(language=language, gettext=_, currency=settings.PROSUMO_CURRENCY)


def _where(medium: str) -> str:
    return _("In personal media") if medium == "personal" else _("In mass media")


def _medium_sentence(row: dict[str, Any], read: Reader) -> str:
    """What the data say about co-produced against company messages in one medium, in plain words."""
    where = _where(str(row["medium"]))
    if row["verdict"] == "too few":
        return _("{where}, there are too few members to compare: each side needs at least 10.").format(where=where)
    figures = {
        "where": where,
        "co": read.format(SHARE, row["co_conversion"]),
        "company": read.format(SHARE, row["company_conversion"]),
        "p": read.format(SHARE, row["p_co_better"]),
    }
    if row["verdict"] == "co-produced better":
        text = _("{where}, co-produced messages convert better: {co} against {company} (P(co-produced better) = {p}).")
    elif row["verdict"] == "company better":
        text = _(
            "{where}, the company's messages convert better: {company} against {co} (P(co-produced better) = {p})."
        )
    else:
        text = _(
            "{where}, the data show no difference: co-produced {co} against company {company} "
            "(P(co-produced better) = {p})."
        )
    return text.format(**figures)


def _interaction_sentence(found: Any, read: Reader) -> str:
    """Whether co-writing changes more in personal media than in mass media, in plain words."""
    if found.difference is None:
        return _("Too few members to compare the two media: each source needs at least 10 members in each medium.")
    figures = {
        "d": read.format(DIFFERENCE, found.difference * 100),
        "low": read.format(DIFFERENCE, found.low_95 * 100),
        "high": read.format(DIFFERENCE, found.high_95 * 100),
        "p": read.format(SHARE, found.p_positive),
    }
    if found.verdict == "co-produced better":
        text = _(
            "Co-writing helps more in personal media than in mass media: the difference of differences is {d} "
            "percentage points (95% interval {low} to {high}; probability above zero {p})."
        )
    elif found.verdict == "company better":
        text = _(
            "Co-writing helps more in mass media than in personal media: the difference of differences is {d} "
            "percentage points (95% interval {low} to {high}; probability above zero {p})."
        )
    else:
        text = _(
            "The data show no difference between personal and mass media in what co-writing changes: the "
            "difference of differences is {d} percentage points (95% interval {low} to {high}; probability above "
            "zero {p})."
        )
    return text.format(**figures)


def _stop_sentence(results: Any, read: Reader) -> str:
    """Whether the stopping rule on expected loss is met."""
    if results.leader is None:
        return _("No arm yet.")
    figures = {
        "arm": results.leader,
        "loss": read.format(SHARE, results.leader_loss),
        "threshold": read.format(SHARE, _stop_loss()),
        # Sentences that hold a percent sign are written here, where it needs no escaping.
        "bayesian": _(
            "Reporting is Bayesian: each arm's conversion rate (members who converted, of the members given the "
            "arm) starts from a uniform Beta(1, 1) prior and is updated with its counts. The figures are posterior "
            "means, 95% credible intervals and probabilities, not p-values."
        ),
        "interval_label": _("95% credible interval"),
        "verdict_rule": _(
            "A difference is called only when its 95% credible interval leaves out zero; otherwise the page says "
            "the data show no difference."
        ),
    }
    if results.stop:
        text = _(
            "Arm {arm} has the smallest expected loss: choosing it gives up {loss} conversion on average, below the "
            "{threshold} threshold. The experiment may stop, and arm {arm} be chosen."
        )
    else:
        text = _(
            "Arm {arm} has the smallest expected loss: choosing it now would give up {loss} conversion on average, "
            "above the {threshold} threshold. Keep the experiment running until it falls below, or until the end "
            "date set before the start."
        )
    return text.format(**figures)


@login_required
@page_errors()
def staff_experiment_results(request: MemberRequest, experiment_id: int) -> HttpResponse:
    """An experiment's results: each arm's posterior, P(best), expected loss, and co-produced against company by medium.

    Staff only; the page shows counts per arm, never which arm a member got.
    """
    # Altair is loaded only for this page and the analytics, not by every web process at start.
    from prosumo.analytics.sections.messages import arms_chart, media_chart

    staff_page(request.user)
    view = selectors.experiment_results(experiment_id)
    read = _reader()
    arms = [
        {
            "arm": row.arm,
            "co_produced": not row.arm.message.company,
            "figures": {
                name: read.value("messages", name, row.figures[name])
                for name in ("assigned", "exposed", "converted", "conversion", "p_best", "expected_loss")
            },
            "interval": read.value("messages", "low_95", [row.figures["low_95"], row.figures["high_95"]]),
        }
        for row in view.arms
    ]
    by_medium = view.results.by_medium.to_dict("records")
    media = [
        {
            "where": _where(str(row["medium"])),
            "figures": {name: read.value("messages", name, row[name]) for name in MEDIUM_FIGURES},
            "difference": read.format(SHARE, row["difference"]),
            "interval": read.value("messages", "low_95", [row["low_95"], row["high_95"]]),
            "sentence": _medium_sentence(row, read),
        }
        for row in by_medium
    ]
    table = view.results.arms.assign(label=[f"#{a}" for a in view.results.arms["arm"]])
    charts = [arms_chart(table, label="label").to_dict()] if len(table) else []
    if view.results.by_medium["difference"].notna().any():
        charts.append(media_chart(view.results.by_medium).to_dict())
    context = {
        "experiment": view.experiment,
        "arms": arms,
        "media": media,
        "interaction": _interaction_sentence(view.results.interaction, read),
        "stop": _stop_sentence(view.results, read),
        "threshold": read.format(SHARE, _stop_loss()),
        # Sentences that hold a percent sign are written here, where it needs no escaping.
        "bayesian": _(
            "Reporting is Bayesian: each arm's conversion rate (members who converted, of the members given the "
            "arm) starts from a uniform Beta(1, 1) prior and is updated with its counts. The figures are posterior "
            "means, 95% credible intervals and probabilities, not p-values."
        ),
        "interval_label": _("95% credible interval"),
        "verdict_rule": _(
            "A difference is called only when its 95% credible interval leaves out zero; otherwise the page says "
            "the data show no difference."
        ),
        # Each spec reaches the page through json_script, as on the Insights pages.
        "charts": [{"id": f"chart{i}", "spec_id": f"chart{i}-spec", "spec": spec} for i, spec in enumerate(charts)],
    }
    return render(request, "outreach/staff_experiment_results.html", context)


@login_required
@page_errors()
def staff_brief_edit(request: MemberRequest, brief_id: int) -> HttpResponse:
    """Changing a brief: its title, product, segment, channels, tone, lengths, deadline and languages."""
    staff = staff_page(request.user)
    found = access_brief(staff, brief_id)[1]
    initial = {
        "title": found.title,
        "product": found.product,
        "segment_id": found.segment_id,
        "channels": found.channels,
        "tone": found.tone,
        "length_min": found.length_min,
        "length_max": found.length_max,
        "deadline": found.deadline,
        "languages": found.languages,
    }
    form = BriefForm(request.POST or None, initial=initial, segments=_segments())
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            services.brief_edit(actor=staff, brief_id=found.pk, **form.cleaned_data)
        if caught.error is None:
            messages.success(request, _("The brief is changed."))
            return redirect("outreach_brief", brief_id=found.pk)
    context = {"form": form, "brief": found}
    return render(request, "outreach/staff_brief_edit.html", context, status=400 if form.errors else 200)


def _message_label(message: Message) -> str:
    who = _("the company's") if message.company else _("co-produced")
    return f"{message.brief.title}: “{Truncator(message.text).chars(90)}” ({who})"


@login_required
@page_errors()
def staff_experiments(request: MemberRequest) -> HttpResponse:
    """Every experiment with its state, and setting one up from shortlisted and company messages."""
    staff = staff_page(request.user)
    offered = selectors.experiment_messages()
    form = ExperimentForm(
        request.POST or None,
        messages=[(m.pk, _message_label(m)) for m in offered],
        channels=[(c.pk, c.name) for c in selectors.channel_list_plain()],
        segments=_segments(),
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            experiment = services.experiment_create(
                actor=staff,
                name=form.cleaned_data["name"],
                arms=form.arms(),
                segment_id=form.cleaned_data["segment_id"],
                allocation=form.cleaned_data["allocation"],
            )
        if caught.error is None:
            messages.success(request, _("The experiment is set up. Start it when you are ready."))
            return redirect("staff_outreach_experiment", experiment_id=experiment.pk)
    context = {"form": form, "experiments": selectors.experiment_list(), "offered": offered}
    return render(request, "outreach/staff_experiments.html", context, status=400 if form.errors else 200)


@login_required
@page_errors()
def staff_experiment(request: MemberRequest, experiment_id: int) -> HttpResponse:
    """An experiment: its arms with their live counts, the codes to post outside email, and starting, mailing, finishing."""
    staff_page(request.user)
    experiment, arms = selectors.experiment_page(experiment_id)
    context = {
        "experiment": experiment,
        "arms": arms,
        "has_email": any(a.channel.kind == ChannelKind.EMAIL for a in arms),
        "has_other": any(a.channel.kind != ChannelKind.EMAIL for a in arms),
    }
    return render(request, "outreach/staff_experiment.html", context)


def _to_experiment(request: MemberRequest, experiment_id: int, **kwargs: object) -> str:
    return reverse("staff_outreach_experiment", args=[experiment_id])


#: What each button of the experiment's page does, and what the page then says.
EXPERIMENT_ACTIONS = {
    "start": (
        services.experiment_start,
        gettext_lazy("The experiment is running: its segment's members are given their arms."),
    ),
    "mail": (services.experiment_mail, gettext_lazy("The email is on its way, in batches.")),
    "finish": (services.experiment_finish, gettext_lazy("The experiment is finished: nothing more is counted.")),
}


@login_required
@require_POST
@page_errors(_to_experiment)
def staff_experiment_act(request: MemberRequest, experiment_id: int, action: str) -> HttpResponse:
    staff = staff_page(request.user)
    service, done = EXPERIMENT_ACTIONS[action]
    service(actor=staff, experiment_id=experiment_id)
    messages.success(request, str(done))
    return redirect("staff_outreach_experiment", experiment_id=experiment_id)


@login_required
@page_errors()
def staff_experiment_links(request: MemberRequest, experiment_id: int) -> HttpResponse:
    """The tracked link of each member given an arm outside email, as CSV, for staff to send through that channel."""
    staff_page(request.user)
    experiment = selectors.experiment_read(experiment_id).experiment
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["member_id", "name", "email", "channel", "link"])
    for member, channel, assignment in selectors.links_to_post(experiment):
        link = f"{settings.SITE_URL}{reverse('outreach_link', args=[link_token(assignment)])}"
        writer.writerow([member.pk, member.name, member.email, channel.name, link])
    return download_response(
        out.getvalue(), content_type="text/csv; charset=utf-8", file_name=f"experiment-{experiment.pk}-links.csv"
    )


def arm_landing(request: HttpRequest, code: str) -> HttpResponse:
    """An arm's landing link, posted in a mass medium: shows its message; a visitor who then joins converts.

    The code is kept in the visitor's session until they sign up (prosumo.web's sign-up
    calls `signup_conversion`); a changed code, or one of an experiment not running, is
    refused and nothing is kept.
    """
    arm = selectors.landing_arm(code)
    if arm is None:
        message = _("This link is not valid: it was changed or cut short.")
        return render(request, "outreach/link_refused.html", {"message": message}, status=400)
    if not request.user.is_authenticated:
        request.session[LANDING_SESSION_KEY] = code
    return render(
        request, "outreach/landing.html", {"text": arm.message.text, "brief": arm.message.brief, "join": True}
    )
