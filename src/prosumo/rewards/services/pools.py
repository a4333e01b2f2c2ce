"""Royalty pools: opened by an admin for a launched idea, paid per sales period (or once, for a prize).

Each payout is split among the idea's contributors (`credit.py`) by the pool's rule, in
whole cents that add up to what the pool pays (`splits.py`), and writes a
`royalty.paid` event. A period is entered once: periods of a pool never overlap, and
a pool is locked while one is added, so two staff entering the same sales at once pay once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member
from prosumo.core.errors import Conflict, InvalidInput, NotFound
from prosumo.core.phrases import phrase
from prosumo.ideas.models import Idea, Stage
from prosumo.notifications.services import notify
from prosumo.rewards import credit, splits
from prosumo.rewards.models import Payout, PoolKind, RoyaltyPool, SalesPeriod, SplitRule
from prosumo.rewards.permissions import require_rewards_admin
from prosumo.rewards.selectors import contributions

MAX_CENTS = 10**15  # ten trillion in any currency: more is a typing mistake
CURRENCY = re.compile(r"[A-Z]{3}\Z")
AMOUNT = re.compile(r"\d{1,13}(\.\d{1,2})?\Z")
CSV_COLUMNS = ("starts_on", "ends_on", "net_sales")
CSV_MAX_ROWS = 1000


# -- input ----------------------------------------------------------------------------------------------------------


def parse_amount(text: object, *, field: str = "net_sales") -> int:
    """An amount as people write it ("1234.56", "1234") in cents; refuses more than two decimals."""
    raw = str(text).strip().replace(",", "") if text is not None else ""
    if not AMOUNT.match(raw):
        raise InvalidInput(
            gettext("Write an amount such as 1234.56 (at most two decimals)."), fields={field: ["invalid"]}
        )
    try:
        cents = int(Decimal(raw) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only numbers
        raise InvalidInput(gettext("Write an amount such as 1234.56."), fields={field: ["invalid"]}) from exc
    return cents


def _cents(value: object, *, field: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(gettext("Give a whole number of cents."), fields={field: ["invalid"]})
    if not least <= value <= MAX_CENTS:
        raise InvalidInput(
            gettext("Give an amount from {least} to {most} cents.").format(least=least, most=MAX_CENTS),
            fields={field: ["range"]},
        )
    return value


def _role_weights(raw: Any) -> dict[str, int]:
    if raw is None or raw == {}:
        return dict(credit.DEFAULT_ROLE_WEIGHTS)
    if not isinstance(raw, dict) or set(raw) - set(credit.DEFAULT_ROLE_WEIGHTS):
        raise InvalidInput(
            gettext("Role weights name the roles author, coauthor and merged."), fields={"role_weights": ["invalid"]}
        )
    weights = {}
    for role, weight in raw.items():
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 1000:
            raise InvalidInput(
                gettext("A role's weight is a whole number from 0 to 1000."), fields={"role_weights": ["range"]}
            )
        weights[str(role)] = weight
    return weights


# -- pools ----------------------------------------------------------------------------------------------------------


def pool_open(
    *,
    actor: Member,
    idea_id: int,
    kind: str,
    split_rule: str,
    currency: str,
    rate_bp: int | None = None,
    prize_cents: int | None = None,
    merged_percent: int = 20,
    role_weights: dict[str, int] | None = None,
) -> RoyaltyPool:
    """Open the pool of a launched idea; a prize pool is paid out at once."""
    admin = require_rewards_admin(actor)
    problems: dict[str, list[str]] = {}
    if kind not in PoolKind.values:
        problems["kind"] = [gettext("Choose a rate of net sales or a fixed prize.")]
    if split_rule not in SplitRule.values:
        problems["split_rule"] = [gettext("Choose how the pool is split.")]
    currency = (currency or "").strip().upper()
    if not CURRENCY.match(currency):
        problems["currency"] = [gettext("A currency is three letters, such as EUR.")]
    if kind == PoolKind.RATE:
        if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or not 1 <= rate_bp <= 10_000:
            problems["rate_bp"] = [gettext("A rate is from 1 to 10000 basis points (0.01% to 100%).")]
        prize_cents = None
    elif kind == PoolKind.PRIZE:
        if isinstance(prize_cents, bool) or not isinstance(prize_cents, int) or not 1 <= prize_cents <= MAX_CENTS:
            problems["prize_cents"] = [gettext("A prize is a whole number of cents, at least 1.")]
        rate_bp = None
    if isinstance(merged_percent, bool) or not isinstance(merged_percent, int) or not 0 <= merged_percent <= 100:
        problems["merged_percent"] = [gettext("The merged ideas' part is a percentage from 0 to 100.")]
    if problems:
        raise InvalidInput(gettext("The pool was not opened."), fields=problems)
    weights_given = _role_weights(role_weights)
    with transaction.atomic():
        idea = Idea.objects.select_for_update().filter(pk=idea_id).first()
        if idea is None:
            raise NotFound(gettext("That idea does not exist."))
        if idea.stage != Stage.LAUNCHED:
            raise InvalidInput(gettext("A pool opens when the idea has launched."), code="not_launched")
        if RoyaltyPool.objects.filter(idea=idea).exists():
            raise Conflict(gettext("This idea already has a pool."), code="pool_exists")
        pool = RoyaltyPool.objects.create(
            idea=idea,
            kind=kind,
            rate_bp=rate_bp,
            prize_cents=prize_cents,
            currency=currency,
            split_rule=split_rule,
            merged_percent=merged_percent,
            role_weights=weights_given,
            opened_by=admin,
            opened_at=timezone.now(),
        )
        _parts(pool, 1)  # refuses a rule that would pay nobody before anything is written
        event_record(
            verb="royalty.pool_opened",
            actor_id=admin.pk,
            object_type="idea",
            object_id=idea.pk,
            campaign_id=idea.campaign_id,
            value=rate_bp if kind == PoolKind.RATE else prize_cents,
            details={"pool": pool.pk, "kind": kind, "currency": currency, "split_rule": split_rule},
        )
        if kind == PoolKind.PRIZE:
            assert prize_cents is not None
            _pay(pool=pool, period=None, amount=prize_cents)
    return pool


def _parts(pool: RoyaltyPool, amount: int) -> tuple[dict[int, int], dict[int, Any], dict[int, list[str]]]:
    found = contributions(pool.idea_id)
    weights = credit.weights(
        pool.split_rule, found, merged_percent=pool.merged_percent, role_weights=pool.role_weights or None
    )
    try:
        parts = splits.largest_remainder(amount, weights)
    except splits.SplitError as exc:
        raise InvalidInput(
            gettext("Under this rule nobody would be paid: choose another rule or other weights."),
            fields={"split_rule": ["nobody_paid"]},
        ) from exc
    return parts, weights, credit.roles_of(found)


def _pay(*, pool: RoyaltyPool, period: SalesPeriod | None, amount: int) -> list[Payout]:
    if amount == 0:
        return []
    parts, weights, roles = _parts(pool, amount)
    now = timezone.now()
    payouts = [
        Payout(
            pool=pool,
            period=period,
            member_id=member_id,
            amount_cents=cents,
            weight=str(weights[member_id]),
            roles=roles.get(member_id, []),
            created_at=now,
        )
        for member_id, cents in parts.items()
        if cents > 0
    ]
    Payout.objects.bulk_create(payouts)
    idea = pool.idea
    for payout in Payout.objects.filter(pool=pool, period=period).order_by("member_id"):
        event = event_record(
            verb="royalty.paid",
            actor_id=None,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=payout.member_id,
            campaign_id=idea.campaign_id,
            value=payout.amount_cents,
            details={
                "pool": pool.pk,
                "period": period.pk if period else None,
                "payout": payout.pk,
                "currency": pool.currency,
                "split_rule": pool.split_rule,
            },
        )
        # Each paid contributor is told, with a link to their statements.
        notify(
            recipient_ids=[payout.member_id],
            verb="royalty.paid",
            title=phrase(
                "royalty.paid", amount=f"{payout.amount_cents / 100:.2f}", currency=pool.currency, idea=idea.title
            ),
            url="/rewards/royalties/",
            event_id=event.pk,
            about_idea=idea.pk,
        )
    return payouts


# -- sales periods --------------------------------------------------------------------------------------------------


def _date(value: object, *, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(gettext("Write a date as 2026-01-31."), fields={field: ["invalid"]}) from exc


def pool_cents(pool: RoyaltyPool, net_sales_cents: int) -> int:
    """What a rate pool pays for net sales: rate × sales, to the nearest cent (half a cent up)."""
    assert pool.rate_bp is not None
    return (net_sales_cents * pool.rate_bp + 5_000) // 10_000


def sales_period_add(
    *,
    actor: Member,
    pool_id: int,
    starts_on: object,
    ends_on: object,
    net_sales_cents: object,
    source: str = SalesPeriod.Source.FORM,
) -> SalesPeriod:
    """Enter a period's net sales; the pool's part is split and paid to the contributors at once."""
    admin = require_rewards_admin(actor)
    with transaction.atomic():
        pool = RoyaltyPool.objects.select_for_update().select_related("idea").filter(pk=pool_id).first()
        if pool is None:
            raise NotFound(gettext("That pool does not exist."))
        return _add_period(admin, pool, _Row(starts_on, ends_on, net_sales_cents), source)


@dataclass(frozen=True)
class _Row:
    starts_on: object
    ends_on: object
    net_sales_cents: object


def _check_period(pool: RoyaltyPool, row: _Row, taken: list[tuple[date, date]]) -> tuple[date, date, int]:
    if pool.kind != PoolKind.RATE:
        raise InvalidInput(gettext("A prize pool has no sales periods."), code="prize_pool")
    start = _date(row.starts_on, field="starts_on")
    end = _date(row.ends_on, field="ends_on")
    if end < start:
        raise InvalidInput(gettext("The period ends before it starts."), fields={"ends_on": ["before_start"]})
    net = _cents(row.net_sales_cents, field="net_sales", least=0)
    for other_start, other_end in taken:
        if start <= other_end and other_start <= end:
            raise InvalidInput(
                gettext("The period overlaps {start} to {end}, already entered.").format(
                    start=other_start.isoformat(), end=other_end.isoformat()
                ),
                fields={"starts_on": ["overlap"]},
            )
    return start, end, net


def _add_period(admin: Member, pool: RoyaltyPool, row: _Row, source: str) -> SalesPeriod:
    taken = list(pool.periods.values_list("starts_on", "ends_on"))
    start, end, net = _check_period(pool, row, taken)
    amount = pool_cents(pool, net)
    period = SalesPeriod.objects.create(
        pool=pool,
        starts_on=start,
        ends_on=end,
        net_sales_cents=net,
        pool_cents=amount,
        source=source,
        entered_by=admin,
        entered_at=timezone.now(),
    )
    event_record(
        verb="royalty.sales_entered",
        actor_id=admin.pk,
        object_type="idea",
        object_id=pool.idea_id,
        campaign_id=pool.idea.campaign_id,
        value=net,
        details={
            "pool": pool.pk,
            "period": period.pk,
            "starts_on": start.isoformat(),
            "ends_on": end.isoformat(),
            "pool_cents": amount,
            "currency": pool.currency,
            "source": source,
        },
    )
    _pay(pool=pool, period=period, amount=amount)
    return period


def sales_import_csv(*, actor: Member, pool_id: int, data: bytes) -> list[SalesPeriod]:
    """Enter periods from a CSV file (starts_on, ends_on, net_sales): all of them, or none if any row is wrong.

    Rows are counted from 1 at the first row after the header; every problem is named
    by row and column in one message.
    """
    admin = require_rewards_admin(actor)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(gettext("The file is not UTF-8 text."), fields={"file": ["encoding"]}) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            gettext("The file needs the columns {columns}; missing: {missing}.").format(
                columns=", ".join(CSV_COLUMNS), missing=", ".join(missing)
            ),
            fields={"file": ["columns"]},
        )
    rows = list(reader)
    if not rows:
        raise InvalidInput(gettext("The file has no rows."), fields={"file": ["empty"]})
    if len(rows) > CSV_MAX_ROWS:
        raise InvalidInput(
            gettext("The file has more than {most} rows.").format(most=CSV_MAX_ROWS), fields={"file": ["too_many"]}
        )
    with transaction.atomic():
        pool = RoyaltyPool.objects.select_for_update().select_related("idea").filter(pk=pool_id).first()
        if pool is None:
            raise NotFound(gettext("That pool does not exist."))
        taken = list(pool.periods.values_list("starts_on", "ends_on"))
        problems: list[str] = []
        checked: list[_Row] = []
        for number, raw in enumerate(rows, start=1):
            try:
                cents = parse_amount(raw.get("net_sales"))
                row = _Row(raw.get("starts_on"), raw.get("ends_on"), cents)
                start, end, _ = _check_period(pool, row, taken)
            except InvalidInput as exc:
                for problem in exc.problems():
                    if problem.field:
                        where = gettext("row {row}, column {column}").format(row=number, column=problem.field)
                    else:
                        where = gettext("row {row}").format(row=number)
                    problems.append(f"{where}: {problem.message}")
                continue
            taken.append((start, end))
            checked.append(row)
        if problems:
            raise InvalidInput(
                gettext("Nothing was entered: {problems}").format(problems="; ".join(problems)),
                fields={"file": problems},
            )
        return [_add_period(admin, pool, row, SalesPeriod.Source.CSV) for row in checked]
