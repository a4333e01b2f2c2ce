"""Question 4: which channels bring members who take part, and at what cost?

Per acquisition channel (``members.channel``): reach, activation, conversion to each
funnel step, accepted ideas per 100 members, cost per activated contributor (when
``costs`` is given) and the 90-day retention of the cohort; then every pair of
channels compared by the posterior probability that one activates better.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from scipy.special import betaln

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics import attribution, involvement
from prosumo.analytics.metrics.activity import (
    CONTRIBUTION_VERBS,
    FUNNEL_STEPS,
    epoch_days,
    is_accepted,
    people,
    tagged_events,
)
from prosumo.analytics.metrics.precision import TOO_FEW, enough_for_interval, too_few_note

UNKNOWN = "(unknown)"


def prob_b_beats_a(successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> float:
    """Posterior probability that rate B exceeds rate A, with Beta(1, 1) priors.

    With alpha = 1 + successes and beta = 1 + failures for each arm:

    P(p_B > p_A) = sum_{i=0}^{alpha_B - 1} B(alpha_A + i, beta_A + beta_B)
                   / ((beta_B + i) B(1 + i, beta_B) B(alpha_A, beta_A))

    evaluated in log space (exact, no simulation).

    Source: the closed form for two Beta posteriors (Evan Miller, "Formulas for
    Bayesian A/B testing"); METRICS.md E3, where 10/100 vs 15/100 gives 0.853.

    Examples
    --------
    >>> round(prob_b_beats_a(10, 100, 15, 100), 3)
    0.853
    """
    if min(trials_a, trials_b) < 0 or not (0 <= successes_a <= trials_a) or not (0 <= successes_b <= trials_b):
        raise ValueError("successes must lie between 0 and trials")
    a_a, b_a = 1 + successes_a, 1 + trials_a - successes_a
    a_b, b_b = 1 + successes_b, 1 + trials_b - successes_b
    i = np.arange(a_b, dtype="float64")
    log_terms = betaln(a_a + i, b_a + b_b) - np.log(b_b + i) - betaln(1 + i, b_b) - betaln(a_a, b_a)
    return float(np.exp(log_terms).sum())


def channel_table(ds: Dataset, retention_days: int = 90) -> pd.DataFrame:
    """Per channel: reach, activation, funnel conversion, quality, cost and retention.

    For channel c with cohort M_c (non-staff members whose ``channel`` is c):

    * ``reach`` R_c = |M_c|;
    * ``activated`` = members of M_c with at least one contribution (vote, comment,
      idea, revision, co-authorship); ``activation`` A_c = activated / R_c;
    * ``share_<step>`` = members of M_c who took that funnel step themselves, / R_c
      (see :func:`~prosumo.analytics.metrics.involvement.funnel`);
    * ``accepted_per_100`` = 100 x accepted ideas submitted by M_c / R_c;
    * ``spend`` and ``cost_per_activated`` = spend_c / activated (null without
      ``costs``);
    * ``retention_90`` = among members who joined at least ``retention_days`` before
      the last event, the share with any activity in days
      [retention_days - 30, retention_days) after joining ("still active in the
      third month").

    Source: METRICS.md 4a (reach, activation, CPA, cohort retention).

    Returns
    -------
    pandas.DataFrame
        One row per channel, sorted by reach (largest first).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> channel_table(ds)[["channel", "reach", "activated", "activation"]].to_dict("records")
    [{'channel': 'ads', 'reach': 2, 'activated': 2, 'activation': 1.0},
     {'channel': 'search', 'reach': 2, 'activated': 1, 'activation': 0.5}]
    """
    members = people(ds.members)
    cohort = members.select(
        member_id=members.member_id,
        channel=members.channel.fill_null(UNKNOWN),
        join_day=epoch_days(members.joined_at),
    )
    reach = cohort.group_by("channel").aggregate(reach=ibis._.count())

    tagged = tagged_events(ds.events)
    contributors = tagged.filter(tagged.verb.isin(CONTRIBUTION_VERBS)).select("member_id").distinct()
    act = cohort.join(contributors, cohort.member_id == contributors.member_id)
    activated = act.group_by("channel").aggregate(activated=ibis._.count())

    ideas = ds.ideas.filter(is_accepted(ds.ideas.status))
    acc = ideas.join(cohort, ideas.author_id == cohort.member_id)
    accepted = acc.group_by("channel").aggregate(accepted_ideas=ibis._.count())

    last_day = float(epoch_days(ds.events.occurred_at.max()).execute())
    eligible = cohort.filter(cohort.join_day + retention_days <= last_day)
    ev = ds.events.filter(ds.events.verb != "member.joined")
    ev = ev.select(member_id=ev.actor_id, day=epoch_days(ev.occurred_at))
    seen = eligible.join(ev, eligible.member_id == ev.member_id)
    offset = seen.day - seen.join_day
    retained_ids = (
        seen.filter((offset >= retention_days - 30) & (offset < retention_days)).select("member_id").distinct()
    )
    elig = eligible.group_by("channel").aggregate(eligible=ibis._.count())
    ret = eligible.join(retained_ids, eligible.member_id == retained_ids.member_id)
    retained = ret.group_by("channel").aggregate(retained=ibis._.count())

    out = reach.execute().set_index("channel")
    for part in (activated, accepted, elig, retained):
        out = out.join(part.execute().set_index("channel"))
    out = out.fillna(0).astype("int64")
    out["activation"] = out["activated"] / out["reach"]
    out["accepted_per_100"] = 100 * out["accepted_ideas"] / out["reach"]
    out["retention_90"] = out["retained"] / out["eligible"].replace(0, np.nan)

    fun = involvement.funnel(ds, by="channel").pivot(index="group", columns="step", values="share")
    fun = fun.reindex(columns=list(FUNNEL_STEPS)).add_prefix("share_")
    out = out.join(fun)

    if ds.costs is not None:
        spend = ds.costs.group_by("channel").aggregate(spend=ds.costs.spend.sum()).execute()
        out = out.join(spend.set_index("channel"))
        out["cost_per_activated"] = out["spend"] / out["activated"].replace(0, np.nan)
    else:
        out["spend"] = np.nan
        out["cost_per_activated"] = np.nan
    out = out.rename_axis("channel").reset_index()
    return out.sort_values(["reach", "channel"], ascending=[False, True]).reset_index(drop=True)


def channel_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """Every pair of channels: P(activation of B > activation of A) from Beta posteriors.

    Uses :func:`prob_b_beats_a` on (activated, reach) of each channel of
    :func:`channel_table`; a probability near 1 (or 0) means the data favour B
    (or A), 0.5 that they cannot tell them apart.

    Returns
    -------
    pandas.DataFrame
        ``channel_a, channel_b, activation_a, activation_b, p_b_better``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> channel_comparison(channel_table(ds)).round(3).to_dict("records")
    [{'channel_a': 'ads',
      'channel_b': 'search',
      'activation_a': 1.0,
      'activation_b': 0.5,
      'p_b_better': 0.2}]
    """
    rows = []
    for a, b in itertools.combinations(table.to_dict("records"), 2):
        rows.append(
            {
                "channel_a": a["channel"],
                "channel_b": b["channel"],
                "activation_a": a["activation"],
                "activation_b": b["activation"],
                "p_b_better": prob_b_beats_a(
                    int(a["activated"]), int(a["reach"]), int(b["activated"]), int(b["reach"])
                ),
            }
        )
    cols = ["channel_a", "channel_b", "activation_a", "activation_b", "p_b_better"]
    return pd.DataFrame(rows, columns=cols)


def beta_interval(successes: int, trials: int) -> tuple[float, float]:
    """Equal-tailed 95% interval of the Beta(1 + s, 1 + n - s) posterior.

    Examples
    --------
    >>> tuple(round(v, 3) for v in beta_interval(3, 10))
    (0.109, 0.61)
    """
    from scipy.stats import beta

    low, high = beta.ppf([0.025, 0.975], 1 + successes, 1 + trials - successes)
    return float(low), float(high)


def activation_intervals(table: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Each channel's 95% credible interval of activation (:func:`beta_interval`), where it has the members.

    A channel that brought fewer than
    :data:`~prosumo.analytics.metrics.precision.MIN_GROUP_FOR_INTERVAL` members gets
    no interval (``low_95``, ``high_95`` empty, ``interval`` = "too few"), and the
    note names those channels.

    Returns
    -------
    (pandas.DataFrame, str or None)
        :func:`channel_table` with ``low_95, high_95, interval`` added; the note.

    Examples
    --------
    >>> table = pd.DataFrame({"channel": ["ads", "search"], "reach": [10, 4], "activated": [3, 1]})
    >>> out, note = activation_intervals(table)
    >>> out.round(3).to_dict("records")
    [{'channel': 'ads', 'reach': 10, 'activated': 3, 'low_95': 0.109, 'high_95': 0.61, 'interval': ''},
     {'channel': 'search', 'reach': 4, 'activated': 1, 'low_95': nan, 'high_95': nan, 'interval': 'too few'}]
    >>> note
    'No 95% interval for the activation of search: search 4 members; each group needs at least 10.'
    """
    enough = [enough_for_interval(int(n)) for n in table["reach"]]
    bounds = [
        beta_interval(int(a), int(n)) if ok else (np.nan, np.nan)
        for a, n, ok in zip(table["activated"], table["reach"], enough, strict=True)
    ]
    out = table.assign(
        low_95=[b[0] for b in bounds],
        high_95=[b[1] for b in bounds],
        interval=["" if ok else TOO_FEW for ok in enough],
    )
    few = {str(c): int(n) for c, n, ok in zip(table["channel"], table["reach"], enough, strict=True) if not ok}
    note = too_few_note(f"the activation of {', '.join(few)}", few) if few else None
    return out, note


@dataclass(frozen=True)
class ChannelsFigures:
    """Question 4: activation per channel, pairwise comparisons and multi-touch attribution."""

    table: pd.DataFrame
    pairs: pd.DataFrame
    journey_types: pd.DataFrame
    credit: pd.DataFrame
    multi_touch: float
    has_costs: bool
    #: The channels with too few members for an interval (else ``None``).
    note: str | None = None


def compute(ds: Dataset) -> ChannelsFigures:
    """Question 4's tables; ``multi_touch`` is the share of journeys that touch more than one channel.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> figures = compute(ds)
    >>> list(figures.table["channel"]), figures.multi_touch, figures.has_costs
    (['ads', 'search'], 0.0, False)
    """
    table, note = activation_intervals(channel_table(ds))
    types, journey_channels = attribution.journey_types(ds)
    sizes = np.bitwise_count(types["mask"].to_numpy(dtype="uint64")) if len(types) else np.zeros(0)
    multi = float(types.loc[sizes > 1, "members"].sum() / types["members"].sum()) if len(types) else 0.0
    return ChannelsFigures(
        table=table,
        pairs=channel_comparison(table),
        journey_types=types,
        credit=attribution.attribution_table(types, journey_channels),
        multi_touch=multi,
        has_costs=ds.costs is not None,
        note=note,
    )
