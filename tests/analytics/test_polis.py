"""The Pol.is importer: mapping, attribution, and malformed exports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.polis import (
    POLIS_ATTRIBUTION,
    PolisFormatError,
    import_polis,
    polis_meta,
    write_polis_dataset,
)

SAMPLE = Path(__file__).parent / "data" / "polis_sample"
# shared/ lies beside the repository (CI's clone and a developer's checkout alike).
REALDATA = next(
    (
        p
        for p in (Path(__file__).resolve().parents[3] / "shared/realdata/polis", Path("/work/shared/realdata/polis"))
        if p.is_dir()
    ),
    Path("/work/shared/realdata/polis"),
)

COMMENTS = """timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body
1000,Thu Jan 01 00:00:01 UTC 1970,0,5,1,0,1,First statement
2000,Thu Jan 01 00:00:02 UTC 1970,1,6,0,1,-1,Second
3000,Thu Jan 01 00:00:03 UTC 1970,2,5,0,0,0,"Third, with a comma"
"""
VOTES = """timestamp,datetime,comment-id,voter-id,vote
1500,Thu Jan 01 00:00:01 UTC 1970,0,6,1
2500,Thu Jan 01 00:00:02 UTC 1970,1,7,-1
3500,Thu Jan 01 00:00:03 UTC 1970,2,6,0
"""


def export(folder: Path, comments: str = COMMENTS, votes: str = VOTES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comments.csv").write_text(comments, encoding="utf-8")
    (folder / "votes.csv").write_text(votes, encoding="utf-8")
    return folder


def ms(value: int) -> pd.Timestamp:
    return pd.Timestamp(value, unit="ms", tz="UTC")


def test_mapping_of_a_hand_made_export(tmp_path):
    # given
    folder = export(tmp_path / "conv")
    # when
    tables = import_polis(folder)
    # then
    members = tables["members"]
    assert members["member_id"].tolist() == [5, 6, 7]
    assert members["joined_at"].tolist() == [ms(1000), ms(1500), ms(2500)]
    ideas = tables["ideas"]
    assert ideas["status"].tolist() == ["accepted", "declined", "open"]
    assert ideas["author_id"].tolist() == [5, 6, 5]
    assert ideas["body"].tolist()[2] == "Third, with a comma"
    events = tables["events"]
    assert events["verb"].tolist() == [
        "member.joined",
        "idea.submitted",
        "member.joined",
        "idea.supported",
        "idea.submitted",
        "member.joined",
        "idea.supported",
        "idea.submitted",
        "idea.supported",
    ]
    assert events["event_id"].tolist() == list(range(1, 10))
    votes = events[events["verb"] == "idea.supported"]
    assert votes["actor_id"].tolist() == [6, 7, 6]
    assert votes["object_id"].tolist() == [0, 1, 2]
    assert votes["target_member_id"].tolist() == [5, 6, 5]
    assert votes["value"].tolist() == [1.0, -1.0, 0.0]
    assert votes["occurred_at"].tolist() == [ms(1500), ms(2500), ms(3500)]
    assert tables["campaigns"]["starts_at"].tolist() == [ms(1000)]
    assert tables["campaigns"]["ends_at"].tolist() == [ms(3500)]


def test_sample_imports_and_validates(tmp_path):
    # given / when
    write_polis_dataset(SAMPLE, tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    # then
    assert int(ds.members.count().execute()) == 39  # 36 voters + 3 authors who never voted
    assert int(ds.ideas.count().execute()) == 24
    verbs = ds.events.group_by("verb").aggregate(n=ds.events.count()).to_pandas()
    assert dict(zip(verbs["verb"], verbs["n"], strict=True)) == {
        "member.joined": 39,
        "idea.submitted": 24,
        "idea.supported": 867,
    }
    member0 = ds.members.filter(ds.members.member_id == 0).to_pandas()
    assert member0["joined_at"].tolist() == [ms(1500232652897)]  # statement 0, 33 ms before their first vote
    assert member0["attributes"].tolist() == ['{"polis_group_id": 1}']
    meta = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert meta["licence"] == "CC BY 4.0"
    assert meta["attribution"].startswith(POLIS_ATTRIBUTION)
    assert meta["topic"] == "Can there be consensus on Brexit?"


@pytest.mark.parametrize(
    ("comments", "votes", "message"),
    [
        (COMMENTS.replace("moderated,", ""), VOTES, "comments.csv: missing column moderated"),
        (COMMENTS, VOTES.replace(",1\n", ",yes\n", 1), "votes.csv: row 1, column vote: 'yes' is not one of 1, -1, 0"),
        (COMMENTS, VOTES.replace(",-1\n", ",2\n"), "votes.csv: row 2, column vote: '2' is not one of 1, -1, 0"),
        (
            COMMENTS,
            VOTES.replace("3500,Thu Jan 01 00:00:03 UTC 1970,2,", "3500,Thu Jan 01 00:00:03 UTC 1970,9,"),
            "votes.csv: row 3, column comment-id: vote for unknown comment 9",
        ),
        (COMMENTS.replace("2000,", "soon,"), VOTES, "comments.csv: row 2, column timestamp: 'soon' is not an integer"),
        (COMMENTS.replace(",2,5,", ",1,5,"), VOTES, "comments.csv: row 3, column comment-id: duplicate id 1"),
        (
            COMMENTS.replace(",-1,Second", ",3,Second"),
            VOTES,
            "comments.csv: row 2, column moderated: '3' is not one of 1, -1, 0",
        ),
    ],
)
def test_malformed_exports_name_file_and_row(tmp_path, comments, votes, message):
    # given
    folder = export(tmp_path / "conv", comments, votes)
    # when
    with pytest.raises(PolisFormatError) as caught:
        write_polis_dataset(folder, tmp_path / "ds")
    # then
    assert str(caught.value) == f"{folder}/{message}"
    assert not (tmp_path / "ds").exists()


def test_missing_votes_file(tmp_path):
    # given
    folder = export(tmp_path / "conv")
    (folder / "votes.csv").unlink()
    # when / then
    with pytest.raises(PolisFormatError, match=r"votes\.csv: missing file"):
        import_polis(folder)


@pytest.mark.skipif(not REALDATA.exists(), reason="real Pol.is data not present")
@pytest.mark.parametrize(
    ("name", "members", "ideas", "votes"),
    [
        ("15-per-hour-seattle", 339, 54, 2995),
        ("brexit-consensus", 204, 50, 5312),
        ("canadian-electoral-reform", 448, 174, 12018),
        ("football-concussions", 1487, 298, 14924),
        ("scoop-hivemind.ubi", 234, 71, 7174),
        ("vtaiwan.uberx", 1921, 197, 49997),
    ],
)
def test_real_conversations_import(tmp_path, name, members, ideas, votes):
    # when
    tables = import_polis(REALDATA / name)
    # then
    assert len(tables["members"]) == members
    assert len(tables["ideas"]) == ideas
    assert int((tables["events"]["verb"] == "idea.supported").sum()) == votes


def test_the_attribution_is_what_the_licence_asks_for(tmp_path):
    # given: the sample's README gives the conversation's case study
    # when
    write_polis_dataset(SAMPLE, tmp_path / "ds")
    # then: the creator's statement, the case study, the conversation, the licence's link, the changes
    meta = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert meta["case_study"] == "https://compdemocracy.org/case-studies/2017-brexit-consensus"
    assert meta["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["attribution"] == (
        "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed under "
        "CC BY 4.0 with Attribution to The Computational Democracy Project. The data and more information "
        "about how the data was collected: https://compdemocracy.org/case-studies/2017-brexit-consensus . "
        "Conversation: https://pol.is/7wmvbjcjhp . Licence: CC BY 4.0, "
        "https://creativecommons.org/licenses/by/4.0/ . Changes: converted by Prosumo's Pol.is importer into "
        "a community dataset (participants as members, statements as ideas, votes as support events; a "
        "participant's repeated votes kept as events)."
    )


def test_a_case_study_comes_from_the_summary_or_from_a_list_beside_the_exports(tmp_path):
    # given: one export whose summary names its case study, one listed in a PROVENANCE.md
    # beside it, and one with neither
    for name in ("given", "seattle-15-per-hour", "uberx"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.csv").write_text("topic,t\nurl,https://pol.is/x\n")
    (tmp_path / "given" / "summary.csv").write_text(
        "topic,t\ncase-study,see https://compdemocracy.org/case-studies/2020-given\n"
    )
    (tmp_path / "PROVENANCE.md").write_text(
        "https://compdemocracy.org/case-studies/2017-brexit-consensus\n"
        "https://compdemocracy.org/case-studies/2014-seattle-15-per-hour\n"
    )
    # when
    found = {name: polis_meta(tmp_path / name)["case_study"] for name in ("given", "seattle-15-per-hour", "uberx")}
    # then
    assert found == {
        "given": "https://compdemocracy.org/case-studies/2020-given",
        "seattle-15-per-hour": "https://compdemocracy.org/case-studies/2014-seattle-15-per-hour",
        "uberx": None,
    }
    assert "case-studies" not in polis_meta(tmp_path / "uberx")["attribution"]
