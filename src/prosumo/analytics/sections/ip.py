"""Intellectual property in the report: are contributors' rights and consent protected?"""

from __future__ import annotations

from typing import Any

import altair as alt

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.ip import ACTIVE_DAYS, HIGH_PERCENTILE, IPFigures, compute
from prosumo.analytics.section import Section


def present(figures: IPFigures) -> Section:
    """Question 7 as a report section: shares are fractions of 1, delays are in seconds."""
    s = figures.summary
    lowest = s["consent_lowest_segment"] or {}
    headline: dict[str, Any] = {
        "ideas": s["ideas"],
        "ideas_under_contribution_terms_share": s["ideas_under_terms_share"],
        "current_terms_version": s["current_terms_version"],
        "ideas_in_proof_log_share": s["ideas_logged_share"],
        "comments_in_proof_log_share": s["comments_logged_share"],
        "seconds_from_submission_to_proof_median": s["proof_delay_median_seconds"],
        f"seconds_from_submission_to_proof_p{HIGH_PERCENTILE}": s["proof_delay_p95_seconds"],
        "authorship_disputes": s["disputes"],
        "prior_art_flags": s["prior_art_flags"],
        "ideas_flagged_share": s["ideas_flagged_share"],
        "active_members_who_accepted_current_terms_share": s["consent_share"],
        "segment_with_least_consent": lowest.get("segment"),
        "segment_with_least_consent_share": lowest.get("share"),
    }
    charts = []
    licences = figures.licences
    if len(licences):
        charts.append(
            alt.Chart(licences)
            .mark_bar()
            .encode(
                x=alt.X("share:Q", title="share of ideas", axis=alt.Axis(format="%")),
                y=alt.Y("licence:N", sort="-x", title="licence"),
                tooltip=["licence", "ideas", "share"],
            )
            .properties(title="Ideas under each licence", width=380)
        )
    consent = figures.consent
    segments = consent[consent["segment"] != "all"]
    if len(segments):
        charts.append(
            alt.Chart(segments)
            .mark_bar()
            .encode(
                x=alt.X("share:Q", title="share of active members", axis=alt.Axis(format="%")),
                y=alt.Y("segment:N", sort="x", title="segment"),
                tooltip=["segment", "active", "accepted", "share"],
            )
            .properties(title="Active members who accepted the current terms", width=380)
        )
    notes = [
        "A contribution under a licence or terms version is an idea: its author chooses the licence, and the idea "
        "keeps the terms version it was submitted under. 'none': submitted before any terms were published.",
        "Proof log coverage: ideas whose first revision is in the proof log, and comments whose text as posted is. "
        f"Time to proof: seconds from submission to the first logged revision, median and {HIGH_PERCENTILE}th "
        "percentile over the logged ideas. Content written before the log existed is logged when it catches up, "
        "so its delay is long.",
        "Flags are recorded by staff on the prior-art page: a dispute about who wrote an idea, or an earlier idea "
        "found to be prior art. Share of ideas flagged: ideas with at least one flag, over all ideas.",
        f"Consent: active members (a contribution in the {ACTIVE_DAYS} days up to the last event, staff left out) "
        "who accepted the current (highest published) terms version, per segment.",
    ]
    if figures.delays.empty and figures.coverage.empty:
        notes.insert(0, "The dataset has no proof log: coverage and time to proof cannot be measured.")
    if figures.consent.empty:
        notes.insert(0, "The dataset has no contribution terms: consent coverage cannot be measured.")
    return Section(
        key="ip",
        title="Are contributors' intellectual property and consent protected?",
        headline=headline,
        tables={
            "licences": licences,
            "terms_versions": figures.terms_versions,
            "proof_log_coverage": figures.coverage,
            "flags": figures.flags,
            "consent_by_segment": consent,
        },
        charts=charts,
        notes=notes,
    )


def section(ds: Dataset) -> Section:
    """Question 7 for ``ds``, computed and presented."""
    return present(compute(ds))
