"""Question 7: are contributors' intellectual property and their consent protected?

Reads the ideas' ``licence`` and ``terms_version``, and the optional tables
``terms_versions``, ``terms_acceptances``, ``proof_log`` and ``ip_flags``
(docs/dataset.md):

* contributions under each licence and each terms version (a contribution here is an
  idea: the licence and the terms are chosen per idea);
* the share of contributions the proof log covers: ideas whose first revision is
  logged, and comments (``comment.posted`` events) whose text as posted is logged;
* the time from an idea's submission to its first logged proof, in seconds: median and
  95th percentile (linear interpolation);
* disputes and prior-art flags: how many, and the share of ideas flagged;
* consent coverage per segment: of each segment's active members (a contribution in the
  ``days`` days up to the last event, staff left out), the share who accepted the
  current terms version (the highest published one).

Source: METRICS.md 7 (terms, evidence of authorship, near-duplicate flags); the
coverage and delay figures are our own reading of what "protected" means in practice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd

from prosumo.analytics.dataset import FLAG_KINDS, Dataset
from prosumo.analytics.metrics.activity import CONTRIBUTION_VERBS, people, tagged_events

#: Shown for an idea without a licence or terms version, and a member without a segment.
NONE = "none"
#: The high percentile of the time to proof.
HIGH_PERCENTILE = 95
#: How far back a member's contributions make them active, for consent coverage.
ACTIVE_DAYS = 90


def _share(part: float, whole: float) -> float | None:
    return round(float(part) / float(whole), 6) if whole else None


def _ideas_by(ds: Dataset, column: str, name: str) -> pd.DataFrame:
    i = ds.ideas
    table = i.group_by(value=i[column].cast("string")).aggregate(ideas=i.count()).execute()
    table["value"] = table["value"].astype(object).where(table["value"].notna(), NONE)
    table = table.rename(columns={"value": name}).astype({"ideas": "int64"})
    total = int(table["ideas"].sum())
    table["share"] = [_share(n, total) for n in table["ideas"]]
    return table.sort_values(["ideas", name], ascending=[False, True]).reset_index(drop=True)


def by_licence(ds: Dataset) -> pd.DataFrame:
    """Ideas under each licence: ``licence, ideas, share`` (``none``: submitted before any terms).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> by_licence(example_dataset(ip=True)).to_dict("records")
    [{'licence': 'assignment', 'ideas': 1, 'share': 0.333333},
     {'licence': 'exclusive', 'ideas': 1, 'share': 0.333333},
     {'licence': 'non_exclusive', 'ideas': 1, 'share': 0.333333}]
    """
    return _ideas_by(ds, "licence", "licence")


def by_terms_version(ds: Dataset) -> pd.DataFrame:
    """Ideas under each terms version: ``terms_version, ideas, share`` (the version as text; ``none``: no terms).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> by_terms_version(example_dataset(ip=True)).to_dict("records")
    [{'terms_version': '1', 'ideas': 2, 'share': 0.666667}, {'terms_version': '2', 'ideas': 1, 'share': 0.333333}]
    """
    return _ideas_by(ds, "terms_version", "terms_version")


def proof_delays(ds: Dataset) -> pd.DataFrame:
    """Per idea: ``idea_id, seconds`` from its submission to its first logged revision (null: not logged).

    Empty when the dataset has no proof log.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> proof_delays(example_dataset(ip=True)).to_dict("records")
    [{'idea_id': 10, 'seconds': 2.0}, {'idea_id': 11, 'seconds': nan}, {'idea_id': 12, 'seconds': 60.0}]
    """
    if ds.proof_log is None:
        return pd.DataFrame({"idea_id": pd.Series(dtype="int64"), "seconds": pd.Series(dtype="float64")})
    log = ds.proof_log.filter(ds.proof_log.kind == "revision")
    first = log.group_by(logged_idea=log.idea_id).aggregate(first_logged=log.logged_at.min())
    ideas = ds.ideas.select("idea_id", "created_at")
    joined = ideas.left_join(first, ideas.idea_id == first.logged_idea)
    seconds = joined.first_logged.epoch_seconds() - joined.created_at.epoch_seconds()
    table = joined.select(idea_id=joined.idea_id, seconds=seconds.cast("float64")).execute()
    table = table.astype({"idea_id": "int64", "seconds": "float64"})
    table["seconds"] = table["seconds"].clip(lower=0.0)  # a revision logged before its idea's clock: no delay
    return table.sort_values("idea_id").reset_index(drop=True)


def proof_coverage(ds: Dataset) -> pd.DataFrame:
    """Contributions the proof log covers: ``contribution, contributions, logged, share`` for ideas and comments.

    An idea is covered when a revision of it is logged; a comment (``comment.posted``,
    its ``object_id`` the comment) when its text as posted is. Empty without a proof log.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> proof_coverage(example_dataset(ip=True)).to_dict("records")
    [{'contribution': 'ideas', 'contributions': 3, 'logged': 2, 'share': 0.666667},
     {'contribution': 'comments', 'contributions': 1, 'logged': 1, 'share': 1.0}]
    """
    columns = ["contribution", "contributions", "logged", "share"]
    if ds.proof_log is None:
        return pd.DataFrame(columns=columns)
    delays = proof_delays(ds)
    ideas, ideas_logged = len(delays), int(delays["seconds"].notna().sum())
    ev = ds.events
    posted = ev.filter((ev.verb == "comment.posted") & ev.object_id.notnull()).select(comment_id=ev.object_id)
    posted = posted.distinct()
    log = ds.proof_log
    logged = log.filter((log.kind == "comment") & (log.version == 0)).select(logged_id=log.object_id).distinct()
    comments = int(posted.count().execute())
    comments_logged = int(posted.join(logged, posted.comment_id == logged.logged_id).count().execute())
    rows = [
        ("ideas", ideas, ideas_logged, _share(ideas_logged, ideas)),
        ("comments", comments, comments_logged, _share(comments_logged, comments)),
    ]
    return pd.DataFrame(rows, columns=columns)


def flags(ds: Dataset) -> pd.DataFrame:
    """Disputes and prior-art flags: ``kind, flags, ideas, share`` (share of all ideas), and ``any`` kind.

    Empty without an ``ip_flags`` table.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> flags(example_dataset(ip=True)).to_dict("records")
    [{'kind': 'dispute', 'flags': 1, 'ideas': 1, 'share': 0.333333},
     {'kind': 'prior_art', 'flags': 1, 'ideas': 1, 'share': 0.333333},
     {'kind': 'any', 'flags': 2, 'ideas': 2, 'share': 0.666667}]
    """
    columns = ["kind", "flags", "ideas", "share"]
    if ds.ip_flags is None:
        return pd.DataFrame(columns=columns)
    f = ds.ip_flags
    total = int(ds.ideas.count().execute())
    per = f.group_by("kind").aggregate(flags=f.count(), ideas=f.idea_id.nunique()).execute()
    found = {row.kind: (int(row.flags), int(row.ideas)) for row in per.itertuples()}
    overall = f.aggregate(flags=f.count(), ideas=f.idea_id.nunique()).execute().iloc[0]
    rows = [(kind, *found.get(kind, (0, 0))) for kind in FLAG_KINDS]
    rows.append(("any", int(overall["flags"]), int(overall["ideas"])))
    return pd.DataFrame([(k, n, i, _share(i, total)) for k, n, i in rows], columns=columns)


def current_terms_version(ds: Dataset) -> int | None:
    """The highest published terms version (or, without ``terms_versions``, the highest accepted); None without terms.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> current_terms_version(example_dataset(ip=True)), current_terms_version(example_dataset())
    (2, None)
    """
    for table, column in ((ds.terms_versions, "version"), (ds.terms_acceptances, "version")):
        if table is not None:
            top = table[column].max().execute()
            if top is not None and not pd.isna(top):
                return int(top)
    return None


def consent_by_segment(ds: Dataset, days: int = ACTIVE_DAYS) -> pd.DataFrame:
    """Per segment: ``segment, active, accepted, share`` of active members who accepted the current terms.

    Active: a contribution (:data:`~prosumo.analytics.metrics.activity.CONTRIBUTION_VERBS`)
    in the ``days`` days up to the dataset's last event; staff are left out; members
    without a segment are ``none``. The last row, ``all``, is every active member. Empty
    without terms.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> consent_by_segment(example_dataset(ip=True)).to_dict("records")
    [{'segment': 'buyers', 'active': 1, 'accepted': 0, 'share': 0.0},
     {'segment': 'makers', 'active': 2, 'accepted': 1, 'share': 0.5},
     {'segment': 'all', 'active': 3, 'accepted': 1, 'share': 0.333333}]
    """
    columns = ["segment", "active", "accepted", "share"]
    version = current_terms_version(ds)
    if version is None or ds.terms_acceptances is None:
        return pd.DataFrame(columns=columns)
    last = ds.events.occurred_at.max().execute()
    if last is None or pd.isna(last):
        return pd.DataFrame(columns=columns)
    since = pd.Timestamp(last).to_pydatetime() - dt.timedelta(days=days)
    t = tagged_events(ds.events)
    recent = t.filter(t.verb.isin(CONTRIBUTION_VERBS) & t.member_id.notnull() & (t.occurred_at > ibis.literal(since)))
    active = recent.select(active_id=recent.member_id).distinct()
    a = ds.terms_acceptances
    accepted = a.filter(a.version == version).select(accepted_id=a.member_id).distinct()
    m = people(ds.members)
    m = m.select(member_id=m.member_id, segment=m.segment.fill_null(NONE))
    m = m.join(active, m.member_id == active.active_id)
    m = m.left_join(accepted, m.member_id == accepted.accepted_id)
    per = (
        m.group_by("segment")
        .aggregate(active=m.count(), accepted=m.accepted_id.notnull().cast("int64").sum())
        .execute()
        .astype({"active": "int64", "accepted": "int64"})
        .sort_values("segment")
    )
    rows = [(r.segment, int(r.active), int(r.accepted)) for r in per.itertuples()]
    rows.append(("all", int(per["active"].sum()), int(per["accepted"].sum())))
    return pd.DataFrame([(s, n, k, _share(k, n)) for s, n, k in rows], columns=columns)


@dataclass(frozen=True)
class IPFigures:
    """Intellectual property: terms and licences, proof-log coverage and delay, flags, consent."""

    licences: pd.DataFrame
    terms_versions: pd.DataFrame
    coverage: pd.DataFrame
    delays: pd.DataFrame
    flags: pd.DataFrame
    consent: pd.DataFrame
    summary: dict[str, Any]


def _row(table: pd.DataFrame, column: str, key: str, value: str) -> Any:
    found = table[table[column] == key]
    if not len(found) or pd.isna(found[value].iloc[0]):
        return None
    cell = found[value].iloc[0]
    return cell.item() if isinstance(cell, np.generic) else cell


def compute(ds: Dataset) -> IPFigures:
    """The IP figures: :func:`by_licence`, :func:`by_terms_version`, :func:`proof_coverage`, delays, flags, consent.

    The summary: ``ideas``; ``ideas_under_terms_share`` (ideas with a terms version);
    ``current_terms_version``; ``ideas_logged_share``, ``comments_logged_share``;
    ``proof_delay_median_seconds``, ``proof_delay_p95_seconds`` (over logged ideas);
    ``disputes``, ``prior_art_flags``, ``ideas_flagged_share``; ``consent_share``
    (all active members) and ``consent_lowest_segment`` with its share.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> s = compute(example_dataset(ip=True)).summary
    >>> {k: s[k] for k in ("ideas_logged_share", "proof_delay_median_seconds", "proof_delay_p95_seconds")}
    {'ideas_logged_share': 0.666667, 'proof_delay_median_seconds': 31.0, 'proof_delay_p95_seconds': 57.1}
    >>> {k: s[k] for k in ("disputes", "prior_art_flags", "ideas_flagged_share", "consent_share")}
    {'disputes': 1, 'prior_art_flags': 1, 'ideas_flagged_share': 0.666667, 'consent_share': 0.333333}
    >>> s["consent_lowest_segment"]
    {'segment': 'buyers', 'share': 0.0}
    """
    licences = by_licence(ds)
    versions = by_terms_version(ds)
    coverage = proof_coverage(ds)
    delays = proof_delays(ds)
    flagged = flags(ds)
    consent = consent_by_segment(ds)
    logged = delays["seconds"].dropna().to_numpy(dtype="float64")
    ideas = int(licences["ideas"].sum())
    segments = consent[consent["segment"] != "all"].dropna(subset=["share"])
    lowest = segments.sort_values(["share", "segment"]).iloc[0] if len(segments) else None
    summary: dict[str, Any] = {
        "ideas": ideas,
        "ideas_under_terms_share": _share(ideas - int(_row(versions, "terms_version", NONE, "ideas") or 0), ideas),
        "current_terms_version": current_terms_version(ds),
        "ideas_logged_share": _row(coverage, "contribution", "ideas", "share"),
        "comments_logged_share": _row(coverage, "contribution", "comments", "share"),
        "proof_delay_median_seconds": round(float(np.median(logged)), 3) if len(logged) else None,
        "proof_delay_p95_seconds": round(float(np.percentile(logged, HIGH_PERCENTILE)), 3) if len(logged) else None,
        "disputes": _row(flagged, "kind", "dispute", "flags"),
        "prior_art_flags": _row(flagged, "kind", "prior_art", "flags"),
        "ideas_flagged_share": _row(flagged, "kind", "any", "share"),
        "consent_share": _row(consent, "segment", "all", "share"),
        "consent_lowest_segment": (
            {"segment": str(lowest["segment"]), "share": float(lowest["share"])} if lowest is not None else None
        ),
    }
    return IPFigures(
        licences=licences,
        terms_versions=versions,
        coverage=coverage,
        delays=delays,
        flags=flagged,
        consent=consent,
        summary=summary,
    )
