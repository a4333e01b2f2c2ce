"""The Decidim importer: proposals and comments of an open-data download, and malformed ones."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.common import ExportFormatError
from prosumo.analytics.importers.decidim import ORGANISATION, import_decidim, write_decidim_dataset

SAMPLE = Path(__file__).parent / "samples" / "decidim"
PROPOSALS = "participa.example.org-open-data-proposals.csv"
COMMENTS = "participa.example.org-open-data-proposal_comments.csv"


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_the_sample_maps_proposals_authors_states_and_comments():
    # when
    tables = import_decidim(SAMPLE)
    # then: the amendment is left out; the organisation's proposal is member 0's
    ideas = tables["ideas"]
    assert ideas["idea_id"].tolist() == [301, 302, 303, 304, 305, 306]
    assert ideas["status"].tolist() == ["accepted", "under_review", "declined", "declined", "accepted", "open"]
    assert ideas["author_id"].tolist() == [31, 32, 34, 31, ORGANISATION, 35]
    assert ideas["campaign_id"].tolist() == [21] * 6
    assert ideas["title"].tolist()[1] == "Huerto comunitario en el solar"  # no English title: the Spanish one
    assert ideas["language"].tolist() == ["en", "es", "en", "en", "en", "es"]
    # supports are counts without voters: a column of the idea, never events
    assert ideas["supports_count"].tolist() == [42, 17, 9, 3, 55, 0]
    events = tables["events"]
    assert "idea.supported" not in set(events["verb"])
    assert events["verb"].value_counts().to_dict() == {
        "member.joined": 6,
        "idea.submitted": 6,
        "comment.posted": 6,
        "idea.stage_changed": 5,
    }
    # co-authors share the idea
    shares = tables["idea_authors"]
    assert shares[shares["idea_id"] == 302][["member_id", "share"]].values.tolist() == [[32, 0.5], [33, 0.5]]
    # members: participants named as authors, joined at their first contribution in the files
    members = tables["members"]
    assert members["member_id"].tolist() == [0, 31, 32, 33, 34, 35, 36]
    assert members["is_staff"].tolist() == [True, False, False, False, False, False, False]
    assert not any("Marta" in str(v) for table in tables.values() for v in table.to_numpy().ravel())
    assert members["joined_at"].tolist()[3] == at("2024-03-01 10:00:00")  # a comment before her proposal
    # an answer and a withdrawal are stages
    stages = tables["idea_stages"]
    answered = stages[(stages["idea_id"] == 301) & (stages["stage"] == "accepted")]
    assert answered[["changed_at", "message"]].values.tolist() == [
        [at("2024-04-10 08:00:00"), "We will install six benches this summer."]
    ]
    withdrawn = stages[(stages["idea_id"] == 304) & (stages["stage"] == "declined")]
    assert withdrawn[["changed_at", "reason"]].values.tolist() == [[at("2024-03-20 18:00:00"), "withdrawn"]]
    moves = events[events["verb"] == "idea.stage_changed"]["details"].map(json.loads).tolist()
    assert [(m["to"], m["answer"]) for m in moves] == [
        ("accepted", True),
        ("declined", False),
        ("under_review", True),
        ("accepted", True),
        ("declined", True),
    ]
    # a reply targets the comment's author; the comment on a meeting is not read
    comments = events[events["verb"] == "comment.posted"]
    assert comments["object_id"].tolist() == [901, 902, 903, 904, 905, 906]
    assert comments["target_member_id"].tolist() == [31, 33, 32, 34, 34, ORGANISATION]
    assert json.loads(comments["details"].iloc[1]) == {"idea_id": 301, "builds_on": False, "parent_id": 901}


def test_the_open_data_zip_imports_and_validates(tmp_path):
    # given
    archive = tmp_path / "participa.example.org-open-data.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in SAMPLE.glob("*.csv"):
            zipped.write(path, path.name)
    # when
    write_decidim_dataset(archive, tmp_path / "ds", licence="ODbL 1.0", attribution="Ayuntamiento de Ejemplo")
    # then
    ds = load_dataset(tmp_path / "ds")
    assert int(ds.ideas.count().execute()) == 6
    meta = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert (meta["name"], meta["licence"], meta["attribution"]) == (
        "participa.example.org",
        "ODbL 1.0",
        "Ayuntamiento de Ejemplo",
    )


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (PROPOSALS, "\n302;", "\nthree-o-two;", f"{PROPOSALS}: row 2, column id: 'three-o-two' is not an integer"),
        (
            PROPOSALS,
            "2024-03-04 20:05:00 UTC",
            "4 March",
            f"{PROPOSALS}: row 3, column published_at: '4 March' is not a time (ISO 8601)",
        ),
        (PROPOSALS, ";evaluating;", ";pondering;", f"{PROPOSALS}: row 2, column state: unknown state pondering"),
        (
            COMMENTS,
            ";303;Decidim::Proposals::Proposal;https://participa.example.org/processes/barrios-2024/f/21/proposals/303",
            ";399;Decidim::Proposals::Proposal;https://participa.example.org/processes/barrios-2024/f/21/proposals/399",
            f"{COMMENTS}: row 5, column commentable_id: comment on unknown proposal 399",
        ),
        (COMMENTS, "\n903;", "\n901;", f"{COMMENTS}: row 3, column id: duplicate id 901"),
        (COMMENTS, ";commentable_type;", ";type;", f"{COMMENTS}: missing column commentable_type"),
    ],
)
def test_malformed_downloads_name_file_row_and_column_and_write_nothing(tmp_path, name, old, new, message):
    # given
    folder = tmp_path / "open-data"
    shutil.copytree(SAMPLE, folder)
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    # when
    with pytest.raises(ExportFormatError) as caught:
        write_decidim_dataset(folder, tmp_path / "ds")
    # then
    assert str(caught.value) == f"{folder}/{message}"
    assert not (tmp_path / "ds").exists()


def test_a_bad_row_after_rows_that_are_not_read_is_named_by_its_place_in_the_file(tmp_path):
    # given: a comment on an unknown proposal after the comments on a meeting and on an amendment
    folder = tmp_path / "open-data"
    shutil.copytree(SAMPLE, folder)
    with (folder / COMMENTS).open("a", encoding="utf-8") as file:
        file.write("909;2024-03-09 10:00:00 UTC;Hm.;en;36;Noa Vidal;0;0;;;398;Decidim::Proposals::Proposal;\n")
    # when / then
    with pytest.raises(ExportFormatError) as caught:
        import_decidim(folder)
    assert str(caught.value) == f"{folder}/{COMMENTS}: row 9, column commentable_id: comment on unknown proposal 398"


def test_a_missing_comments_file_is_named(tmp_path):
    # given
    folder = tmp_path / "open-data"
    shutil.copytree(SAMPLE, folder)
    (folder / COMMENTS).unlink()
    # when / then
    with pytest.raises(ExportFormatError) as caught:
        import_decidim(folder)
    assert str(caught.value) == f"{folder}/proposal_comments.csv: missing file"
