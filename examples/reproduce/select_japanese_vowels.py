"""How the JapaneseVowels configuration was chosen, on validation only: every candidate is trained
on each of several speaker-stratified hold-outs of the 270 training utterances and scored on the
held-out part; the archive's test split is never loaded into a run (its place is taken by the
validation split, so the harness's final "test" evaluation is one more validation pass).

Run from the repository root::

    python examples/reproduce/select_japanese_vowels.py                     # every candidate, 5 hold-outs
    python examples/reproduce/select_japanese_vowels.py --candidates cfc    # only the chosen one

Hold-out ``s`` (``data.load_japanese_vowels(seed=s)``: 6 of each speaker's 30 utterances) is
trained with model seed ``s``. Candidates are ranked by their mean validation accuracy, then by
their mean validation cross-entropy; the results go to
``results/selection/japanese_vowels.json``. The winner is ``CONFIGS["japanese_vowels"]["cfc"]``.
"""
from __future__ import annotations

import argparse
import pathlib
import tempfile
from dataclasses import replace
from typing import Any

import numpy as np

import harness  # first: it puts examples/ on the path
from configs import CONFIGS, Config
from data import TaskData, load_japanese_vowels
from report import RESULTS, write_json_atomic

TASK = "japanese_vowels"
CHOSEN = CONFIGS[TASK]["cfc"]
WIRED = CONFIGS[TASK]["cfc-ncp"]
SELECTION = RESULTS / "selection" / f"{TASK}.json"


def _unwired(units: int, pool: str = "meanmax", **layer: Any) -> Config:
    return replace(CHOSEN, layer=dict(units=units, **layer), pool=pool)


# The second round of the search: the first round (hold-out 0 only, model seeds 0-2, 200 epochs:
# AutoNCP / un-wired widths, read-outs, lr, weight decay, batch size) kept these.
CANDIDATES: dict[str, Config] = {
    "cfc": CHOSEN,
    "cfc-ncp": WIRED,
    "ncp64-mean": replace(WIRED, pool="mean"),
    "u16": _unwired(16),
    "u16-wd0.1": replace(_unwired(16), weight_decay=0.1),
    "u32": _unwired(32),
    "u32-wd0.1": replace(_unwired(32), weight_decay=0.1),
    "u32-wd0.01": replace(_unwired(32), weight_decay=0.01),
    "u32-lr0.01": replace(_unwired(32), lr=0.01),
    "u32-lr0.002": replace(_unwired(32), lr=0.002),
    "u32-mean": _unwired(32, pool="mean"),
    "u48": _unwired(48),
    "u32-2l": _unwired(32, backbone_layers=2),
    "u32-2l-drop0.5": _unwired(32, backbone_layers=2, backbone_dropout=0.5),
    "u64-2l-drop0.3": _unwired(64, backbone_layers=2, backbone_dropout=0.3),
    "u32-2l-drop0.3-mean": _unwired(32, pool="mean", backbone_layers=2, backbone_dropout=0.3),
    "u32-2l-drop0.3-last": _unwired(32, pool="last", backbone_layers=2, backbone_dropout=0.3),
}


def score(name: str, cfg: Config, splits: list[int], work: pathlib.Path) -> dict[str, Any]:
    """Trains ``cfg`` once per hold-out in ``splits`` (checkpoints under ``work/name``); returns its
    validation accuracies (%), mean cross-entropies and best epochs."""
    CONFIGS[TASK]["_candidate"] = cfg
    accuracies, losses, epochs = [], [], []
    try:
        for split in splits:
            d = load_japanese_vowels(seed=split)
            record, model = harness.train_run(TASK, "_candidate", split, TaskData(d.train, d.val, d.val),
                                         work / name / str(split), progress_bar=False)
            accuracy, loss = harness.evaluate(model, cfg, d.val)
            accuracies.append(accuracy)
            losses.append(loss)
            epochs.append(record["best_epoch"])
    finally:
        del CONFIGS[TASK]["_candidate"]
    return {"val_accuracy": float(np.mean(accuracies)), "val_accuracy_std": float(np.std(accuracies)),
            "val_loss": float(np.mean(losses)), "val_accuracies": accuracies, "best_epochs": epochs, "splits": splits}


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Scores the candidates, prints them ranked, writes ``results/selection/japanese_vowels.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", nargs="+", choices=tuple(CANDIDATES), default=list(CANDIDATES))
    parser.add_argument("--splits", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="hold-out seeds")
    parser.add_argument("--out", type=pathlib.Path, default=SELECTION, help="where the ranking is written")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        rows = [{"name": name, **score(name, CANDIDATES[name], args.splits, pathlib.Path(work))}
                for name in args.candidates]
    rows.sort(key=lambda r: (-r["val_accuracy"], r["val_loss"]))
    for r in rows:
        print(f"{r['name']:24s} validation {r['val_accuracy']:6.2f} ± {r['val_accuracy_std']:4.2f} %, "
              f"cross-entropy {r['val_loss']:.4f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.out, rows)
    return rows


if __name__ == "__main__":
    main()
