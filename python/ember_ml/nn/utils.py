"""Helpers for ragged and irregularly sampled sequences: padding with a mask, and per-step
elapsed times from absolute timestamps (the ``mask`` and ``timespans`` arguments of the
recurrent layers in :mod:`ember_ml.nn.modules.rnn`).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ember_ml.nn import tensor as T
from ember_ml.nn.tensor import EmberTensor

__all__ = ["pad_sequences", "elapsed_from_timestamps"]


def _as_array(owner: str, what: str, value: Any) -> np.ndarray:
    # Tensors and arrays keep their dtype; Python numbers follow Ember (floats -> float32).
    if isinstance(value, EmberTensor):
        array = T.to_numpy(value)
    elif isinstance(value, np.ndarray):
        array = value
    else:
        try:
            array = T.to_numpy(T.convert_to_tensor(value))
        except (TypeError, ValueError) as err:
            raise TypeError(f"[{owner}] {what} must be numbers (a tensor, array or nested lists), "
                            f"got {type(value).__name__}: {err}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"[{owner}] {what} must have a bool or real number dtype, got {array.dtype}")
    return array


def _device_of(values: Sequence[Any]) -> str | None:
    return next((v.device for v in values if isinstance(v, EmberTensor)), None)


def pad_sequences(sequences: Sequence[Any], padding: str = "post", value: float = 0.0, maxlen: int | None = None,
                  dtype: Any = None, truncating: str = "pre") -> tuple[EmberTensor, EmberTensor]:
    """Pads sequences of different lengths into one batch, with the mask of their real steps.

    The padded batch is ``torch.nn.utils.rnn.pad_sequence(sequences, batch_first=True,
    padding_value=value)`` with ``padding="post"``; ``padding``, ``truncating`` and ``maxlen``
    behave as in ``keras.utils.pad_sequences`` (which pads and truncates at the front by
    default; here padding is at the end by default, as ``torch``). Feed both results to a
    recurrent layer: ``layer(padded, mask=mask)``.

    Args:
        sequences: ``B`` sequences, each ``(L_i, *F)`` (tensors, arrays or nested lists) with
            the same trailing shape ``F`` (none for scalar steps); or one ``(B, L, *F)``
            array or tensor (its rows).
        padding: ``"post"`` pads after each sequence, ``"pre"`` before it.
        value: the padding value.
        maxlen: the length ``L`` of the result; default the longest sequence. Longer
            sequences are truncated.
        dtype: the result's dtype; default the inputs' common dtype (Python floats give
            float32, as :func:`ember_ml.nn.tensor.convert_to_tensor`).
        truncating: ``"pre"`` drops the first steps of a sequence longer than ``maxlen``
            (Keras's default), ``"post"`` the last ones.

    Returns:
        ``(padded, mask)``: ``padded`` ``(B, L, *F)`` of ``dtype``; ``mask`` bool ``(B, L)``,
        True at the real steps. On the device of the first tensor given (else the backend's).

    Raises:
        ValueError: ``[pad_sequences]`` for no sequences, a sequence of rank 0, trailing
            shapes that differ, a negative ``maxlen`` or an unknown ``padding`` / ``truncating``.
        TypeError: ``[pad_sequences]`` for non-numeric (e.g. complex or string) sequences.
    """
    op = "pad_sequences"
    for arg, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f"[{op}] {arg} must be 'pre' or 'post', got {choice!r}")
    device = _device_of([sequences] if isinstance(sequences, EmberTensor) else sequences)
    if isinstance(sequences, EmberTensor):
        sequences = list(T.to_numpy(sequences))  # an equal-length batch, one sequence per row
    if len(sequences) == 0:
        raise ValueError(f"[{op}] expected at least one sequence, got an empty {type(sequences).__name__}")
    if maxlen is not None and (not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise ValueError(f"[{op}] maxlen must be a non-negative int or None, got {maxlen!r}")
    arrays = [_as_array(op, f"sequences[{k}]", s) for k, s in enumerate(sequences)]
    for k, a in enumerate(arrays):
        if a.ndim == 0:
            raise ValueError(f"[{op}] sequences[{k}] must have a time axis (shape (L, ...)), got a scalar")
        if a.shape[1:] != arrays[0].shape[1:]:
            raise ValueError(f"[{op}] every sequence must have the trailing shape of sequences[0] "
                             f"{arrays[0].shape[1:]}, got sequences[{k}] of shape {a.shape}")
    length = max(len(a) for a in arrays) if maxlen is None else int(maxlen)
    out_dtype = np.result_type(*arrays) if dtype is None else np.dtype(T.get_dtype(dtype))
    padded = np.full((len(arrays), length) + arrays[0].shape[1:], value, dtype=out_dtype)
    mask = np.zeros((len(arrays), length), dtype=bool)
    for b, a in enumerate(arrays):
        kept = a[len(a) - length:] if truncating == "pre" and len(a) > length else a[:length]
        start = 0 if padding == "post" else length - len(kept)
        padded[b, start:start + len(kept)] = kept
        mask[b, start:start + len(kept)] = True
    return T.convert_to_tensor(padded, device=device), T.convert_to_tensor(mask, device=device)


def elapsed_from_timestamps(timestamps: Any, mask: Any = None, axis: int = -1, initial: float = 1.0
                            ) -> EmberTensor:
    """The elapsed time of every step (a layer's ``timespans``) from absolute timestamps.

    ``elapsed[t] = timestamps[t] - timestamps[t']`` with ``t'`` the previous real step along
    ``axis`` (masked steps are skipped, so a real step after a gap gets the whole time since
    the last real one, as a carried state has seen nothing in between). A sequence's first
    real step, and every masked step (which the layers never read), get ``initial``.

    Args:
        timestamps: real numbers, e.g. ``(B, L)`` batch-first or ``(L, B)`` time-major, in
            any unit (the layers read elapsed times in that unit); non-decreasing over the
            real steps of each sequence.
        mask: None (every step is real), or bool / 0-1 of ``timestamps``' shape.
        axis: the time axis.
        initial: the elapsed time of each sequence's first real step.

    Returns:
        ``timestamps``' shape, its dtype when floating (else float32), on its device.

    Raises:
        ValueError: ``[elapsed_from_timestamps]`` for a mask of another shape, mask values
            other than 0 / 1, an ``axis`` out of range, or timestamps that decrease.
        TypeError: ``[elapsed_from_timestamps]`` for complex or string timestamps or mask.
    """
    op = "elapsed_from_timestamps"
    times = _as_array(op, "timestamps", timestamps)
    if times.ndim == 0 or not -times.ndim <= axis < times.ndim:
        raise ValueError(f"[{op}] axis {axis} is out of range for timestamps of shape {times.shape}")
    if mask is None:
        real = np.ones(times.shape, dtype=bool)
    else:
        real = _as_array(op, "mask", mask)
        if real.shape != times.shape:
            raise ValueError(f"[{op}] expected mask of the timestamps' shape {times.shape}, got {real.shape}")
        if real.dtype.kind != "b" and not np.isin(real, (0, 1)).all():
            raise ValueError(f"[{op}] mask values must be 0 or 1 (or bool)")
        real = real.astype(bool)
    dtype = times.dtype if times.dtype.kind == "f" else np.dtype(np.float32)
    t = np.moveaxis(times, axis, -1).astype(np.float64)
    r = np.moveaxis(real, axis, -1)
    steps = t.shape[-1]
    # Index of the last real step before each step (-1: none yet).
    last_real = np.maximum.accumulate(np.where(r, np.arange(steps), -1), axis=-1)
    before = np.concatenate([np.full(t.shape[:-1] + (1,), -1), last_real[..., :-1]], axis=-1)
    has_before = r & (before >= 0)
    elapsed = np.where(has_before, t - np.take_along_axis(t, np.maximum(before, 0), axis=-1), initial)
    if (elapsed[has_before] < 0).any():
        raise ValueError(f"[{op}] timestamps must not decrease along axis {axis} over the real steps "
                         f"(shape {times.shape})")
    return T.convert_to_tensor(np.moveaxis(elapsed, -1, axis).astype(dtype), device=_device_of([timestamps]))
