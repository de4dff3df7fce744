"""``ember_ml.nn.utils``: pad_sequences (vs torch.nn.utils.rnn.pad_sequence and the examples of
Keras's pad_sequences documentation) and elapsed_from_timestamps (vs a per-step NumPy loop)."""
from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

import ember_ml as em
from ember_ml.nn import tensor as T
from ember_ml.nn.utils import elapsed_from_timestamps, pad_sequences


def _ragged(seed: int = 0, features: tuple[int, ...] = (3,)) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n,) + features).astype(np.float32) for n in (4, 1, 6, 3)]


@pytest.mark.parametrize("features", [(3,), (), (2, 2)])
def test_post_padding_matches_torch_pad_sequence(features: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    seqs = _ragged(1, features)
    padded, mask = pad_sequences(seqs, value=-2.5)
    want = torch.nn.utils.rnn.pad_sequence([torch.from_numpy(s) for s in seqs], batch_first=True,
                                           padding_value=-2.5).numpy()
    np.testing.assert_array_equal(padded.numpy(), want)
    assert padded.dtype == T.float32
    lengths = np.array([len(s) for s in seqs])
    np.testing.assert_array_equal(mask.numpy(), np.arange(6)[None, :] < lengths[:, None])
    assert mask.dtype == T.bool_


def test_keras_documentation_examples() -> None:
    # keras.utils.pad_sequences's docstring: pre padding / truncation are Keras's defaults.
    seqs = [[1], [2, 3], [4, 5, 6]]
    padded, mask = pad_sequences(seqs, padding="pre")
    np.testing.assert_array_equal(padded.numpy(), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(mask.numpy(), [[0, 0, 1], [0, 1, 1], [1, 1, 1]])
    np.testing.assert_array_equal(pad_sequences(seqs, padding="pre", value=-1)[0].numpy(),
                                  [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(seqs, padding="post")[0].numpy(), [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    padded, mask = pad_sequences(seqs, padding="pre", maxlen=2)
    np.testing.assert_array_equal(padded.numpy(), [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(mask.numpy(), [[0, 1], [1, 1], [1, 1]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2, truncating="post")[0].numpy(),
                                  [[1, 0], [2, 3], [4, 5]])


def test_dtype_device_and_tensors() -> None:
    seqs = [T.convert_to_tensor(s) for s in _ragged(2)]
    whole = np.stack([s.numpy()[:1] for s in seqs])  # one (B, L, C) batch
    for batch in (whole, T.convert_to_tensor(whole)):
        padded, mask = pad_sequences(batch, maxlen=3)
        np.testing.assert_array_equal(padded.numpy()[:, :1], whole)
        np.testing.assert_array_equal(mask.numpy(), [[True, False, False]] * 4)
    padded, _ = pad_sequences(seqs, dtype="float64", maxlen=8)
    assert padded.dtype == T.float64 and padded.shape == (4, 8, 3)
    np.testing.assert_array_equal(padded.numpy()[2, :6], seqs[2].numpy())
    if "opencl" in em.get_available_backends():
        with em.using_backend("opencl"):
            on_device = [T.convert_to_tensor(s) for s in _ragged(2)]
        padded, mask = pad_sequences(on_device)
        assert padded.device == mask.device == on_device[0].device


def test_pad_sequences_bad_input() -> None:
    with pytest.raises(ValueError, match=r"^\[pad_sequences\] expected at least one sequence"):
        pad_sequences([])
    with pytest.raises(ValueError, match=r"^\[pad_sequences\] every sequence must have the trailing shape of "
                                         r"sequences\[0\] \(3,\), got sequences\[1\] of shape \(2, 4\)"):
        pad_sequences([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"^\[pad_sequences\] padding must be 'pre' or 'post'"):
        pad_sequences([np.zeros(2)], padding="middle")
    with pytest.raises(ValueError, match=r"^\[pad_sequences\] maxlen must be a non-negative int"):
        pad_sequences([np.zeros(2)], maxlen=-1)
    with pytest.raises(TypeError, match=r"^\[pad_sequences\] sequences\[0\] must have a bool or real number dtype"):
        pad_sequences([np.zeros(2, np.complex64)])
    with pytest.raises(TypeError, match=r"^\[pad_sequences\] sequences\[0\] must"):
        pad_sequences([["a", "b"]])


def _elapsed_loop(times: np.ndarray, mask: np.ndarray, initial: float) -> np.ndarray:
    out = np.full(times.shape, initial)
    for b in range(times.shape[0]):
        last = None
        for t in range(times.shape[1]):
            if mask[b, t]:
                if last is not None:
                    out[b, t] = times[b, t] - times[b, last]
                last = t
    return out


def test_elapsed_from_timestamps_matches_a_loop() -> None:
    rng = np.random.default_rng(3)
    times = np.cumsum(rng.uniform(0.1, 2.0, size=(4, 7)), axis=1)
    mask = rng.uniform(size=(4, 7)) > 0.35
    mask[3] = False
    got = elapsed_from_timestamps(times, mask, initial=0.5)
    assert got.dtype == T.float64 and got.shape == (4, 7)
    np.testing.assert_allclose(got.numpy(), _elapsed_loop(times, mask, 0.5), rtol=1e-12)
    # Time-major input, the same along axis 0; no mask: plain differences.
    np.testing.assert_allclose(elapsed_from_timestamps(times.T, mask.T.astype(np.float32), axis=0).numpy(),
                               _elapsed_loop(times, mask, 1.0).T, rtol=1e-12)
    np.testing.assert_allclose(elapsed_from_timestamps(times).numpy()[:, 1:], np.diff(times, axis=1), rtol=1e-12)
    assert elapsed_from_timestamps([[0, 2, 5]]).dtype == T.float32


def test_elapsed_from_timestamps_bad_input() -> None:
    with pytest.raises(ValueError, match=r"^\[elapsed_from_timestamps\] timestamps must not decrease"):
        elapsed_from_timestamps(np.array([[0.0, 2.0, 1.0]]))
    with pytest.raises(ValueError, match=r"^\[elapsed_from_timestamps\] expected mask of the timestamps' shape "
                                         r"\(1, 3\), got \(3,\)"):
        elapsed_from_timestamps(np.array([[0.0, 2.0, 3.0]]), np.ones(3, bool))
    with pytest.raises(TypeError, match=r"^\[elapsed_from_timestamps\] timestamps must have a bool or real"):
        elapsed_from_timestamps(np.ones((1, 3), np.complex128))
    with pytest.raises(ValueError, match=r"^\[elapsed_from_timestamps\] axis 2 is out of range"):
        elapsed_from_timestamps(np.ones((1, 3)), axis=2)


def test_ragged_sequences_page_runs() -> None:
    # The Python blocks of docs/ragged_sequences.md, in order, in one namespace.
    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "ragged_sequences.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    assert len(blocks) == 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)  # noqa: S102 - our own documentation
    assert namespace["hx"].shape == (4, 16)
