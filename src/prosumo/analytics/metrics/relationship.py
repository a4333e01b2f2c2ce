"""Question 5: is the relationship with members being built, and does answering help?

* member levels per month (Orbit-style: Observer, Participant, Contributor, Leader),
  the moves up, held and down, weighted commitment and gravity;
* time to first answer for ideas and the share of ideas answered;
* whether being answered brings members back: return rate of answered against
  unanswered authors, with a 95% interval for the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import epoch_days, month_index, people, tagged_events
from prosumo.analytics.metrics.precision import enough_for_interval, too_few_note

#: Level number -> name; 0 means no activity in the window.
LEVELS: dict[int, str] = {0: "inactive", 1: "observer", 2: "participant", 3: "contributor", 4: "leader"}
#: Active days in the trailing quarter that lift a contributor to leader (Orbit's
#: "Leading = 30 days a quarter" presence milestone).
LEADER_DAYS = 30
_STAGE_RANK = {"collect": 1, "process": 2, "analyse": 3}


def _month_label(idx: pd.Series) -> pd.Series:
    idx = idx.astype("int64")
    return pd.to_datetime({"year": idx // 12, "month": idx % 12 + 1, "day": 1}).dt.tz_localize("UTC")


def member_levels(ds: Dataset, window_months: int = 3, *, members: ir.Table | None = None) -> ir.Table:
    """Each non-staff member's level in each calendar month (an Ibis table).

    Over the trailing window of ``window_months`` calendar months ending with month t:

    * 1 observer: any collecting event (visit, view) and nothing more;
    * 2 participant: a processing event (vote, rating, comment);
    * 3 contributor: an analysing event (idea, revision, co-authorship, builds-on
      comment);
    * 4 leader: a contributor active on at least 30 distinct days in the window.

    Rows exist only for levels >= 1 (a missing member-month is level 0, inactive).
    ``members`` (a table with ``member_id``), when given, limits the result to those
    members, whose levels are unchanged: each member's level depends only on their
    own events.

    Source: the Orbit model's levels by highest activity weight reached or presence
    milestone ("Leading = 30 days a quarter") [METRICS.md 1a, 5a]; our thresholds.

    Returns
    -------
    ibis.Table
        ``member_id, month`` (month index, year*12 + month - 1), ``level``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> levels = member_levels(ds).execute()
    >>> levels.groupby("level").size().to_dict()
    {1: 2, 2: 2, 3: 4}
    """
    tagged = tagged_events(ds.events).filter(ibis._.stage.notnull())
    staff_free = people(ds.members).select("member_id")
    if members is not None:
        staff_free = staff_free.semi_join(members, staff_free.member_id == members.member_id)
    tagged = tagged.join(staff_free, tagged.member_id == staff_free.member_id)
    rank = tagged.stage.cases(*_STAGE_RANK.items(), else_=0)
    # Distinct (member, month, day of month) first, then count rows: cheaper than a
    # count-distinct of dates.
    acts = tagged.select(
        member_id=tagged.member_id,
        month=month_index(tagged.occurred_at),
        day=tagged.occurred_at.day(),
        rank=rank,
    )
    daily = acts.group_by(["member_id", "month", "day"]).aggregate(rank=acts["rank"].max())
    per_month = daily.group_by(["member_id", "month"]).aggregate(rank=daily["rank"].max(), days=ibis._.count())
    shifted = [per_month.select("member_id", "rank", "days", month=per_month.month + k) for k in range(window_months)]
    last_month = month_index(ds.events.occurred_at.max()).execute()
    window = ibis.union(*shifted).filter(ibis._.month <= int(last_month))
    agg = window.group_by(["member_id", "month"]).aggregate(rank=window["rank"].max(), days=window.days.sum())
    level = ibis.cases(((agg["rank"] == 3) & (agg.days >= LEADER_DAYS), 4), else_=agg["rank"])
    return agg.select("member_id", "month", level=level.cast("int64"))


def level_counts(ds: Dataset, window_months: int = 3, transitions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Members at each level per month, with weighted commitment and gravity.

    WC_t = sum_level level^2 x count_t(level)  (weights 1..4)
    gravity_t = (WC_t - WC_{t-1}) / members_t, members_t = non-staff members joined
    by the end of month t.

    Source: Orbit model, weighted commitment and gravity [METRICS.md 5a].
    ``transitions`` may pass in :func:`level_transitions` already computed (the
    counts are its column sums, so the levels are computed once).

    Returns
    -------
    pandas.DataFrame
        ``month, observer, participant, contributor, leader, members,
        weighted_commitment, gravity``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> level_counts(ds)[["observer", "participant", "contributor", "leader"]].to_dict("records")
    [{'observer': 1, 'participant': 1, 'contributor': 2, 'leader': 0},
     {'observer': 1, 'participant': 1, 'contributor': 2, 'leader': 0}]
    """
    if transitions is None:
        transitions = level_transitions(ds, window_months)
    counts = transitions[transitions["after"] > 0]
    wide = counts.pivot_table(index="month", columns="after", values="n", aggfunc="sum", fill_value=0)
    first = int(month_index(ds.events.occurred_at.min()).execute())
    last = int(month_index(ds.events.occurred_at.max()).execute())
    wide = wide.reindex(index=range(first, last + 1), columns=[1, 2, 3, 4], fill_value=0)
    members = people(ds.members)
    joins = (
        members.select(month=month_index(members.joined_at))
        .group_by("month")
        .aggregate(n=ibis._.count())
        .execute()
        .set_index("month")["n"]
    )
    cumulative = joins.reindex(range(min(first, int(joins.index.min())), last + 1), fill_value=0).cumsum()
    out = wide.rename(columns={k: LEVELS[k] for k in wide.columns}).astype("int64")
    out["members"] = cumulative.reindex(out.index).to_numpy()
    out["weighted_commitment"] = sum(k * k * wide[k] for k in (1, 2, 3, 4)).astype("int64")
    out["gravity"] = gravity(out["weighted_commitment"].to_numpy(), out["members"].to_numpy())
    out = out.rename_axis("month").reset_index()
    out["month"] = _month_label(out["month"])
    return out


def gravity(weighted_commitment: Any, members: Any) -> np.ndarray:
    """Orbit gravity: the change in weighted commitment per member, month on month.

    gravity_t = (WC_t - WC_{t-1}) / members_t; the first month has none (NaN).

    Examples
    --------
    >>> gravity([441, 504, 666], [30, 30, 30]).round(1).tolist()
    [nan, 2.1, 5.4]
    """
    wc = np.asarray(weighted_commitment, dtype="float64")
    n = np.asarray(members, dtype="float64")
    out = np.full(len(wc), np.nan)
    if len(wc) > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            out[1:] = np.where(n[1:] > 0, np.diff(wc) / n[1:], np.nan)
    return out


def level_transitions(ds: Dataset, window_months: int = 3) -> pd.DataFrame:
    """Members moving from one level to another, per month (0 = inactive).

    For each member and month t: the pair (level_{t-1}, level_t), where the month
    before the data counts as inactive; pairs of two inactive months are not
    counted.

    Source: Orbit model monthly transition table [METRICS.md 5a].

    Returns
    -------
    pandas.DataFrame
        ``month`` (month index), ``before, after`` (level numbers), ``n``.
    """
    levels = member_levels(ds, window_months).cache()  # joined with itself below
    first = int(month_index(ds.events.occurred_at.min()).execute())
    last = int(month_index(ds.events.occurred_at.max()).execute())
    previous = levels.select(member_id=levels.member_id, month=levels.month + 1, before=levels.level)
    now = levels.select(member_id=levels.member_id, month=levels.month, after=levels.level)
    pairs = now.outer_join(previous, [now.member_id == previous.member_id, now.month == previous.month])
    pairs = pairs.select(
        month=ibis.coalesce(pairs.month, pairs.month_right),
        before=pairs.before.fill_null(0),
        after=pairs.after.fill_null(0),
    ).filter((ibis._.month >= first) & (ibis._.month <= last))
    out = pairs.group_by(["month", "before", "after"]).aggregate(n=ibis._.count()).execute()
    levels.release()  # now, not whenever the garbage collector runs (maybe in another thread)
    return out


def level_moves(ds: Dataset, window_months: int = 3, transitions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Moves between levels from one month to the next: up, held, down.

    up if level_t > level_{t-1}, down if lower, held if equal and above 0.
    ``transitions`` may pass in :func:`level_transitions` already computed.

    Returns
    -------
    pandas.DataFrame
        ``month, up, held, down``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> level_moves(ds).drop(columns="month").to_dict("records")
    [{'up': 0, 'held': 4, 'down': 0}]
    """
    matrix = level_transitions(ds, window_months) if transitions is None else transitions
    first = int(month_index(ds.events.occurred_at.min()).execute())
    last = int(month_index(ds.events.occurred_at.max()).execute())
    matrix = matrix[matrix["month"] > first].copy()
    matrix["move"] = np.select(
        [matrix["after"] > matrix["before"], matrix["after"] < matrix["before"]],
        ["up", "down"],
        "held",
    )
    per_month = matrix.pivot_table(index="month", columns="move", values="n", aggfunc="sum", fill_value=0)
    per_month = per_month.reindex(index=range(first + 1, last + 1), columns=["up", "held", "down"], fill_value=0)
    out = per_month.astype("int64").rename_axis("month").reset_index()
    out["month"] = _month_label(out["month"])
    return out


def level_matrix(ds: Dataset, window_months: int = 3, transitions: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`level_transitions` summed over all months, with level names.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> level_matrix(ds).to_dict("records")
    [{'before': 'observer', 'after': 'observer', 'n': 1},
     {'before': 'participant', 'after': 'participant', 'n': 1},
     {'before': 'contributor', 'after': 'contributor', 'n': 2}]
    """
    matrix = level_transitions(ds, window_months) if transitions is None else transitions
    first = int(month_index(ds.events.occurred_at.min()).execute())
    matrix = matrix[matrix["month"] > first]
    total = matrix.groupby(["before", "after"], as_index=False)["n"].sum()
    total["before"] = total["before"].map(LEVELS)
    total["after"] = total["after"].map(LEVELS)
    return total


def staff_answers(ds: Dataset) -> ir.Table:
    """Every staff answer to an idea: ``idea_id, day`` (days since 1970-01-01).

    Only a message from a person answers an idea. With ``idea_stages``: a row with an
    ``actor_id`` and a non-empty ``message`` (the first row, the submission, is never
    an answer). Without it: an ``idea.stage_changed`` event with an actor. A move the
    platform made by itself (an idea that reached its support threshold, a supporter
    deadline that passed) has no actor and is not an answer.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> staff_answers(ds).execute().to_dict("records")
    [{'idea_id': 10, 'day': 19736.5}]
    """
    if ds.idea_stages is not None:
        st = ds.idea_stages
        said = st.message.strip().length().fill_null(0) > 0
        rows = st.filter(st.actor_id.notnull() & said & (st.stage != "submitted"))
        return rows.select(idea_id=rows.idea_id, day=epoch_days(rows.changed_at))
    ev = ds.events
    moves = ev.filter((ev.verb == "idea.stage_changed") & ev.object_id.notnull() & ev.actor_id.notnull())
    return moves.select(idea_id=moves.object_id, day=epoch_days(moves.occurred_at))


def idea_answers(ds: Dataset) -> ir.Table:
    """Per idea: when it was submitted and when staff first answered (an Ibis table).

    submitted_at = the first ``idea.submitted`` event of the idea (``ideas.created_at``
    when there is none); answered_at = the first staff answer (:func:`staff_answers`)
    at or after it; ``days_to_answer`` = (answered_at - submitted_at) in days (null
    when unanswered).

    Source: CHAOSS "Time to First Response" [METRICS.md 5a], with a staff message as
    the company's answer (DESIGN.md: "the staff answer closes the loop"); an automatic
    move is not an answer.

    Returns
    -------
    ibis.Table
        ``idea_id, author_id, submitted_day, answered_day, days_to_answer`` (days
        since 1970-01-01 as floats).
    """
    ev = ds.events
    submitted = (
        ev.filter((ev.verb == "idea.submitted") & ev.object_id.notnull())
        .group_by(idea_id=ev.object_id)
        .aggregate(first_submitted=ev.occurred_at.min())
    )
    ideas = ds.ideas
    base = ideas.left_join(submitted, ideas.idea_id == submitted.idea_id).select(
        idea_id=ideas.idea_id,
        author_id=ideas.author_id,
        submitted_day=epoch_days(ibis.coalesce(submitted.first_submitted, ideas.created_at)),
    )
    changes = staff_answers(ds)
    j = base.left_join(changes, base.idea_id == changes.idea_id)
    answered = j.group_by(["idea_id", "author_id", "submitted_day"]).aggregate(
        answered_day=ibis.cases((j.day >= j.submitted_day, j.day)).min()
    )
    return answered.mutate(days_to_answer=answered.answered_day - answered.submitted_day)


def answer_summary(ds: Dataset, within_days: tuple[int, ...] = (7, 30)) -> dict[str, Any]:
    """Share of ideas answered, time to first answer, and share answered within k days.

    * ``answered_share`` = answered ideas / ideas;
    * ``median_days`` and ``p90_days`` of days_to_answer over answered ideas;
    * ``within_<k>d`` = ideas answered within k days / ideas submitted at least k days
      before the last event (younger ideas have not had the chance: right-censoring).

    Returns
    -------
    dict
        The figures above plus ``ideas`` and ``answered``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> answer_summary(ds)
    {'ideas': 3,
     'answered': 1,
     'answered_share': 0.3333333333333333,
     'median_days': 9.0,
     'p90_days': 9.0,
     'within_7d': 0.0,
     'within_30d': None}
    """
    df = idea_answers(ds).select("submitted_day", "days_to_answer").execute()
    last = float(epoch_days(ds.events.occurred_at.max()).execute())
    answered = df["days_to_answer"].dropna()
    out: dict[str, Any] = {
        "ideas": len(df),
        "answered": len(answered),
        "answered_share": len(answered) / len(df) if len(df) else None,
        "median_days": float(answered.median()) if len(answered) else None,
        "p90_days": float(answered.quantile(0.9)) if len(answered) else None,
    }
    for k in within_days:
        old = df[df["submitted_day"] + k <= last]
        hit = (old["days_to_answer"] <= k).sum()
        out[f"within_{k}d"] = float(hit / len(old)) if len(old) else None
    return out


@dataclass(frozen=True)
class ReturnEffect:
    """Return rates of answered and unanswered authors and their difference."""

    answered_n: int
    answered_returned: int
    unanswered_n: int
    unanswered_returned: int
    difference: float | None
    low: float | None
    high: float | None
    #: Why there is no interval, when a group is below the minimum (else ``None``).
    note: str | None = None

    @property
    def answered_rate(self) -> float | None:
        """Share of answered authors who came back."""
        return self.answered_returned / self.answered_n if self.answered_n else None

    @property
    def unanswered_rate(self) -> float | None:
        """Share of unanswered authors who came back."""
        return self.unanswered_returned / self.unanswered_n if self.unanswered_n else None


def rate_difference(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float]:
    """Difference of two proportions x1/n1 - x2/n2 with Newcombe's 95% interval.

    Newcombe's hybrid score interval (method 10): with Wilson intervals (l_i, u_i),
    L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).

    Source: Newcombe (1998), Statistics in Medicine 17: 873-890; 56/70 vs 48/80
    gives 0.2 (0.0524, 0.3339).

    Examples
    --------
    >>> tuple(round(v, 3) for v in rate_difference(8, 10, 4, 10))
    (0.4, -0.023, 0.673)
    """
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    return x1 / n1 - x2 / n2, float(low), float(high)


def answer_effect(ds: Dataset, answer_days: int = 30, return_days: int = 90) -> ReturnEffect:
    """Does an answer bring an author back? Return rates of answered vs unanswered.

    For each author's first idea (submitted at s): *answered* if staff answered it
    within ``answer_days``; *returned* if the author has any event other than
    ``member.joined`` in (s + answer_days, s + answer_days + return_days]. Only
    authors whose window has ended by the last event count. Both groups are timed
    from the same point, so the answer itself cannot count as the return.

    Effect = returned share (answered) - returned share (unanswered), with
    :func:`rate_difference`'s Newcombe 95% interval. Observational: ideas that get
    answered may differ from those that do not. With fewer than
    :data:`~prosumo.analytics.metrics.precision.MIN_GROUP_FOR_INTERVAL` authors in
    either group, ``low`` and ``high`` are ``None`` and ``note`` says why.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> effect = answer_effect(ds)
    >>> effect.answered_n, effect.unanswered_n, effect.difference
    (0, 0, None)
    """
    answers = idea_answers(ds)
    first_window = ibis.window(group_by="author_id", order_by=["submitted_day", "idea_id"])
    firsts = answers.mutate(rn=ibis.row_number().over(first_window)).filter(ibis._.rn == 0)
    last = float(epoch_days(ds.events.occurred_at.max()).execute())
    staff_free = people(ds.members).select("member_id")
    firsts = firsts.join(staff_free, firsts.author_id == staff_free.member_id)
    firsts = firsts.filter(firsts.submitted_day + answer_days + return_days <= last)
    firsts = firsts.select(
        author_id=firsts.author_id,
        start=firsts.submitted_day + answer_days,
        answered=(firsts.days_to_answer <= answer_days).fill_null(False),
    )
    ev = ds.events.filter((ds.events.verb != "member.joined") & ds.events.actor_id.notnull())
    ev = ev.select(actor_id=ev.actor_id, day=epoch_days(ev.occurred_at))
    hits = firsts.join(
        ev,
        [
            firsts.author_id == ev.actor_id,
            ev.day > firsts.start,
            ev.day <= firsts.start + return_days,
        ],
    )
    back = hits.select("author_id").distinct().mutate(came_back=ibis.literal(1))
    flagged = firsts.left_join(back, firsts.author_id == back.author_id)
    summary = (
        flagged.group_by(flagged.answered)
        .aggregate(n=ibis._.count(), returned=flagged.came_back.fill_null(0).sum())
        .execute()
        .set_index("answered")
    )
    a_n = int(summary["n"].get(True, 0))
    a_r = int(summary["returned"].get(True, 0))
    u_n = int(summary["n"].get(False, 0))
    u_r = int(summary["returned"].get(False, 0))
    if not (a_n and u_n):
        return ReturnEffect(a_n, a_r, u_n, u_r, None, None, None)
    diff, low, high = rate_difference(a_r, a_n, u_r, u_n)
    if not enough_for_interval(a_n, u_n):
        note = too_few_note("the return-rate difference", {"answered": a_n, "unanswered": u_n})
        return ReturnEffect(a_n, a_r, u_n, u_r, diff, None, None, note)
    return ReturnEffect(a_n, a_r, u_n, u_r, diff, low, high)


@dataclass(frozen=True)
class RelationshipFigures:
    """Question 5: members by level and their moves, and whether answering ideas brings authors back."""

    levels: pd.DataFrame
    moves: pd.DataFrame
    matrix: pd.DataFrame
    answers: dict[str, Any]
    effect: ReturnEffect


def compute(ds: Dataset) -> RelationshipFigures:
    """Question 5's figures; the level tables share one :func:`level_transitions`."""
    transitions = level_transitions(ds)
    return RelationshipFigures(
        levels=level_counts(ds, transitions=transitions),
        moves=level_moves(ds, transitions=transitions),
        matrix=level_matrix(ds, transitions=transitions),
        answers=answer_summary(ds),
        effect=answer_effect(ds),
    )
