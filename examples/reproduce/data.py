"""Loaders of the three reproduced tasks, each following its published protocol exactly.

* Walker2d (CfC paper, Table 7): ``data/walker2d/walker2d.npz``; protocol in ``data/walker2d/README.md``
  (from the authors' ``irregular_sampled_datasets.Walker2dImitationData``).
* Half-Cheetah (LTC paper, Table 6): ``data/half_cheetah/half_cheetah.npz``; protocol in
  ``data/half_cheetah/README.md`` (from the authors' ``experiments_with_ltcs/cheetah.py``).
* JapaneseVowels (UEA archive): the ``.ts`` files that the ``sktime`` wheel ships
  (``sktime/datasets/data/JapaneseVowels``), read with ``sktime.datasets.load_from_tsfile``;
  no network access.

Every loader raises FileNotFoundError (naming the file) when its data is missing and
ValueError (naming the file and what was expected) when it has the wrong content.
"""
from __future__ import annotations

import importlib.util
import pathlib
from dataclasses import dataclass

import numpy as np

from ember_ml.nn.utils import pad_sequences

DATA = pathlib.Path(__file__).resolve().parent / "data"
WALKER2D = DATA / "walker2d" / "walker2d.npz"
HALF_CHEETAH = DATA / "half_cheetah" / "half_cheetah.npz"
FEATURES = 17  # MuJoCo observation size of both robots


@dataclass
class Split:
    """One part of a task's data (float32 arrays).

    ``x``: inputs ``(N, L, C)``; ``y``: targets ``(N, L, C_out)`` (regression) or class indices
    ``(N,)`` (classification); ``t``: elapsed time per step ``(N, L)`` or None (regular
    sampling); ``mask``: 1.0 on real steps, 0.0 on padding ``(N, L)``, or None (no padding);
    ``sources``: the number of files / traces / utterances the windows came from.
    """

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray | None = None
    mask: np.ndarray | None = None
    sources: int = 0

    def take(self, index: np.ndarray | slice) -> "Split":
        """The samples at ``index`` (same ``sources``)."""
        pick = (lambda a: None if a is None else a[index])
        return Split(self.x[index], self.y[index], pick(self.t), pick(self.mask), self.sources)


@dataclass
class TaskData:
    """The train / validation / test splits of a task."""

    train: Split
    val: Split
    test: Split


def load_npz_arrays(path: pathlib.Path, prefix: str, count: int, features: int = FEATURES,
                    min_length: int = 2) -> list[np.ndarray]:
    """The arrays ``prefix000...`` of an ``.npz``, sorted by name, each checked to be ``(T, features)``.

    Args:
        path: the ``.npz`` file.
        prefix: the array names' common prefix (``rollout_``, ``trace_``).
        count: the number of arrays expected.
        features: the expected second dimension.
        min_length: the smallest allowed ``T``.

    Returns:
        ``count`` float32 arrays ``(T_i, features)`` in name order.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: another number of ``prefix`` arrays, or an array of another rank / width /
            a too short one; the message names the file and the array.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"[data] {path} not found: expected {count} arrays '{prefix}*' of shape "
                                f"(T, {features}); see the README.md beside it for its source")
    with np.load(path) as archive:
        names = sorted(n for n in archive.files if n.startswith(prefix))
        if len(names) != count:
            raise ValueError(f"[data] {path}: expected {count} arrays named '{prefix}*', found {len(names)}")
        arrays = []
        for name in names:
            array = archive[name]
            if array.ndim != 2 or array.shape[1] != features or array.shape[0] < min_length:
                raise ValueError(f"[data] {path}: array '{name}' has shape {array.shape}, expected (T, {features}) "
                                 f"with T >= {min_length}")
            arrays.append(array.astype(np.float32))
    return arrays


def _walker_perturb(rollouts: list[np.ndarray], rng: np.random.RandomState
                    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Drops steps at random (kept with probability 0.9); a kept step's elapsed time counts the
    steps since the previous kept one. One draw of ``rng`` per step, rollout by rollout."""
    out = []
    for rollout in rollouts:
        x, y = rollout[:-1], rollout[1:]
        keep = rng.rand(len(x)) < 0.9
        positions = np.flatnonzero(keep)
        elapsed = np.diff(np.concatenate([[-1], positions])).astype(np.float32)
        out.append((x[keep], elapsed, y[keep]))
    return out


def _windows(sequences: list[tuple[np.ndarray, ...]], seq_len: int, stride: int) -> list[np.ndarray]:
    """Stacks the windows ``[s, s + seq_len)`` for ``s in range(0, n - seq_len, stride)`` of every
    sequence, for each of the parallel arrays of a sequence tuple (both papers' loaders)."""
    parts: list[list[np.ndarray]] = [[] for _ in sequences[0]]
    for arrays in sequences:
        n = len(arrays[0])
        for s in range(0, n - seq_len, stride):
            for part, array in zip(parts, arrays):
                part.append(array[s:s + seq_len])
    return [np.stack(part) for part in parts]


def load_walker2d(path: pathlib.Path = WALKER2D, seq_len: int = 64) -> TaskData:
    """Walker2d with the CfC paper's protocol (see ``data/walker2d/README.md``).

    400 rollouts sorted by name and shuffled with ``RandomState(125487)``: 60 test, 40
    validation, 300 training; each rollout's steps ``[:-1]`` predict ``[1:]``; one
    ``RandomState(891374)`` stream drops steps (train, then validation, then test rollouts);
    windows of ``seq_len`` kept steps with stride ``seq_len // 4``.

    Returns:
        Splits with ``x``, ``y`` float32 ``(N, seq_len, 17)`` and ``t`` float32 ``(N, seq_len)``.

    Raises:
        FileNotFoundError, ValueError: see :func:`load_npz_arrays`.
    """
    rollouts = load_npz_arrays(path, "rollout_", 400)
    order = np.arange(len(rollouts))
    np.random.RandomState(125487).shuffle(order)
    test_n, valid_n = int(0.15 * len(order)), int((0.15 + 0.1) * len(order))
    parts = {"test": order[:test_n], "val": order[test_n:valid_n], "train": order[valid_n:]}
    rng = np.random.RandomState(891374)
    perturbed = {name: _walker_perturb([rollouts[i] for i in parts[name]], rng) for name in ("train", "val", "test")}

    def split(name: str) -> Split:
        x, t, y = _windows(perturbed[name], seq_len, stride=seq_len // 4)
        return Split(x, y, t, None, len(parts[name]))

    return TaskData(split("train"), split("val"), split("test"))


def load_half_cheetah(path: pathlib.Path = HALF_CHEETAH, seq_len: int = 32) -> TaskData:
    """Half-Cheetah with the LTC paper's protocol (see ``data/half_cheetah/README.md``).

    31 traces sorted by name: training 15-24, test 5-14, validation 0-4; windows of
    ``seq_len`` steps, stride 10, ``range(0, n - seq_len - 1, 10)``; the target is the window
    shifted by one step.

    Returns:
        Splits with ``x``, ``y`` float32 ``(N, seq_len, 17)`` and no ``t`` (regular sampling).

    Raises:
        FileNotFoundError, ValueError: see :func:`load_npz_arrays`.
    """
    traces = load_npz_arrays(path, "trace_", 31)

    def split(indices: range) -> Split:
        pairs = [(trace[:-1], trace[1:]) for trace in (traces[i] for i in indices)]
        x, y = _windows(pairs, seq_len, stride=10)  # n = 999 pairs: range(0, 1000 - 33, 10)
        return Split(x, y, None, None, len(indices))

    return TaskData(split(range(15, 25)), split(range(0, 5)), split(range(5, 15)))


def japanese_vowels_files() -> tuple[pathlib.Path, pathlib.Path]:
    """The paths of ``JapaneseVowels_TRAIN.ts`` / ``_TEST.ts`` inside the installed ``sktime`` package.

    Raises:
        FileNotFoundError: sktime is not installed or does not ship the files.
    """
    spec = importlib.util.find_spec("sktime")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("[data] JapaneseVowels is read from the sktime wheel's data folder, but sktime is "
                                "not installed (pip install sktime; see requirements.txt)")
    folder = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "JapaneseVowels"
    files = (folder / "JapaneseVowels_TRAIN.ts", folder / "JapaneseVowels_TEST.ts")
    for file in files:
        if not file.is_file():
            raise FileNotFoundError(f"[data] {file} not found: the installed sktime does not ship JapaneseVowels")
    return files


def load_ts_classification(path: pathlib.Path, channels: int) -> tuple[list[np.ndarray], np.ndarray]:
    """A UEA ``.ts`` file as variable-length series and string labels (``sktime.datasets.load_from_tsfile``).

    Returns:
        ``(series, labels)``: float32 arrays ``(T_i, channels)`` and a ``(N,)`` array of labels.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a series with another number of channels (the message names the file).
    """
    from sktime.datasets import load_from_tsfile  # imported here: it takes seconds, only this task needs it

    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"[data] {path} not found")
    frames, labels = load_from_tsfile(str(path), return_data_type="df-list")
    series = [frame.to_numpy(dtype=np.float32) for frame in frames]
    for i, s in enumerate(series):
        if s.ndim != 2 or s.shape[1] != channels:
            raise ValueError(f"[data] {path}: series {i} has shape {s.shape}, expected (T, {channels})")
    return series, np.asarray(labels)


def pad(series: list[np.ndarray], length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Right-pads variable-length series with zeros (:func:`ember_ml.nn.utils.pad_sequences`).

    Returns:
        ``(x (N, L, C) float32, mask (N, L) float32)`` with ``L = length or max T_i``; mask 1 on real steps.
    """
    x, mask = pad_sequences(series, padding="post", maxlen=length, dtype="float32")
    return x.numpy(), mask.numpy().astype(np.float32)


def load_japanese_vowels(val_fraction: float = 0.2, seed: int = 0) -> TaskData:
    """JapaneseVowels (UEA): 270 training / 370 test utterances of 9 speakers, 12 LPC cepstra per frame.

    Series are 7 to 29 frames; they are right-padded to the longest (29) with a mask. The
    validation split is ``val_fraction`` of the training set, stratified by speaker
    (scikit-learn's ``train_test_split(stratify=...)`` with ``random_state=seed``; the archive
    has no validation split; the default keeps 6 of each speaker's 30 utterances); the test set
    is the archive's. Channels are standardised with the statistics of the remaining training
    utterances' real frames (not the validation or test ones).

    Returns:
        Splits with ``x`` float32 ``(N, 29, 12)``, ``y`` int64 class indices 0..8 ``(N,)``, ``mask``.

    Raises:
        FileNotFoundError, ValueError: see :func:`japanese_vowels_files`, :func:`load_ts_classification`.
    """
    from sklearn.model_selection import train_test_split

    train_file, test_file = japanese_vowels_files()
    train_series, train_labels = load_ts_classification(train_file, 12)
    test_series, test_labels = load_ts_classification(test_file, 12)
    classes = sorted(set(train_labels.tolist()))
    length = max(len(s) for s in train_series + test_series)
    x_train, m_train = pad(train_series, length)
    x_test, m_test = pad(test_series, length)
    y_train = np.array([classes.index(c) for c in train_labels], np.int64)
    y_test = np.array([classes.index(c) for c in test_labels], np.int64)
    train_idx, val_idx = (np.sort(i) for i in train_test_split(
        np.arange(len(y_train)), test_size=val_fraction, stratify=y_train, random_state=seed))
    real = m_train[train_idx].astype(bool)
    mean, std = x_train[train_idx][real].mean(axis=0), x_train[train_idx][real].std(axis=0)

    def standardised(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.where(mask[..., None] > 0, (x - mean) / std, 0.0).astype(np.float32)

    full = Split(standardised(x_train, m_train), y_train, None, m_train)
    train, val = full.take(train_idx), full.take(val_idx)
    train.sources, val.sources = len(train_idx), len(val_idx)
    return TaskData(train, val, Split(standardised(x_test, m_test), y_test, None, m_test, len(y_test)))
