"""The rewards pages: a member's points, badges and leaderboard choice; leaderboards; staff's rules and improvements."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prosumo.community.http import MemberRequest
from prosumo.community.permissions import require_member
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.core.files import download_response
from prosumo.core.input import id_in_range
from prosumo.core.pages import form_errors, page_errors
from prosumo.core.spreadsheet import spreadsheet_csv
from prosumo.ideas.permissions import access_campaign
from prosumo.rewards import selectors, services
from prosumo.rewards.forms import CorrectionForm, PeriodForm, PoolForm, RuleForm, SalesFileForm, SpendForm
from prosumo.rewards.models import Payout
from prosumo.rewards.permissions import require_improvement_marker, require_rewards_admin, staff_page


@login_required
def my_rewards(request: MemberRequest) -> HttpResponse:
    member = request.user
    context = {
        "balance": selectors.balance(member_id=member.pk),
        "rewards": selectors.member_rewards(member_id=member.pk),
        "history": selectors.history(member_id=member.pk),
    }
    return render(request, "rewards/mine.html", context)


@login_required
@require_POST
@page_errors(back="my_rewards")
def leaderboard_choice(request: MemberRequest) -> HttpResponse:
    """From the points page or the settings page: back to the page it came from (the points page otherwise)."""
    hidden = request.POST.get("hidden") == "1"
    services.leaderboard_choose(actor=require_member(request.user), hidden=hidden)
    if hidden:
        messages.success(request, _("You are no longer shown on the leaderboards."))
    else:
        messages.success(request, _("You are shown on the leaderboards again."))
    if request.POST.get("next") == "settings":
        return redirect("profile_edit")
    return redirect("my_rewards")


@page_errors()
def leaderboard(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    """Overall, or one campaign's (which the visitor must be able to see)."""
    campaign = access_campaign(request.user, campaign_id) if campaign_id is not None else None
    standings = selectors.leaderboard(campaign_id=campaign.pk if campaign else None)
    return render(request, "rewards/leaderboard.html", {"campaign": campaign, "standings": standings})


def _chosen_campaign(request: HttpRequest) -> int | None:
    raw = request.GET.get("campaign") or ""
    return int(raw) if raw.isdigit() and id_in_range(int(raw)) else None


@login_required
@page_errors()
def staff_rules(request: MemberRequest) -> HttpResponse:
    """Set the points a campaign (or the whole site) gives for each thing, through `rule_set`."""
    staff_page(request.user)
    require_rewards_admin(request.user)
    campaign_id = _chosen_campaign(request)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            version = services.rule_set(actor=request.user, campaign_id=campaign_id, **form.cleaned_data)
        if caught.error is None:
            messages.success(
                request,
                _("Saved: version %(number)s gives %(points)s points.")
                % {"number": version.number, "points": version.points},
            )
            back = reverse("staff_rewards")
            return redirect(f"{back}?campaign={campaign_id}" if campaign_id else back)
    campaigns = selectors.campaigns_for_rules()
    context = {
        "form": form,
        "campaigns": campaigns,
        "campaign": next((c for c in campaigns if c.pk == campaign_id), None),
        "rows": selectors.rules(campaign_id=campaign_id),
    }
    return render(request, "rewards/staff_rules.html", context, status=400 if form.errors else 200)


@login_required
@page_errors()
def staff_improvements(request: MemberRequest) -> HttpResponse:
    staff_page(request.user)
    require_improvement_marker(request.user)
    return render(request, "rewards/staff_improvements.html", {"rows": selectors.improvement_candidates()})


@login_required
@require_POST
@page_errors(back="staff_improvements")
def staff_improvement_mark(request: MemberRequest, comment_id: int) -> HttpResponse:
    staff_page(request.user)
    services.comment_mark_improved(actor=request.user, comment_id=comment_id)
    messages.success(request, _("Marked as an improvement."))
    return redirect("staff_improvements")


# -- the points ledger: spends and corrections ----------------------------------------------------------------------


def _ledger_address(request: HttpRequest, **kwargs: object) -> str:
    """Back to the ledger page of the member the form was about."""
    raw = request.POST.get("member") or str(kwargs.get("member_id") or "")
    back = reverse("staff_ledger")
    return f"{back}?member={raw}#ledger" if raw.isdigit() else back


@login_required
@page_errors()
def staff_ledger(request: MemberRequest) -> HttpResponse:
    """Admins: find a member, see their ledger, record a spend or correct a line (never edit one)."""
    staff_page(request.user)
    require_rewards_admin(request.user)
    query = (request.GET.get("member") or "").strip()
    member = selectors.ledger_member(query=query) if query else None
    context = {
        "query": query,
        "member": member,
        "balance": selectors.balance(member_id=member.pk) if member else None,
        "history": selectors.history(member_id=member.pk, limit=200) if member else [],
        "spend_form": SpendForm(),
    }
    return render(request, "rewards/staff_ledger.html", context, status=404 if query and member is None else 200)


@login_required
@require_POST
@page_errors(back=_ledger_address)
def staff_ledger_spend(request: MemberRequest, member_id: int) -> HttpResponse:
    """Record points a member spent; refused (and nothing written) when their balance is too low."""
    staff_page(request.user)
    form = SpendForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("The spend could not be recorded."), fields=_sentences(form))
    data = form.cleaned_data
    posting = services.points_spend(
        actor=request.user, member_id=member_id, points=data["points"], reason=data["reason"], note=data["note"]
    )
    messages.success(
        request, _("Recorded: %(n)s points spent on %(reason)s.") % {"n": -posting.points, "reason": posting.reason}
    )
    return redirect(_ledger_address(request, member_id=member_id))


@login_required
@require_POST
@page_errors(back=_ledger_address)
def staff_ledger_correct(request: MemberRequest, posting_id: int) -> HttpResponse:
    """Correct a ledger line with a new one that names it; the line itself is never changed."""
    staff_page(request.user)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("The correction could not be recorded."), fields=_sentences(form))
    posting = services.points_correct(
        actor=request.user, posting_id=posting_id, points=form.cleaned_data["points"], note=form.cleaned_data["note"]
    )
    messages.success(request, _("Recorded: a correction of %(n)+d points.") % {"n": posting.points})
    return redirect(_ledger_address(request, member_id=posting.member_id))


def _sentences(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


# -- royalties ------------------------------------------------------------------------------------------------------

STATEMENT_HEADER = [
    "period_start",
    "period_end",
    "idea_id",
    "idea",
    "currency",
    "net_sales",
    "pool",
    "split_rule",
    "roles",
    "amount",
    "amount_cents",
]


def money(cents: int | None) -> Decimal | str:
    return (Decimal(cents) / 100).quantize(Decimal("0.01")) if cents is not None else ""


def statement_row(payout: Payout) -> list[object]:
    period = payout.period
    return [
        period.starts_on.isoformat() if period else payout.created_at.date().isoformat(),
        period.ends_on.isoformat() if period else payout.created_at.date().isoformat(),
        payout.pool.idea_id,
        payout.pool.idea.title,
        payout.pool.currency,
        money(period.net_sales_cents) if period else "",
        money(period.pool_cents if period else payout.pool.prize_cents),
        payout.pool.split_rule,
        " ".join(payout.roles),
        money(payout.amount_cents),
        payout.amount_cents,
    ]


def csv_response(text: str, file_name: str) -> HttpResponse:
    return download_response(text, content_type="text/csv; charset=utf-8", file_name=file_name)


@login_required
def my_royalties(request: MemberRequest) -> HttpResponse:
    rows = selectors.statements(member_id=request.user.pk)
    return render(request, "rewards/royalties.html", {"rows": rows})


@login_required
def my_statement_csv(request: MemberRequest) -> HttpResponse:
    """The member's own payouts as CSV: one period's (?period=) or all of them."""
    rows = selectors.statements(member_id=request.user.pk)
    raw = request.GET.get("period") or ""
    if raw.isdigit():
        rows = [p for p in rows if p.period_id == int(raw)]
    name = f"royalty-statement-{raw}.csv" if raw.isdigit() else "royalty-statements.csv"
    return csv_response(spreadsheet_csv(STATEMENT_HEADER, [statement_row(p) for p in rows]), name)


@login_required
@page_errors()
def staff_pools(request: MemberRequest) -> HttpResponse:
    """Every pool, and opening one for a launched idea."""
    staff_page(request.user)
    require_rewards_admin(request.user)
    ideas = [(i.pk, f"{i.title} (#{i.pk})") for i in selectors.launched_ideas_without_pool()]
    form = PoolForm(request.POST or None, ideas=ideas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form) as caught:
            rate = data["rate_percent"]
            prize = services.parse_amount(data["prize"], field="prize") if data["kind"] == "prize" else None
            opened = services.pool_open(
                actor=request.user,
                idea_id=data["idea"],
                kind=data["kind"],
                rate_bp=int(rate * 100) if rate is not None and data["kind"] == "rate" else None,
                prize_cents=prize,
                currency=data["currency"],
                split_rule=data["split_rule"],
                merged_percent=data["merged_percent"],
            )
        if caught.error is None:
            messages.success(request, _("The pool is open."))
            return redirect("staff_pool", pool_id=opened.pk)
    context = {"form": form, "pools": selectors.pools()}
    return render(request, "rewards/staff_pools.html", context, status=400 if form.errors else 200)


@login_required
@page_errors()
def staff_pool(request: MemberRequest, pool_id: int) -> HttpResponse:
    """A pool's periods and payouts; entering a period's sales by hand or from a CSV file."""
    staff_page(request.user)
    require_rewards_admin(request.user)
    found = selectors.pool(pool_id=pool_id)
    if found is None:
        raise NotFound(_("Not found."))
    period_form = PeriodForm(request.POST if "net_sales" in request.POST else None)
    file_form = SalesFileForm(request.POST, request.FILES) if "file" in request.FILES else SalesFileForm()
    if period_form.is_bound and period_form.is_valid():
        data = period_form.cleaned_data
        with form_errors(period_form) as caught:
            services.sales_period_add(
                actor=request.user,
                pool_id=found.pk,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                net_sales_cents=services.parse_amount(data["net_sales"]),
            )
        if caught.error is None:
            messages.success(request, _("The period is entered and paid out."))
            return redirect("staff_pool", pool_id=found.pk)
    if file_form.is_bound and file_form.is_valid():
        with form_errors(file_form) as caught:
            entered = services.sales_import_csv(
                actor=request.user, pool_id=found.pk, data=file_form.cleaned_data["file"].read()
            )
        if caught.error is None:
            messages.success(request, _("%(n)s periods entered and paid out.") % {"n": len(entered)})
            return redirect("staff_pool", pool_id=found.pk)
    context = {
        "pool": found,
        "periods": selectors.pool_periods(pool_id=found.pk),
        "prize_payouts": selectors.prize_payouts(pool_id=found.pk),
        "period_form": period_form,
        "file_form": file_form,
    }
    failed = period_form.errors or file_form.errors
    return render(request, "rewards/staff_pool.html", context, status=400 if failed else 200)


FINANCE_HEADER = ["payout_id", "member_id", "name", "email", *STATEMENT_HEADER]


@login_required
@page_errors()
def staff_payouts_csv(request: MemberRequest, pool_id: int) -> HttpResponse:
    """Every payout of a pool (or of one period, ?period=) for finance: who to pay, how much, in which currency."""
    staff_page(request.user)
    require_rewards_admin(request.user)
    raw = request.GET.get("period") or ""
    rows = selectors.payouts_for_finance(pool_id=pool_id, period_id=int(raw) if raw.isdigit() else None)
    lines = [[p.pk, p.member_id, p.member.name, p.member.email, *statement_row(p)] for p in rows]
    return csv_response(spreadsheet_csv(FINANCE_HEADER, lines), f"royalty-payouts-pool-{pool_id}.csv")
