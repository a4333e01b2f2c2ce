"""Question 7, intellectual property: licences and terms, proof-log coverage and delay, flags, consent."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from prosumo.analytics.metrics import ip
from prosumo.analytics.report import Report, to_json
from prosumo.analytics.sections import ip as ip_section


def ip_tables(tables: dict[str, pd.DataFrame], at) -> dict[str, pd.DataFrame]:
    """The tiny community (conftest) with terms, a proof log and flags, counted by hand in the tests.

    Idea 10 (member 1) is under terms version 1 with a CC BY licence; idea 11 (member 2)
    came before any terms. The log holds idea 10 ten minutes after its submission and
    idea 11 an hour after; comment 100 as posted, and comment 101 only as edited. Staff
    flagged idea 11 twice with idea 10 as prior art and once as disputed. Version 2 is
    current: members 2 and 4 accepted it, members 1 and 3 only version 1.
    """
    ideas = tables["ideas"]
    ideas["licence"] = ["cc_by_4_0", None]
    ideas["terms_version"] = pd.array([1, None], dtype="Int64")
    minute = dt.timedelta(minutes=1)
    tables["terms_versions"] = pd.DataFrame({"version": [1, 2], "published_at": [at(1), at(8)]})
    tables["terms_acceptances"] = pd.DataFrame(
        {"member_id": [1, 3, 2, 4], "version": [1, 1, 2, 2], "accepted_at": [at(5), at(6), at(8), at(8)]}
    )
    tables["proof_log"] = pd.DataFrame(
        {
            "entry": [0, 1, 2, 3],
            "kind": ["revision", "comment", "revision", "comment"],
            "object_id": [500, 100, 501, 101],
            "version": [0, 0, 0, 1],
            "idea_id": [10, 10, 11, 11],
            "member_id": [1, 2, 2, 3],
            "logged_at": [at(5) + 10 * minute, at(6) + minute, at(6) + 60 * minute, at(9)],
        }
    )
    tables["ip_flags"] = pd.DataFrame(
        {
            "idea_id": [11, 11, 11],
            "kind": ["prior_art", "prior_art", "dispute"],
            "flagged_at": [at(7), at(8), at(9)],
            "earlier_idea_id": pd.array([10, 10, None], dtype="Int64"),
            "member_id": [6, 6, 6],
            "reason": ["Same rack", "Same rack, again seen", "The author's neighbour claims it"],
        }
    )
    return tables


def test_ideas_per_licence_and_terms_version(make_dataset, tiny, b):
    # given
    ds = make_dataset(**ip_tables(tiny, b.at))
    # when / then: one idea under each; the one from before the terms is "none"
    assert ip.by_licence(ds).to_dict("records") == [
        {"licence": "cc_by_4_0", "ideas": 1, "share": 0.5},
        {"licence": "none", "ideas": 1, "share": 0.5},
    ]
    assert ip.by_terms_version(ds).to_dict("records") == [
        {"terms_version": "1", "ideas": 1, "share": 0.5},
        {"terms_version": "none", "ideas": 1, "share": 0.5},
    ]


def test_proof_log_coverage_and_time_to_proof(make_dataset, tiny, b):
    # given
    ds = make_dataset(**ip_tables(tiny, b.at))
    # when
    coverage = ip.proof_coverage(ds)
    delays = ip.proof_delays(ds)
    summary = ip.compute(ds).summary
    # then: both ideas are logged; of comments 100 and 101 only 100 as posted (101 only as edited)
    assert coverage.to_dict("records") == [
        {"contribution": "ideas", "contributions": 2, "logged": 2, "share": 1.0},
        {"contribution": "comments", "contributions": 2, "logged": 1, "share": 0.5},
    ]
    assert delays.to_dict("records") == [{"idea_id": 10, "seconds": 600.0}, {"idea_id": 11, "seconds": 3600.0}]
    # median of 600 and 3600; 95th percentile 600 + 0.95 x 3000
    assert summary["proof_delay_median_seconds"] == 2100.0
    assert summary["proof_delay_p95_seconds"] == 3450.0


def test_flags_count_each_flag_and_each_idea_once(make_dataset, tiny, b):
    # given
    ds = make_dataset(**ip_tables(tiny, b.at))
    # when
    table = ip.flags(ds)
    # then: idea 11 holds all three flags: half of the two ideas
    assert table.to_dict("records") == [
        {"kind": "dispute", "flags": 1, "ideas": 1, "share": 0.5},
        {"kind": "prior_art", "flags": 2, "ideas": 1, "share": 0.5},
        {"kind": "any", "flags": 3, "ideas": 1, "share": 0.5},
    ]


def test_consent_coverage_per_segment_of_active_members(make_dataset, tiny, b):
    # given
    ds = make_dataset(**ip_tables(tiny, b.at))
    # when
    everyone = ip.consent_by_segment(ds)
    lately = ip.consent_by_segment(ds, days=2)
    # then: active in a are 1, 2 and 3 (only 2 accepted version 2), in b member 4 (accepted); staff 6 left out
    assert everyone.to_dict("records") == [
        {"segment": "a", "active": 3, "accepted": 1, "share": 0.333333},
        {"segment": "b", "active": 1, "accepted": 1, "share": 1.0},
        {"segment": "all", "active": 4, "accepted": 2, "share": 0.5},
    ]
    # in the two days up to the last event (9 January, noon), after 7 January noon: members 3 and 4
    assert lately.to_dict("records") == [
        {"segment": "a", "active": 1, "accepted": 0, "share": 0.0},
        {"segment": "b", "active": 1, "accepted": 1, "share": 1.0},
        {"segment": "all", "active": 2, "accepted": 1, "share": 0.5},
    ]


def test_the_section_names_each_figure_with_its_unit(make_dataset, tiny, b):
    # given
    ds = make_dataset(**ip_tables(tiny, b.at))
    # when
    section = ip_section.section(ds)
    report = Report(title="t", meta={}, extent={}, sections=[section], created_at="2024-02-01", engine="duckdb")
    payload = to_json(report)
    # then
    assert section.headline == {
        "ideas": 2,
        "ideas_under_contribution_terms_share": 0.5,
        "current_terms_version": 2,
        "ideas_in_proof_log_share": 1.0,
        "comments_in_proof_log_share": 0.5,
        "seconds_from_submission_to_proof_median": 2100.0,
        "seconds_from_submission_to_proof_p95": 3450.0,
        "authorship_disputes": 1,
        "prior_art_flags": 2,
        "ideas_flagged_share": 0.5,
        "active_members_who_accepted_current_terms_share": 0.5,
        "segment_with_least_consent": "a",
        "segment_with_least_consent_share": 0.333333,
    }
    assert [chart.to_dict()["title"] for chart in section.charts] == [
        "Ideas under each licence",
        "Active members who accepted the current terms",
    ]
    assert payload["sections"][0]["key"] == "ip"


def test_a_dataset_without_ip_tables_says_what_cannot_be_measured(make_dataset, tiny):
    # given: no terms, no proof log, no flags
    ds = make_dataset(**tiny)
    # when
    section = ip_section.section(ds)
    # then
    assert section.notes[:2] == [
        "The dataset has no contribution terms: consent coverage cannot be measured.",
        "The dataset has no proof log: coverage and time to proof cannot be measured.",
    ]
    assert section.headline["ideas_under_contribution_terms_share"] == 0.0
    assert section.headline["ideas_in_proof_log_share"] is None
    assert section.headline["authorship_disputes"] is None
    assert section.headline["active_members_who_accepted_current_terms_share"] is None
    assert len(section.charts) == 1  # the licences: every idea is "none"
