"""Opinion groups against Pol.is's own groups on the shared Pol.is conversations.

    python -m bench.analytics.polis_groups [FOLDER]   # default: ../shared/realdata/polis

For each conversation: import it, compute the groups (``opinion_groups`` of
``votes_of``, as the report does), and compare them with the ``group-id`` column of
Pol.is's ``participants-votes.csv`` by the adjusted Rand index (ARI) over the members
both placed. Also printed, to explain a low figure: the members placed by each side,
both k, the silhouette of every k tried, Pol.is's group sizes over the members both
placed and the silhouette of Pol.is's groups on our positions, the ARI with k fixed at Pol.is's, and the
ARI for five k-means seeds (the base clusters depend on the seed). The table is the one
in docs/real-data.md.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.polis import write_polis_dataset
from prosumo.analytics.metrics.opinions import agreement_with_labels, opinion_groups, votes_of

SEEDS = range(5)


def reference_of(ds_members: pd.DataFrame) -> pd.Series:
    hit = ds_members.dropna(subset=["attributes"])
    groups = hit["attributes"].map(lambda text: json.loads(text).get("polis_group_id"))
    return pd.Series(groups.to_numpy(), index=hit["member_id"].to_numpy()).dropna()


def measure(folder: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        write_polis_dataset(folder, Path(tmp) / "ds")
        ds = load_dataset(Path(tmp) / "ds")
        votes = votes_of(ds)
        reference = reference_of(ds.members.select("member_id", "attributes").to_pyarrow().to_pandas())
    args = (votes["member_id"], votes["idea_id"], votes["vote"])
    result = opinion_groups(*args)
    ari, both = agreement_with_labels(result.members, reference)
    polis_k = int(reference.nunique())
    fixed = opinion_groups(*args, k=polis_k)
    ours = result.members.set_index("member_id")
    theirs = reference.reindex(ours.index)
    known = theirs.notna().to_numpy()
    from sklearn.metrics import silhouette_score

    their_sil = silhouette_score(ours.loc[known, ["x", "y"]], theirs[known].astype(int))
    their_sizes = theirs[known].astype(int).value_counts().sort_index().tolist()
    by_seed = [agreement_with_labels(opinion_groups(*args, seed=s).members, reference)[0] for s in SEEDS]
    return {
        "conversation": folder.name,
        "placed": f"{len(result.members)} / {len(reference)} ({both} both)",
        "k": f"{result.k} / {polis_k}",
        "sizes": ", ".join(map(str, result.members["group"].value_counts().sort_index().tolist())),
        "silhouettes": " ".join(f"{k}:{s:.3f}" for k, s in result.silhouettes.items()),
        "Pol.is's sizes (both)": ", ".join(map(str, their_sizes)),
        "Pol.is's groups' silhouette here": round(float(their_sil), 3),
        "ARI": round(ari, 3),
        "ARI with Pol.is's k": round(agreement_with_labels(fixed.members, reference)[0], 3),
        "ARI over seeds": f"{min(by_seed):.3f}–{max(by_seed):.3f}",
    }


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[3] / "shared/realdata/polis"
    rows = [measure(folder) for folder in sorted(p for p in root.iterdir() if p.is_dir())]
    table = pd.DataFrame(rows)
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(map(str, row)) + " |")
    print(f"\nmedian ARI: {float(np.median(table['ARI'])):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
