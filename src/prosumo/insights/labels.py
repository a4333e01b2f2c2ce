"""Plain-words labels, with their units, for the figures of the Insights pages, in the site's languages.

The analytics name a figure by a stable key (``ideas_in_proof_log_share``); a page
shows its label here, translated, and the key itself where no label is written yet.
Shares are fractions of 1.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from prosumo.analytics.metrics.precision import TOO_FEW

TITLES: dict[str, Promise] = {
    "ip": _("Are contributors' intellectual property and consent protected?"),
}

HEADLINES: dict[str, dict[str, Promise]] = {
    "ip": {
        "ideas": _("Ideas (count)"),
        "ideas_under_contribution_terms_share": _("Ideas under contribution terms (share)"),
        "current_terms_version": _("Current terms version (number)"),
        "ideas_in_proof_log_share": _("Ideas in the proof log (share)"),
        "comments_in_proof_log_share": _("Comments in the proof log (share)"),
        "seconds_from_submission_to_proof_median": _("Time from submission to proof, median (seconds)"),
        "seconds_from_submission_to_proof_p95": _("Time from submission to proof, 95th percentile (seconds)"),
        "authorship_disputes": _("Authorship disputes (count)"),
        "prior_art_flags": _("Prior-art flags (count)"),
        "ideas_flagged_share": _("Ideas flagged (share)"),
        "active_members_who_accepted_current_terms_share": _("Active members who accepted the current terms (share)"),
        "segment_with_least_consent": _("Segment with the least consent"),
        "segment_with_least_consent_share": _("Active members there who accepted the current terms (share)"),
    },
    "remuneration": {
        "royalty_pools": _("Royalty pools (count)"),
        "pool_sales_share_returned": _("Net sales returned to contributors by the pools (share)"),
        "largest_change_under_another_split_rule": _(
            "Largest change for one contributor under another split rule (pool currency)"
        ),
    },
}


#: Words the analytics write in place of a figure, in the page's language: "too few" where a
#: group is below the minimum for a 95% interval (docs/metrics.md).
VALUES: dict[str, Promise] = {
    TOO_FEW: _("too few"),
}


def section_title(section: dict[str, Any]) -> str:
    """The section's question in the page's language (its own English title where none is written here)."""
    label = TITLES.get(str(section.get("key", "")))
    return str(label) if label is not None else str(section.get("title", ""))


def headline_label(key: str, name: str) -> str:
    """The label of one headline figure of section ``key``, with its unit; the figure's key where none is written."""
    label = HEADLINES.get(key, {}).get(name)
    return str(label) if label is not None else name


def value_label(value: object) -> object:
    """A word the analytics write in place of a figure ("too few"), translated; any other value as it is."""
    label = VALUES.get(value) if isinstance(value, str) else None
    return str(label) if label is not None else value
