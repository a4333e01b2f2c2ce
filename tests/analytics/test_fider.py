"""The Fider importer: mapping of a backup, and malformed backups refused."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.common import ExportFormatError
from prosumo.analytics.importers.fider import import_fider, write_fider_dataset

SAMPLE = Path(__file__).parent / "samples" / "fider"


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def test_the_sample_maps_members_ideas_stages_and_events():
    # when
    tables = import_fider(SAMPLE)
    # then: every user a member, staff by role, no name or email anywhere
    members = tables["members"]
    assert members["member_id"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert members["is_staff"].tolist() == [True, False, False, False, True, False, False, False]
    assert members["joined_at"].iloc[0] == at("2024-01-08T09:00:00.412Z")
    assert members["attributes"].iloc[6] == '{"fider_role": "visitor", "fider_status": "blocked"}'
    assert not any("example.com" in str(v) for table in tables.values() for v in table.to_numpy().ravel())
    # posts: the deleted one left out, statuses mapped, the duplicate merged into its original
    ideas = tables["ideas"]
    assert ideas["idea_id"].tolist() == [11, 12, 13, 14, 15, 16]
    assert ideas["status"].tolist() == ["launched", "accepted", "in_development", "merged", "declined", "open"]
    assert ideas["merged_into"].tolist()[3] == 12
    assert ideas["author_id"].tolist() == [2, 3, 4, 6, 7, 8]
    assert ideas["title"].tolist()[5] == "2048"  # the backup wrote it as a number
    assert ideas["body"].tolist()[4] == ""
    # the staff answer is a stage with its responder, time and text
    stages = tables["idea_stages"]
    first = stages[stages["idea_id"] == 11]
    assert first["stage"].tolist() == ["submitted", "open", "launched"]
    assert first["actor_id"].tolist()[2] == 1
    assert first["changed_at"].tolist()[2] == at("2024-03-01T12:00:00Z")
    assert first["message"].tolist()[2] == "Shipped in 3.2, thanks!"
    # events: votes at their times, comments (not the deleted ones), answers
    events = tables["events"]
    assert events["verb"].value_counts().to_dict() == {
        "idea.supported": 14,
        "member.joined": 8,
        "idea.submitted": 6,
        "comment.posted": 5,
        "idea.stage_changed": 5,
    }
    assert events["event_id"].tolist() == list(range(1, 39))
    votes = events[events["verb"] == "idea.supported"]
    assert set(votes["value"]) == {1.0}
    first_vote = votes.iloc[0]
    assert (first_vote["actor_id"], first_vote["object_id"], first_vote["target_member_id"]) == (2, 11, 2)
    assert first_vote["occurred_at"] == at("2024-01-11T10:00:00.5Z")
    comments = events[events["verb"] == "comment.posted"]
    assert comments["object_id"].tolist() == [101, 102, 103, 104, 106]
    assert json.loads(comments["details"].iloc[0]) == {"idea_id": 11, "builds_on": False, "parent_id": None}
    answers = events[events["verb"] == "idea.stage_changed"]
    assert json.loads(answers["details"].iloc[0]) == {
        "from": "open",
        "to": "merged",
        "reason": None,
        "message": None,
        "answer": True,
    }
    assert tables["campaigns"]["title"].tolist() == ["Acme Feedback"]
    assert tables["campaigns"]["voting_mode"].tolist() == ["support"]


def test_a_backup_zip_gives_the_same_dataset_and_staff_name_the_licence(tmp_path):
    # given: the backup as Fider downloads it
    archive = tmp_path / "backup.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in SAMPLE.glob("*.json"):
            zipped.write(path, path.name)
    # when
    write_fider_dataset(archive, tmp_path / "ds", licence="CC BY 4.0", attribution="Acme customers, 2024")
    # then
    ds = load_dataset(tmp_path / "ds")
    assert int(ds.events.count().execute()) == 38
    meta = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert meta["licence"] == "CC BY 4.0"
    assert meta["attribution"] == "Acme customers, 2024"
    assert meta["source"] == "Fider backup of Acme Feedback (acme)"
    assert meta["importer"] == "prosumo.analytics.importers.fider"


def edit(folder: Path, name: str, row: int, **changes: object) -> None:
    records = json.loads((folder / name).read_text())
    records[row].update(changes)
    (folder / name).write_text(json.dumps(records))


@pytest.mark.parametrize(
    ("name", "row", "changes", "message"),
    [
        ("post_votes.json", 3, {"post_id": 99}, "post_votes.json: row 4, column post_id: vote for unknown post 99"),
        ("post_votes.json", 0, {"user_id": 42}, "post_votes.json: row 1, column user_id: vote by unknown user 42"),
        ("posts.json", 1, {"id": "twelve"}, "posts.json: row 2, column id: 'twelve' is not an integer"),
        ("posts.json", 2, {"id": 11}, "posts.json: row 3, column id: duplicate id 11"),
        (
            "posts.json",
            0,
            {"created_at": "yesterday"},
            "posts.json: row 1, column created_at: 'yesterday' is not a time (ISO 8601)",
        ),
        ("posts.json", 4, {"status": 9}, "posts.json: row 5, column status: unknown status 9"),
        ("posts.json", 3, {"original_id": 77}, "posts.json: row 4, column original_id: unknown post 77"),
        ("comments.json", 2, {"post_id": 5}, "comments.json: row 3, column post_id: comment on unknown post 5"),
        ("users.json", 0, {"created_at": None}, "users.json: row 1, column created_at: missing value"),
    ],
)
def test_a_malformed_backup_names_file_row_and_column_and_writes_nothing(tmp_path, name, row, changes, message):
    # given
    folder = tmp_path / "backup"
    shutil.copytree(SAMPLE, folder)
    edit(folder, name, row, **changes)
    # when
    with pytest.raises(ExportFormatError) as caught:
        write_fider_dataset(folder, tmp_path / "ds")
    # then
    assert str(caught.value) == f"{folder}/{message}"
    assert not (tmp_path / "ds").exists()


def test_a_missing_file_or_column_is_named(tmp_path):
    # given
    folder = tmp_path / "backup"
    shutil.copytree(SAMPLE, folder)
    (folder / "post_votes.json").unlink()
    records = json.loads((folder / "comments.json").read_text())
    (folder / "comments.json").write_text(json.dumps([{k: v for k, v in r.items() if k != "post_id"} for r in records]))
    # when / then
    with pytest.raises(ExportFormatError) as caught:
        import_fider(folder)
    assert str(caught.value) == f"{folder}/post_votes.json: missing file"
    shutil.copy(SAMPLE / "post_votes.json", folder)
    with pytest.raises(ExportFormatError) as caught:
        import_fider(folder)
    assert str(caught.value) == f"{folder}/comments.json: missing column post_id"
