"""The reproduction harness end to end (``examples/reproduce``): the published splits, each task's
``--quick`` run on a slice of its data (the loss falls, results recorded), ``--resume``, and bad data."""
from __future__ import annotations

import json
import pathlib
import sys
from dataclasses import replace

import numpy as np
import pytest

REPRODUCE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "reproduce"
sys.path.insert(0, str(REPRODUCE))

import baselines  # noqa: E402
import data  # noqa: E402
import demo  # noqa: E402
import half_cheetah  # noqa: E402
import harness  # noqa: E402
import japanese_vowels  # noqa: E402
import walker2d  # noqa: E402


def quick(script, out: pathlib.Path, *args: str) -> list[dict]:
    return script.main(["--quick", "--no-progress", "--no-timing", "--out", str(out), *args])


def test_walker2d_published_split_and_irregular_sampling() -> None:
    d = data.load_walker2d()
    assert (d.train.sources, d.val.sources, d.test.sources) == (300, 40, 60)  # 75 / 10 / 15 % of 400 rollouts
    for split in (d.train, d.val, d.test):
        assert split.x.shape[1:] == (64, 17) and split.y.shape == split.x.shape and split.t.shape == split.x.shape[:2]
        assert split.x.dtype == np.float32 and split.t.dtype == np.float32
        # elapsed times count skipped steps: whole numbers >= 1, about 1 / 0.9 on average
        assert np.all(split.t >= 1) and np.all(split.t == np.round(split.t))
        assert split.t.mean() == pytest.approx(1 / 0.9, abs=0.01)
        # where no step was dropped, the next input is the previous target (next-step prediction)
        regular = split.t[:, 1:] == 1
        np.testing.assert_array_equal(split.x[:, 1:][regular], split.y[:, :-1][regular])
        assert np.any(split.x[:, 1:][~regular] != split.y[:, :-1][~regular])


def test_half_cheetah_published_split() -> None:
    d = data.load_half_cheetah()
    per_trace = len(range(0, 1000 - 32 - 1, 10))  # the authors' cut_in_sequences on 1000-step traces
    assert (len(d.train.x), len(d.val.x), len(d.test.x)) == (10 * per_trace, 5 * per_trace, 10 * per_trace)
    raw = np.load(data.HALF_CHEETAH)
    np.testing.assert_array_equal(d.train.x[0], raw["trace_0015"][:32])  # training starts at trace 15
    np.testing.assert_array_equal(d.test.x[0], raw["trace_0005"][:32])
    np.testing.assert_array_equal(d.val.x[per_trace], raw["trace_0001"][:32])
    np.testing.assert_array_equal(d.train.y[:, :-1], d.train.x[:, 1:])  # the window shifted by one step
    assert d.train.t is None


def test_missing_or_malformed_data_names_the_file(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "walker2d.npz"
    with pytest.raises(FileNotFoundError, match=r"walker2d\.npz not found: expected 400 arrays 'rollout_\*'"):
        data.load_walker2d(missing)
    np.savez(missing, **{f"rollout_{i:03d}": np.zeros((10, 17), np.float32) for i in range(399)})
    with pytest.raises(ValueError, match=r"walker2d\.npz: expected 400 arrays named 'rollout_\*', found 399"):
        data.load_walker2d(missing)
    bad = tmp_path / "half_cheetah.npz"
    np.savez(bad, **{f"trace_{i:04d}": np.zeros((1000, 17 if i != 7 else 16), np.float32) for i in range(31)})
    with pytest.raises(ValueError, match=r"half_cheetah\.npz: array 'trace_0007' has shape \(1000, 16\)"):
        data.load_half_cheetah(bad)


@pytest.mark.parametrize("script, task, model", [(walker2d, "walker2d", "cfc"), (walker2d, "walker2d", "cfc-paper"),
                                                 (half_cheetah, "half_cheetah", "ltc")])
def test_quick_run_trains_and_records(tmp_path: pathlib.Path, script, task: str, model: str) -> None:
    (record,) = quick(script, tmp_path, "--models", model)  # 2 epochs
    losses = record["train_losses"]
    assert len(losses) == 2 and record["epochs"] == 2
    assert losses[-1] < losses[0]
    assert np.isfinite(record["test"]) and record["quick"]
    saved = json.loads((tmp_path / f"{task}.json").read_text())
    assert saved[-1]["test"] == record["test"]
    assert (tmp_path / "checkpoints" / task / f"{model}-0" / "checkpoint.npz").is_file()


def test_retime_times_ember_and_ncps_alike(tmp_path: pathlib.Path) -> None:
    """``harness.retime`` writes one idle timing per model of each library into all its records, and
    none for ncps.torch where it has no counterpart (the CT-RNN)."""
    pytest.importorskip("ncps")
    runs = [{"task": "half_cheetah", "model": m, "seed": s} for m in ("ltc", "ctrnn") for s in (0, 1)]
    (tmp_path / "half_cheetah.json").write_text(json.dumps(runs))
    harness.retime("half_cheetah", harness.quick_slice(data.load_half_cheetah()), folder=tmp_path)
    saved = json.loads((tmp_path / "half_cheetah.json").read_text())
    ltc = [r for r in saved if r["model"] == "ltc"]
    assert ltc[0]["idle_s_per_epoch"] == ltc[1]["idle_s_per_epoch"] > 0
    assert ltc[0]["ncps_s_per_epoch"] == ltc[1]["ncps_s_per_epoch"] > 0
    ctrnn = [r for r in saved if r["model"] == "ctrnn"]
    assert all(r["ncps_s_per_epoch"] is None and r["idle_s_per_epoch"] > 0 for r in ctrnn)


def test_resume_continues_as_an_unbroken_run(tmp_path: pathlib.Path) -> None:
    """Walker2d's CfC: the per-batch lr decay, clipping, L2 penalty and shuffling resume exactly."""
    (once,) = quick(walker2d, tmp_path / "once", "--epochs", "3")
    quick(walker2d, tmp_path / "split", "--epochs", "2")
    (resumed,) = quick(walker2d, tmp_path / "split", "--epochs", "3", "--resume")
    assert resumed["train_losses"] == pytest.approx(once["train_losses"], rel=1e-6)
    assert resumed["test"] == pytest.approx(once["test"], rel=1e-6)


def test_japanese_vowels_loader_and_quick_run(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("sktime")
    d = data.load_japanese_vowels()
    assert len(d.train.x) + len(d.val.x) == 270 and len(d.test.x) == 370
    assert d.test.x.shape[1:] == (29, 12) and d.test.mask.shape == (370, 29)
    lengths = np.concatenate([d.train.mask.sum(1), d.val.mask.sum(1), d.test.mask.sum(1)])
    assert lengths.min() == 7 and lengths.max() == 29
    assert set(np.unique(d.test.y)) == set(range(9))
    assert np.all(d.test.x[d.test.mask == 0] == 0)
    (record,) = quick(japanese_vowels, tmp_path, "--epochs", "3")
    assert record["train_losses"][-1] < record["train_losses"][0]
    assert 0.0 <= record["test"] <= 100.0


def test_make_model_names_unknown_models() -> None:
    with pytest.raises(ValueError, match=r"^\[make_model\] unknown model 'gru' for walker2d"):
        harness.make_model("walker2d", "gru", 0)
    with pytest.raises(ValueError, match=r"^\[make_model\] unknown task 'mnist'"):
        harness.make_model("mnist", "cfc", 0)


def test_lagged_features_are_the_last_frames_zero_before_the_window() -> None:
    x = np.arange(2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3)
    t = np.full((2, 4), 0.5, np.float32)
    feats = baselines.lagged_features(data.Split(x, x, t), 2).reshape(2, 4, 8)
    np.testing.assert_array_equal(feats[:, :, :3], x)  # newest frame first, then its elapsed time
    np.testing.assert_array_equal(feats[:, :, 3], t)
    np.testing.assert_array_equal(feats[:, 1:, 4:7], x[:, :-1])
    assert np.all(feats[:, 0, 4:] == 0)


def test_ridge_ar_recovers_a_linear_system() -> None:
    """Next frames from a known linear map: the chosen ridge AR predicts them almost exactly."""
    rng = np.random.default_rng(0)
    a = 0.5 * rng.standard_normal((3, 3)) / np.sqrt(3)

    def split(n: int) -> data.Split:
        x = np.empty((n, 6, 3), np.float32)
        x[:, 0] = rng.standard_normal((n, 3))
        for s in range(1, 6):
            x[:, s] = x[:, s - 1] @ a.T
        return data.Split(x, (x @ a.T).astype(np.float32))

    scores = baselines.regression_baselines(data.TaskData(split(200), split(50), split(50)))
    assert scores["ridge_ar"]["test"] < 1e-4 * scores["naive"]["test"]
    with pytest.raises(ValueError, match=r"^\[fit_ridge_ar\] targets \(4,\) are not next frames"):
        baselines.fit_ridge_ar(data.TaskData(*[data.Split(np.zeros((4, 2, 3)), np.zeros(4))] * 3))


def test_demo_writes_metrics_with_its_baselines(tmp_path: pathlib.Path) -> None:
    metrics = demo.main(["--quick", "--no-progress", "--out", str(tmp_path)])
    assert json.loads((tmp_path / "metrics.json").read_text()) == metrics
    assert (tmp_path / "forecast.png").stat().st_size > 0
    test = harness.quick_slice(data.load_half_cheetah()).test
    assert metrics["naive_test_mse"] == pytest.approx(float(np.mean((test.x - test.y) ** 2)), rel=1e-6)
    assert 0 < metrics["ridge_ar_test_mse"] < metrics["naive_test_mse"]
    assert metrics["epochs"] == 2 and np.isfinite(metrics["test_mse"])


def test_pooled_features_use_only_real_frames() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], np.float32)
    x[mask == 0] = 1e3  # padding must not count
    feats = baselines.pooled_features(data.Split(x, np.zeros(3), None, mask))
    for i, n in enumerate((3, 5, 1)):
        np.testing.assert_allclose(feats[i], np.concatenate([x[i, :n].mean(0), x[i, :n].std(0)]), rtol=1e-6)


def test_japanese_vowels_validation_is_stratified_and_unseen_by_the_scaler() -> None:
    pytest.importorskip("sktime")
    d = data.load_japanese_vowels()
    assert np.array_equal(np.bincount(d.val.y), np.full(9, 6))  # 6 of each speaker's 30 utterances
    assert np.array_equal(np.bincount(d.train.y), np.full(9, 24))
    real = d.train.mask > 0
    np.testing.assert_allclose(d.train.x[real].mean(0), 0.0, atol=1e-5)  # the scaler saw these frames only
    np.testing.assert_allclose(d.train.x[real].std(0), 1.0, atol=1e-5)
    assert np.abs(d.val.x[d.val.mask > 0].mean(0)).max() > 1e-3


@pytest.mark.parametrize("pool", ["last", "mean", "meanmax"])
@pytest.mark.parametrize("wired", [True, False])
def test_masked_batch_reads_out_as_each_series_run_alone(pool: str, wired: bool) -> None:
    """Padding must not leak into a classifier's read-out: a padded, masked batch gives each series'
    logits of that series run alone, unpadded (post-padding, and pre-padding in the last row, whose
    leading masked steps output zeros that the maximum must skip)."""
    rng = np.random.default_rng(3)
    lengths = (7, 29, 12, 1, 9)
    x = np.zeros((len(lengths), 29, 12), np.float32)
    mask = np.zeros((len(lengths), 29), np.float32)
    for i, n in enumerate(lengths):
        real = slice(29 - n, None) if i == len(lengths) - 1 else slice(0, n)
        x[i, real], mask[i, real] = rng.standard_normal((n, 12)), 1.0
    x[mask == 0] = 50.0  # garbage in the padding must not matter
    cfg = harness.CONFIGS["japanese_vowels"]["cfc"]
    harness.CONFIGS["japanese_vowels"]["cfc"] = replace(cfg, pool=pool, layer=dict(units=16, wired=wired))
    try:
        model, _ = harness.make_model("japanese_vowels", "cfc", 0)
    finally:
        harness.CONFIGS["japanese_vowels"]["cfc"] = cfg
    model.eval()
    batch = model(x, None, mask).numpy()
    assert batch.shape == (len(lengths), 9)
    for i, n in enumerate(lengths):
        real = x[i:i + 1, mask[i] > 0]
        alone = model(real, None, np.ones((1, n), np.float32)).numpy()[0]
        np.testing.assert_allclose(batch[i], alone, rtol=1e-5, atol=1e-6)
