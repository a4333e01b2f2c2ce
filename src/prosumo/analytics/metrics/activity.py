"""The activity vocabulary every metric shares: stages, weights, credits, funnel steps.

One place says which event counts as *collecting*, *processing* or *analysing*
product information, how much each weighs (Orbit-style, 1-12), which ideas count as
accepted, and who is credited for an idea. All functions return Ibis expressions, so
they run unchanged on DuckDB and Spark.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from prosumo.analytics.dataset import Dataset

#: Idea stages at or beyond acceptance: the company said yes.
ACCEPTED_STATUSES: tuple[str, ...] = ("accepted", "in_development", "launched")

#: verb -> (stage, Orbit-style weight). A comment that builds on an idea (an
#: improvement proposal, ``details.builds_on = true``) is moved to *analyse*, weight 5.
VERB_STAGE_WEIGHT: dict[str, tuple[str, int]] = {
    "member.visited": ("collect", 1),
    "idea.viewed": ("collect", 1),
    "survey.answered": ("collect", 1),
    "idea.supported": ("process", 2),
    "idea.support_withdrawn": ("process", 2),
    "idea.rated": ("process", 2),
    # a pairwise wiki-survey answer weighs an idea against another: processing, but not a
    # support vote (it is not in VOTE_VERBS, so no support tally or opinion matrix reads it)
    "pairwise.chosen": ("process", 2),
    "pairwise.cant_decide": ("process", 1),
    # a participatory-budget ballot spends a budget over several ideas: processing, and
    # not a support vote either (the budget results read the ballots themselves)
    "budget.ballot_cast": ("process", 2),
    "budget.ballot_changed": ("process", 2),
    "comment.posted": ("process", 3),
    "idea.revised": ("analyse", 5),
    "idea.submitted": ("analyse", 8),
    "idea.coauthor_added": ("analyse", 8),
    # an amendment is text written for someone else's idea: a revision's weight when
    # proposed, and a co-author's when its author accepts it (credited to the amender)
    "idea.amendment_proposed": ("analyse", 5),
    "idea.amendment_updated": ("analyse", 2),
    "idea.amendment_accepted": ("analyse", 8),
}
BUILDS_ON_WEIGHT = 5
STAGES: tuple[str, ...] = ("collect", "process", "analyse")

#: Verbs that count as a *contribution* (anything beyond reading).
CONTRIBUTION_VERBS: tuple[str, ...] = tuple(v for v, (stage, _) in VERB_STAGE_WEIGHT.items() if stage != "collect")
#: Verbs that are co-production in Etgar's sense: the member produces something.
COPRODUCTION_VERBS: tuple[str, ...] = (
    "idea.submitted",
    "idea.coauthor_added",
    "idea.revised",
    "idea.amendment_proposed",
    "idea.amendment_accepted",
)
#: Verbs that make their target a co-author of the idea: an accepted invitation, an accepted amendment.
COAUTHOR_VERBS: tuple[str, ...] = ("idea.coauthor_added", "idea.amendment_accepted")
VOTE_VERBS: tuple[str, ...] = ("idea.supported", "idea.support_withdrawn", "idea.rated")

#: On a 1-5 score (``idea.rated``), the lowest score that counts as support: the top
#: two boxes, 4 and 5.
SUPPORT_MIN_SCORE = 4.0

#: The involvement funnel, in order.
FUNNEL_STEPS: tuple[str, ...] = (
    "visited",
    "voted",
    "commented",
    "submitted",
    "co-authored",
    "accepted",
)

_BUILDS_ON_RE = r'"builds_on"\s*:\s*true'
_SECONDS_PER_DAY = 86_400


def builds_on(events: ir.Table) -> ir.BooleanColumn:
    """True for a ``comment.posted`` whose details say ``"builds_on": true``.

    A regular expression on the JSON text rather than a JSON function, so that the
    same expression runs on every backend.
    """
    return (events.verb == "comment.posted") & events.details.re_search(_BUILDS_ON_RE).fill_null(False)


def credited_member(events: ir.Table) -> ir.IntegerColumn:
    """The member an event credits: the actor, except a co-author added or an amender accepted (the target)."""
    return ibis.cases(
        (events.verb.isin(COAUTHOR_VERBS), events.target_member_id),
        else_=events.actor_id,
    )


def tagged_events(events: ir.Table) -> ir.Table:
    """Events credited to a member, with their involvement ``stage`` and ``weight``.

    Columns: ``member_id, occurred_at, verb, stage, weight, builds_on`` plus the
    event's ``object_id, target_member_id, campaign_id, channel, value``. Events of
    verbs outside :data:`VERB_STAGE_WEIGHT` have a null stage and weight 0.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> t = tagged_events(ds.events).execute()
    >>> t.groupby("stage")["weight"].sum().to_dict()
    {'analyse': 24, 'collect': 4, 'process': 13}
    """
    stage_cases = [(events.verb == v, s) for v, (s, _) in VERB_STAGE_WEIGHT.items()]
    weight_cases = [(events.verb == v, w) for v, (_, w) in VERB_STAGE_WEIGHT.items()]
    is_builds_on = builds_on(events)
    stage = ibis.cases((is_builds_on, "analyse"), *stage_cases, else_=ibis.null("string"))
    weight = ibis.cases((is_builds_on, BUILDS_ON_WEIGHT), *weight_cases, else_=0)
    return events.select(
        member_id=credited_member(events),
        occurred_at=events.occurred_at,
        verb=events.verb,
        stage=stage,
        weight=weight.cast("int64"),
        builds_on=is_builds_on,
        object_id=events.object_id,
        target_member_id=events.target_member_id,
        campaign_id=events.campaign_id,
        channel=events.channel,
        value=events.value,
    ).filter(ibis._.member_id.notnull())


def current_supports(events: ir.Table) -> ir.Table:
    """Each member's support that stands today: ``member_id, idea_id, author_id``.

    A member's vote on an idea is their last ``idea.supported``, ``idea.rated`` or
    ``idea.support_withdrawn`` row (by time, then event id): a changed vote counts
    once, with its new value, and a withdrawn vote not at all. The vote is support
    when it is positive:

    * ``idea.supported``: value > 0 (+1 on support and up/down campaigns, Pol.is
      agree); an empty value is read as +1 (a support campaign has only one kind of
      vote). A down vote or a Pol.is disagree (-1) and a Pol.is pass (0) are not
      support;
    * ``idea.rated``: a score of at least :data:`SUPPORT_MIN_SCORE` on the 1-5 scale;
    * ``idea.support_withdrawn``: never.

    ``author_id`` is the event's target (the idea's author).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> s = current_supports(ds.events).execute().sort_values(["idea_id", "member_id"])
    >>> s[["member_id", "idea_id"]].to_dict("records")
    [{'member_id': 2, 'idea_id': 10},
     {'member_id': 3, 'idea_id': 10},
     {'member_id': 2, 'idea_id': 11},
     {'member_id': 3, 'idea_id': 11},
     {'member_id': 2, 'idea_id': 12}]
    """
    votes = events.filter(events.verb.isin(VOTE_VERBS) & events.object_id.notnull() & events.actor_id.notnull())
    last = votes.mutate(
        newest=ibis.row_number().over(
            group_by=[votes.actor_id, votes.object_id],
            order_by=[ibis.desc(votes.occurred_at), ibis.desc(votes.event_id)],
        )
    )
    last = last.filter(last.newest == 0)
    positive = ibis.cases(
        (last.verb == "idea.supported", last.value.fill_null(1.0) > 0),
        (last.verb == "idea.rated", last.value >= SUPPORT_MIN_SCORE),
        else_=False,
    )
    kept = last.filter(positive.fill_null(False))
    return kept.select(member_id=kept.actor_id, idea_id=kept.object_id, author_id=kept.target_member_id)


def people(members: ir.Table) -> ir.Table:
    """Members who are not staff: the population every metric describes.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> people(ds.members).member_id.execute().sort_values().tolist()
    [1, 2, 3, 4]
    """
    return members.filter(~members.is_staff)


def idea_credits(ds: Dataset) -> ir.Table:
    """Who is credited for each idea: ``idea_id, member_id, share``.

    From ``idea_authors`` when the dataset has it, else the submitting member with
    share 1 (the contract's rule).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> idea_credits(ds).execute().sort_values("idea_id").to_dict("records")
    [{'idea_id': 10, 'member_id': 1, 'share': 1.0},
     {'idea_id': 11, 'member_id': 2, 'share': 1.0},
     {'idea_id': 12, 'member_id': 1, 'share': 1.0}]
    """
    if ds.idea_authors is not None:
        return ds.idea_authors.select("idea_id", "member_id", "share")
    return ds.ideas.select(idea_id=ds.ideas.idea_id, member_id=ds.ideas.author_id, share=ibis.literal(1.0))


def is_accepted(status: ir.StringValue) -> ir.BooleanValue:
    """True for an idea whose current stage is accepted or beyond.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> ds.ideas.filter(is_accepted(ds.ideas.status)).idea_id.execute().tolist()
    [10]
    """
    return status.isin(ACCEPTED_STATUSES)


def month_index(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Months since year 0 (``year * 12 + month - 1``): a portable month number."""
    return (ts.year() * 12 + ts.month() - 1).cast("int64")


def epoch_days(ts: ir.TimestampValue) -> ir.FloatingValue:
    """Days since 1970-01-01 as a float, to the millisecond, the same on every backend.

    Whole seconds plus the milliseconds: DuckDB's epoch seconds keep the microseconds
    and Spark's drop everything below the second, so neither is used as is; both
    extract milliseconds (Ibis cannot extract microseconds on Spark).
    """
    seconds = ts.truncate("s").epoch_seconds().cast("float64") + ts.millisecond().cast("float64") / 1000.0
    return seconds / _SECONDS_PER_DAY


#: Column name of each funnel step's flag in :func:`member_steps`.
STEP_COLUMNS: tuple[str, ...] = tuple(s.replace("-", "") for s in FUNNEL_STEPS)


def member_steps(ds: Dataset) -> ir.Table:
    """One row per member who reached any funnel step, with a 0/1 flag per step.

    Columns ``member_id`` and :data:`STEP_COLUMNS` (``visited, voted, commented,
    submitted, coauthored, accepted``) plus ``deepest`` (index of the last step
    reached in :data:`FUNNEL_STEPS`). Steps: *visited* = any event by the member
    (other than ``member.joined``); *voted* = a support, withdrawal or rating;
    *commented* = a comment; *submitted* = an idea submitted (event or
    ``ideas.author_id``); *co-authored* = named co-author of someone else's idea
    (target of ``idea.coauthor_added`` or ``idea.amendment_accepted``, or a non-submitting
    row of ``idea_authors``);
    *accepted* = credited on an idea whose current stage is accepted, in development
    or launched.

    One pass over the events (grouped by actor) plus the small idea tables, so it
    scales with members, not with events.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> member_steps(ds).execute().sort_values("member_id")[["member_id", "deepest"]].to_dict("records")
    [{'member_id': 1, 'deepest': 5},
     {'member_id': 2, 'deepest': 3},
     {'member_id': 3, 'deepest': 1},
     {'member_id': 4, 'deepest': 0},
     {'member_id': 5, 'deepest': 0}]
    """
    ev = ds.events.filter((ds.events.verb != "member.joined") & ds.events.actor_id.notnull())

    def flag(cond: Any) -> Any:
        return ibis.cases((cond, 1), else_=0).max().cast("int64")

    zero = ibis.literal(0).cast("int64")
    one = ibis.literal(1).cast("int64")
    from_events = ev.group_by(member_id=ev.actor_id).aggregate(
        visited=one,
        voted=flag(ev.verb.isin(VOTE_VERBS)),
        commented=flag(ev.verb == "comment.posted"),
        submitted=flag(ev.verb == "idea.submitted"),
        coauthored=zero,
        accepted=zero,
    )

    def rows(member_id: Any, step: str) -> ir.Table:
        values = {c: (one if c == step else zero) for c in STEP_COLUMNS}
        return member_id.name("member_id").as_table().select("member_id", **values)

    ideas = ds.ideas
    credits = idea_credits(ds)
    with_ideas = credits.join(ideas, credits.idea_id == ideas.idea_id)
    added = ev.filter(ev.verb.isin(COAUTHOR_VERBS))
    parts = [
        from_events,
        rows(ideas.author_id, "submitted"),
        rows(added.target_member_id, "coauthored"),
        rows(with_ideas.filter(with_ideas.member_id != with_ideas.author_id).member_id, "coauthored"),
        rows(with_ideas.filter(is_accepted(with_ideas.status)).member_id, "accepted"),
    ]
    unioned = ibis.union(*parts, distinct=False)
    unioned = unioned.filter(unioned.member_id.notnull())
    flags = unioned.group_by("member_id").aggregate(**{c: unioned[c].max() for c in STEP_COLUMNS})
    deepest = ibis.greatest(*[flags[c] * (i + 1) for i, c in enumerate(STEP_COLUMNS)]) - 1
    return flags.mutate(deepest=deepest.cast("int64"))


def contributions_per_member(ds: Dataset) -> ir.Table:
    """Contribution count per non-staff member, zeros included: ``member_id, contributions``.

    A contribution is an event of :data:`CONTRIBUTION_VERBS` credited to the member.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> contributions_per_member(ds).execute().sort_values("member_id").to_dict("records")
    [{'member_id': 1, 'contributions': 2},
     {'member_id': 2, 'contributions': 5},
     {'member_id': 3, 'contributions': 2},
     {'member_id': 4, 'contributions': 0}]
    """
    tagged = tagged_events(ds.events)
    counts = (
        tagged.filter(tagged.verb.isin(CONTRIBUTION_VERBS))
        .group_by("member_id")
        .aggregate(contributions=ibis._.count())
    )
    members = people(ds.members).select("member_id")
    joined = members.left_join(counts, members.member_id == counts.member_id)
    return joined.select(
        member_id=joined.member_id,
        contributions=joined.contributions.fill_null(0).cast("int64"),
    )


def co_creation_start(ds: Dataset) -> ir.Table:
    """First co-creation of each non-staff member: ``member_id, start_day``.

    Co-creation (co-production in Etgar's sense) = an *analyse*-stage act: submitting,
    revising or co-authoring an idea, or a comment that builds on one. ``start_day``
    is in days since 1970-01-01.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> co_creation_start(ds).execute().sort_values("member_id").to_dict("records")
    [{'member_id': 1, 'start_day': 19727.5}, {'member_id': 2, 'start_day': 19737.5}]
    """
    return _first_act(ds, ("analyse",))


def contribution_start(ds: Dataset) -> ir.Table:
    """First contribution of each non-staff member: ``member_id, start_day``.

    A contribution is a *process* or *analyse* act (a vote, a comment, an idea, a
    co-authorship credited to the co-author), the definition the involvement and
    channel metrics use. ``start_day`` is in days since 1970-01-01.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> contribution_start(ds).execute().sort_values("member_id").to_dict("records")
    [{'member_id': 1, 'start_day': 19727.5},
     {'member_id': 2, 'start_day': 19728.5},
     {'member_id': 3, 'start_day': 19734.5}]
    """
    return _first_act(ds, ("process", "analyse"))


def _first_act(ds: Dataset, stages: tuple[str, ...]) -> ir.Table:
    tagged = tagged_events(ds.events).filter(ibis._.stage.isin(stages))
    staff_free = people(ds.members).select("member_id")
    tagged = tagged.semi_join(staff_free, tagged.member_id == staff_free.member_id)
    return tagged.group_by("member_id").aggregate(start_day=epoch_days(tagged.occurred_at).min())
