"""The survey pages: a member's open surveys and the answer form; staff's list, creation, opening and closing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prosumo.community.http import MemberRequest
from prosumo.community.models import Segment
from prosumo.community.permissions import require_member
from prosumo.core.errors import PermissionDenied
from prosumo.core.pages import form_errors, page_errors
from prosumo.surveys import selectors, services
from prosumo.surveys.catalogue import SCALE_LABELS
from prosumo.surveys.forms import AnswerForm, SurveyForm
from prosumo.surveys.permissions import access_survey_to_answer, staff_page


def _back(request: MemberRequest, **kwargs: object) -> str:
    return reverse("staff_surveys")


@login_required
def my_surveys(request: MemberRequest) -> HttpResponse:
    """The surveys taking answers now that ask this member."""
    return render(request, "surveys/mine.html", {"surveys": selectors.surveys_for(request.user)})


@login_required
@page_errors()
def survey_answer(request: MemberRequest, survey_id: int) -> HttpResponse:
    """A survey's statements with the scale; answering, or changing one's answers until it closes.

    A member outside the audience, or a survey that takes no answers, gets the page with
    the reason and no form.
    """
    member = require_member(request.user)
    refusal = None
    try:
        member, survey = access_survey_to_answer(member, survey_id)
    except PermissionDenied as exc:
        return render(request, "surveys/refused.html", {"message": exc.message}, status=403)
    response = selectors.response_of(survey, member)
    if not survey.accepting:
        refusal = (
            _("This survey is not open yet.")
            if survey.status == "draft"
            else _("This survey is closed: answers are no longer taken.")
        )
    form = AnswerForm(
        request.POST if request.method == "POST" and refusal is None else None,
        survey=survey,
        initial_scores=response.scores if response else None,
    )
    if form.is_bound and form.is_valid():
        with form_errors(form) as caught:
            services.survey_answer(actor=member, survey_id=survey.pk, scores=form.cleaned_data)
        if caught.error is None:
            messages.success(
                request, _("Thank you: your answers are saved. You can change them until the survey closes.")
            )
            return redirect("survey_answer", survey_id=survey.pk)
    status = 400 if form.errors else 409 if refusal and request.method == "POST" else 200
    context = {"survey": survey, "form": form, "response": response, "refusal": refusal, "scale": SCALE_LABELS}
    return render(request, "surveys/answer.html", context, status=status)


@login_required
@page_errors()
def staff_surveys(request: MemberRequest) -> HttpResponse:
    """Every survey with its response count, and creating one from a template."""
    staff_page(request.user)
    form = SurveyForm(
        request.POST or None,
        segments=list(Segment.objects.order_by("name").values_list("pk", "name")),
        campaigns=selectors.campaign_choices(),
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            data = form.cleaned_data
            services.survey_create(
                actor=request.user,
                template=data["template"],
                audience=data["audience"],
                segment_id=data["segment_id"],
                campaign_id=data["campaign_id"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        if caught.error is None:
            messages.success(request, _("The survey is created. Open it when you are ready, or it opens at its time."))
            return redirect("staff_surveys")
    context = {"form": form, "rows": selectors.survey_list()}
    return render(request, "surveys/staff_surveys.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@page_errors(_back)
def staff_survey_open(request: MemberRequest, survey_id: int) -> HttpResponse:
    staff_page(request.user)
    services.survey_open(actor=request.user, survey_id=survey_id)
    messages.success(request, _("The survey is open; its members are told."))
    return redirect("staff_surveys")


@login_required
@require_POST
@page_errors(_back)
def staff_survey_close(request: MemberRequest, survey_id: int) -> HttpResponse:
    staff_page(request.user)
    services.survey_close(actor=request.user, survey_id=survey_id)
    messages.success(request, _("The survey is closed."))
    return redirect("staff_surveys")
