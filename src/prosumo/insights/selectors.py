"""Reads for the staff dashboards: the runs behind a page of filters, and one section of a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from prosumo.analytics.metrics.precision import MIN_GROUP_FOR_INTERVAL
from prosumo.analytics.sections.figures import COUNT, MONEY, POINTS, SHARE
from prosumo.core.errors import NotFound, ProsumoError
from prosumo.insights import labels
from prosumo.insights.filters import filter_key
from prosumo.insights.models import InsightRun, OpenDataRelease
from prosumo.insights.services import clean_filters


@dataclass
class DashboardRuns:
    done: InsightRun | None  # the latest finished run for these filters
    pending: InsightRun | None  # one waiting or running
    failed: InsightRun | None  # the latest run, when it failed
    problem: str  # why the filters were set aside (all data is shown instead); empty when they were not


def dashboard_runs(raw: dict[str, Any]) -> DashboardRuns:
    """The runs for these filters as the dashboard's form gives them; filters that do not hold fall back to all data."""
    problem = ""
    try:
        key = filter_key(clean_filters(raw))
    except ProsumoError as exc:
        key, problem = "all", exc.message
    runs = InsightRun.objects.filter(filter_key=key)
    latest = runs.first()
    return DashboardRuns(
        done=runs.filter(status=InsightRun.Status.DONE).first(),
        pending=runs.filter(status__in=[InsightRun.Status.PENDING, InsightRun.Status.RUNNING]).first(),
        failed=latest if latest is not None and latest.status == InsightRun.Status.FAILED else None,
        problem=problem,
    )


def run_section(run_id: int, key: str) -> tuple[InsightRun, dict]:
    """A finished run and one of its sections; NotFound when either is missing."""
    run = InsightRun.objects.filter(pk=run_id, status=InsightRun.Status.DONE).first()
    section = run.section(key) if run else None
    if run is None or section is None:
        raise NotFound(gettext("Not found."))
    return run, section


RUNS_LISTED = 50


def runs_latest(*, limit: int = RUNS_LISTED) -> list[InsightRun]:
    """The latest runs of the analytics, newest first, whatever their state."""
    return list(InsightRun.objects.all()[:limit])


def run_get(run_id: int) -> InsightRun:
    run = InsightRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(gettext("No such analytics run."))
    return run


def run_table(run_id: int, key: str, table: str) -> list[dict[str, Any]]:
    """The rows of one table of one section of a finished run, columns in the order the analytics wrote them."""
    run = run_get(run_id)
    section = run.section(key) if run.status == InsightRun.Status.DONE else None
    if section is None:
        raise NotFound(gettext("This run has no such section."))
    rows = section.get("tables", {}).get(table)
    if rows is None:
        raise NotFound(gettext("This section has no such table."))
    return list(rows)


@dataclass
class Missing:
    """One kind of data the "worth it" page needs and lacks: what it is, why it counts, and where to enter it."""

    what: str
    why: str
    url: str
    link: str


@dataclass
class Worth:
    """The "worth it to both sides" page: one sentence with its interval, the figures behind it, what is missing."""

    run: InsightRun | None
    sentence: str  # empty when the comparison cannot be stated
    figures: list[tuple[str, str]]  # (label, value as shown)
    missing: list[Missing]


def _row(section: dict[str, Any], table: str) -> dict[str, Any]:
    rows = (section.get("tables") or {}).get(table) or []
    return dict(rows[0]) if rows else {}


def worth_to_both_sides(run: InsightRun | None) -> Worth:
    """What the partnership gave the community and the company, from a finished run's question 8.

    The sentence needs the orders (co-created revenue) and the matched comparison of
    co-creators with non-participants; each piece of data that is missing is named with the
    staff page where it is entered. Money is in the site's currency (orders in other currencies
    are left out by the export).
    """
    # every figure written as the Insights pages and the report write it (one format for one number)
    read = labels.reader()

    def money(value: float) -> str:
        return read.format(MONEY, value)

    orders = Missing(
        what=gettext("Orders"),
        why=gettext("Without orders there is no co-created revenue and no comparison of what co-creators spend."),
        url=reverse("staff_orders"),
        link=gettext("Import orders"),
    )
    spend = Missing(
        what=gettext("Channel spend"),
        why=gettext("Without spend per channel the programme's cost is unknown."),
        url=reverse("staff_spend"),
        link=gettext("Record channel spend"),
    )
    section = run.section("effectiveness") if run is not None else None
    if section is None:
        return Worth(run=run, sentence="", figures=[], missing=[])
    company, prosumer, did = _row(section, "company_value"), _row(section, "prosumer_value"), _row(section, "did")
    missing: list[Missing] = []
    if company.get("revenue") is None:
        missing.append(orders)
    elif not did or did.get("effect") is None:
        missing.append(
            Missing(
                what=gettext("Orders of co-creators and of other members"),
                why=gettext(
                    "The orders imported do not name enough members who co-created and members who did not, "
                    "before and after co-creating, to compare them."
                ),
                url=reverse("staff_orders"),
                link=gettext("Import orders"),
            )
        )
    if company.get("acquisition_spend") is None:
        missing.append(spend)
    if prosumer.get("satisfaction_co_creators") is None and prosumer.get("satisfaction_others") is None:
        missing.append(
            Missing(
                what=gettext("Satisfaction survey answers"),
                why=gettext("Without them the page cannot say whether co-creators are more satisfied than others."),
                url=reverse("staff_surveys"),
                link=gettext("Run a co-production survey"),
            )
        )
    points = int(prosumer.get("reward_value") or 0)
    royalties = float(company.get("royalties_paid") or 0.0)
    credited = int(prosumer.get("credited_members") or 0)
    answered = prosumer.get("ideas_answered_share")
    figures = [
        (gettext("Reward points granted"), read.format(POINTS, points)),
        (gettext("Royalties paid"), money(royalties)),
        (gettext("Members credited on an accepted idea"), read.format(COUNT, credited)),
        (gettext("Ideas answered by staff"), read.format(SHARE, answered)),
    ]
    if company.get("revenue") is not None:
        figures.append((gettext("Co-created revenue"), money(float(company.get("co_created_revenue") or 0))))
    if company.get("programme_cost") is not None:
        figures.append((gettext("Programme cost (spend and royalties)"), money(float(company["programme_cost"]))))
    sentence = ""
    if company.get("revenue") is not None and did and did.get("effect") is not None:
        received = gettext(
            "The community received %(points)s reward points, %(royalties)s in royalties, credit on accepted ideas "
            "for %(credited)s members and a staff answer on %(answered)s of its ideas"
        ) % {
            "points": figures[0][1],
            "royalties": figures[1][1],
            "credited": figures[2][1],
            "answered": figures[3][1],
        }
        if did.get("low") is None or did.get("high") is None:
            # a point estimate without its interval is no finding: say what the data lacks instead
            gained = gettext(
                "the company gained %(revenue)s of co-created revenue; too few members could be matched to say "
                "whether co-creators spend more than comparable members who did not take part (%(treated)s "
                "co-creators and %(controls)s members who did not take part were matched; each side needs at "
                "least %(minimum)s)."
            ) % {
                "revenue": figures[4][1],
                "treated": read.format(COUNT, int(did.get("matched") or 0)),
                "controls": read.format(COUNT, int(did.get("controls_used") or 0)),
                "minimum": MIN_GROUP_FOR_INTERVAL,
            }
        else:
            interval = gettext("95%% interval %(low)s to %(high)s") % {
                "low": money(float(did["low"])),
                "high": money(float(did["high"])),
            }
            more = float(did["effect"]) >= 0
            gained = (
                gettext(
                    "the company gained %(revenue)s of co-created revenue, and each co-creator spent %(effect)s more "
                    "per %(days)s days than a matched member who did not take part (%(interval)s)."
                )
                if more
                else gettext(
                    "the company gained %(revenue)s of co-created revenue, and each co-creator spent %(effect)s less "
                    "per %(days)s days than a matched member who did not take part (%(interval)s)."
                )
            ) % {
                "revenue": figures[4][1],
                "effect": money(abs(float(did["effect"]))),
                "days": int(did.get("window_days") or 0),
                "interval": interval,
            }
        sentence = f"{received}; {gained}"
    return Worth(run=run, sentence=sentence, figures=figures, missing=missing)


def open_data_published() -> OpenDataRelease | None:
    """The release on the public page, if staff published one."""
    return OpenDataRelease.objects.filter(published=True, state=OpenDataRelease.State.READY).first()


def open_data_download(release_id: int) -> OpenDataRelease:
    """The published release with this id: one not (or no longer) published does not exist for downloads."""
    release = open_data_published()
    if release is None or release.pk != release_id:
        raise NotFound(gettext("No such open-data release."))
    return release


def open_data_releases() -> list[OpenDataRelease]:
    """The releases staff see: the one published, one being built, the last built or failed."""
    return list(OpenDataRelease.objects.select_related("requested_by")[:10])
