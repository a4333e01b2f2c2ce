"""The CONSUL importer: public downloads without identities, with them, and malformed ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.common import ExportFormatError
from prosumo.analytics.importers.consul import UNPUBLISHED_AUTHOR, import_consul, write_consul_dataset

SAMPLE = Path(__file__).parent / "samples" / "consul"


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_the_public_sample_invents_no_author_or_voter():
    # when
    tables = import_consul(SAMPLE)
    # then: one member stands for the unpublished authors; nobody else is made up
    members = tables["members"]
    assert members["member_id"].tolist() == [UNPUBLISHED_AUTHOR]
    assert members["attributes"].tolist() == ['{"consul_authors": "not published"}']
    ideas = tables["ideas"]
    assert ideas["idea_id"].tolist() == [101, 102, 103, 104, 105]
    assert ideas["status"].tolist() == ["open", "open", "merged", "launched", "open"]
    assert ideas["title"].tolist()[0] == "Más bancos a la sombra en el parque"  # read as ISO-8859-1
    assert ideas["supports_count"].tolist() == [5, 4, 1, 2, 0]
    events = tables["events"]
    assert events["verb"].value_counts().to_dict() == {
        "idea.supported": 12,
        "idea.submitted": 5,
        "comment.posted": 5,
        "idea.stage_changed": 2,
    }
    assert events["actor_id"].isna().all()
    votes = events[events["verb"] == "idea.supported"]
    assert votes["object_id"].value_counts().sort_index().to_dict() == {101: 5, 102: 4, 103: 1, 104: 2}
    assert votes["occurred_at"].iloc[0] == at("2016-03-01 10:00:00")
    replies = events[events["verb"] == "comment.posted"]["details"].map(json.loads)
    assert [d["parent_id"] for d in replies] == [None, 1001, None, 1003, None]
    retired = tables["idea_stages"][tables["idea_stages"]["stage"] == "launched"]
    assert retired[["idea_id", "reason", "message"]].values.tolist() == [
        [104, "done", "El Ayuntamiento ya los ha cedido."]
    ]
    assert retired["changed_at"].tolist() == [at("2016-06-10 08:00:00")]


IDENTIFIED = {
    "proposals.csv": "id,title,description,created_at,author_id\n"
    "1,Shade,More trees,2020-05-01 10:00:00,7\n"
    "2,Bikes,A bike lane,2020-05-02 10:00:00,\n",
    "comments.csv": "id,commentable_id,commentable_type,body,created_at,ancestry,user_id\n"
    "10,1,Proposal,Yes,2020-05-01 12:00:00,,8\n"
    "11,1,Proposal,Why?,2020-05-01 13:00:00,10,7\n",
    "votes.csv": "votable_id,votable_type,vote_flag,created_at,voter_id\n"
    "1,Proposal,t,2020-05-01 11:00:00,8\n"
    "2,Proposal,f,2020-05-03 09:00:00,9\n",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_identities_where_the_download_carries_them(tmp_path):
    # given
    folder = write(tmp_path / "site", IDENTIFIED)
    # when
    tables = import_consul(folder)
    # then
    members = tables["members"]
    assert members["member_id"].tolist() == [0, 7, 8, 9]  # 0 only for proposal 2, whose author is not named
    assert members["joined_at"].tolist() == [
        at("2020-05-02 10:00:00"),
        at("2020-05-01 10:00:00"),
        at("2020-05-01 11:00:00"),
        at("2020-05-03 09:00:00"),
    ]
    events = tables["events"]
    votes = events[events["verb"] == "idea.supported"]
    assert votes[["actor_id", "object_id", "target_member_id", "value"]].values.tolist() == [
        [8, 1, 7, 1.0],
        [9, 2, 0, -1.0],
    ]
    comments = events[events["verb"] == "comment.posted"]
    assert comments[["actor_id", "target_member_id"]].values.tolist() == [[8, 7], [7, 8]]  # a reply targets 8
    assert events[events["verb"] == "member.joined"]["actor_id"].tolist() == [7, 8, 9]


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (
            "votes.csv",
            "2,Proposal,f",
            "5,Proposal,f",
            "votes.csv: row 2, column votable_id: vote for unknown proposal 5",
        ),
        ("votes.csv", ",t,", ",yes,", "votes.csv: row 1, column vote_flag: unknown vote flag yes"),
        ("proposals.csv", "2,Bikes", "two,Bikes", "proposals.csv: row 2, column id: 'two' is not an integer"),
        (
            "comments.csv",
            "2020-05-01 13:00:00",
            "13/05/2020",
            "comments.csv: row 2, column created_at: '13/05/2020' is not a time (ISO 8601)",
        ),
        (
            "comments.csv",
            "10,1,Proposal,Yes",
            "10,3,Proposal,Yes",
            "comments.csv: row 1, column commentable_id: comment on unknown proposal 3",
        ),
        (
            "proposals.csv",
            "author_id\n1,Shade,More trees,2020-05-01 10:00:00,7\n2,Bikes,A bike lane,2020-05-02 10:00:00,\n",
            "author_id,retired_at,retired_reason\n1,Shade,More trees,2020-05-01 10:00:00,7,2020-06-01 10:00:00,bored\n"
            "2,Bikes,A bike lane,2020-05-02 10:00:00,,,\n",
            "proposals.csv: row 1, column retired_reason: unknown retired reason bored",
        ),
        ("proposals.csv", ",description,", ",body,", "proposals.csv: missing column description"),
    ],
)
def test_malformed_downloads_name_file_row_and_column_and_write_nothing(tmp_path, name, old, new, message):
    # given
    files = dict(IDENTIFIED)
    assert old in files[name]
    files[name] = files[name].replace(old, new)
    folder = write(tmp_path / "site", files)
    # when
    with pytest.raises(ExportFormatError) as caught:
        write_consul_dataset(folder, tmp_path / "ds")
    # then
    assert str(caught.value) == f"{folder}/{message}"
    assert not (tmp_path / "ds").exists()


def test_a_bad_row_after_rows_that_are_not_read_is_named_by_its_place_in_the_file(tmp_path):
    # given: after the votes on a debate and on a comment, a vote for an unknown proposal
    folder = tmp_path / "site"
    shutil.copytree(SAMPLE, folder)
    with (folder / "votes.csv").open("a", encoding="iso-8859-1") as file:
        file.write('"999";"Proposal";"t";"2016-03-08 10:00:00"\n')
    # when / then
    with pytest.raises(ExportFormatError) as caught:
        import_consul(folder)
    assert str(caught.value) == f"{folder}/votes.csv: row 16, column votable_id: vote for unknown proposal 999"


def test_a_missing_file_is_named_and_the_sample_validates(tmp_path):
    # given
    folder = tmp_path / "site"
    shutil.copytree(SAMPLE, folder)
    (folder / "votes.csv").unlink()
    # when / then
    with pytest.raises(ExportFormatError) as caught:
        import_consul(folder)
    assert str(caught.value) == f"{folder}/votes.csv: missing file"
    write_consul_dataset(SAMPLE, tmp_path / "ds", licence="CC BY 4.0")
    ds = load_dataset(tmp_path / "ds")
    assert int(ds.events.count().execute()) == 24
    assert json.loads((tmp_path / "ds" / "dataset.json").read_text())["licence"] == "CC BY 4.0"
