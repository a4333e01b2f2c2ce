"""The staff pages for the company's commercial data: importing orders, recording channel spend."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prosumo.commerce import selectors, services
from prosumo.commerce.forms import OrdersFileForm, SpendFileForm, SpendForm
from prosumo.commerce.models import Source
from prosumo.commerce.permissions import require_commerce_admin, staff_page
from prosumo.community.http import MemberRequest
from prosumo.core.errors import InvalidInput
from prosumo.core.pages import form_errors, page_errors


@login_required
@page_errors()
def staff_orders(request: MemberRequest) -> HttpResponse:
    """Orders by currency, the latest orders, and importing a CSV file of orders."""
    staff_page(request.user)
    require_commerce_admin(request.user)
    form = OrdersFileForm(request.POST, request.FILES) if request.method == "POST" else OrdersFileForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        with form_errors(form) as caught:
            result = services.orders_import_csv(actor=request.user, file_name=upload.name, data=upload.read())
        if caught.error is None:
            messages.success(
                request,
                _("{created} orders imported ({matched} from members); {duplicates} were recorded already.").format(
                    created=result.created, matched=result.matched, duplicates=result.duplicates
                ),
            )
            return redirect("staff_orders")
    context = {
        "form": form,
        "totals": selectors.order_totals(),
        "orders": selectors.recent_orders(),
    }
    return render(request, "commerce/staff_orders.html", context, status=400 if form.errors else 200)


@login_required
@page_errors()
def staff_spend(request: MemberRequest) -> HttpResponse:
    """Spend per channel and period, and recording a period's spend."""
    staff_page(request.user)
    require_commerce_admin(request.user)
    channels = selectors.known_channels()
    uploading = request.method == "POST" and "spend_file" in request.FILES
    file_form = SpendFileForm(request.POST, request.FILES) if uploading else SpendFileForm()
    # the Insights channel table links here with ?channel=, to record that channel's spend
    form = SpendForm(
        request.POST if request.method == "POST" and not uploading else None,
        channels=channels,
        initial={"channel": request.GET.get("channel", "")[:64]},
    )
    if file_form.is_bound and file_form.is_valid():
        upload = file_form.cleaned_data["spend_file"]
        with form_errors(file_form) as caught:
            result = services.spend_import_csv(actor=request.user, file_name=upload.name, data=upload.read())
        if caught.error is None:
            messages.success(
                request,
                _("Spend imported: {periods} periods, channels: {channels}.").format(
                    periods=result.periods, channels=result.channels
                ),
            )
            return redirect("staff_spend")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        with form_errors(form) as caught:
            cents = services.parse_cents(data["amount"].strip())
            if cents is None:
                raise InvalidInput(
                    _("Write an amount such as 1234.56: 0 or more, at most two decimals."),
                    fields={"amount": ["invalid"]},
                )
            services.spend_record(
                actor=request.user,
                channel=data["channel"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                amount_cents=cents,
                currency=data["currency"],
                source=Source.FORM,
            )
        if caught.error is None:
            messages.success(request, _("The spend is recorded."))
            return redirect("staff_spend")
    selected = request.GET.get("channel") or None
    context = {
        "form": form,
        "file_form": file_form,
        "spends": selectors.spends(channel=selected),
        "channels": channels,
        "selected": selected,
    }
    return render(request, "commerce/staff_spend.html", context, status=400 if form.errors or file_form.errors else 200)


@login_required
@require_POST
@page_errors(back="staff_spend")
def staff_spend_remove(request: MemberRequest, spend_id: int) -> HttpResponse:
    staff_page(request.user)
    services.spend_remove(actor=request.user, spend_id=spend_id)
    messages.success(request, _("The spend is taken back."))
    return redirect("staff_spend")
