"""Bad inputs: every op must raise the documented exception type with a message that
starts with ``[opname]``.

``BAD_INPUTS`` is a table of (op name in the message, exception type, thunk, description);
a few families are generated from the op table, opinfo (incompatible broadcasting for
every binary op, out-of-range axes for every reduction).
"""
from __future__ import annotations

import numpy as np
import pytest

import ember_ml as em
import opinfo
from ember_ml import _core, ops
from ember_ml.nn import features as _features
from ember_ml.nn import initializers as _init
from ember_ml.nn import modules as _modules
from ember_ml.nn import tensor as T
from ember_ml.ops import bitwise as _bitwise
from ember_ml.ops import stats


def t(data, dtype=None):
    """An Ember tensor from NumPy data (keeps the NumPy dtype)."""
    a = np.asarray(data)
    return T.convert_to_tensor(a if dtype is None else a.astype(dtype))


F = lambda *shape: T.convert_to_tensor(np.ones(shape, np.float32))  # noqa: E731
I = lambda *shape: T.convert_to_tensor(np.ones(shape, np.int32))  # noqa: E731
B = lambda *shape: T.convert_to_tensor(np.ones(shape, bool))  # noqa: E731

# (name or names accepted as the message prefix, exception type, thunk, description)
BAD_INPUTS: list[tuple[str | tuple, type, object, str]] = []


def add_bad(name: str | tuple, exc: type, fn, desc: str) -> None:
    BAD_INPUTS.append((name, exc, fn, desc))


# ---- broadcasting: every binary op in the table ------------------------------------------
for _op in opinfo.OP_DB:
    if _op.category == "binary":
        _msg_name = {"pow": ("pow", "power"), "tensor.maximum": "maximum"}.get(_op.name, _op.name)
        _dtype = "int32" if _op.domain == "bitwise" else "float32"
        add_bad(_msg_name, ValueError,
                lambda f=_op.op, d=_dtype: f(t(np.ones((2, 3)), d), t(np.ones(4), d)),
                f"{_op.name}: shapes (2,3) and (4,)")
        add_bad(_msg_name, ValueError,
                lambda f=_op.op, d=_dtype: f(t(np.ones((2, 0)), d), t(np.ones((3,)), d)),
                f"{_op.name}: empty (2,0) with (3,)")

add_bad("add", ValueError, lambda: F(2, 3) + F(3, 2), "operator + shapes (2,3) and (3,2)")
add_bad("less", ValueError, lambda: F(2, 3) < F(2), "operator < shapes (2,3) and (2,)")
add_bad("add", ValueError, lambda: ops.add(F(5), np.ones(4)), "tensor + ndarray with bad shape")
add_bad("where", ValueError, lambda: ops.where(B(2, 3), F(2, 3), F(4)), "where: x/y shapes")
add_bad("where", ValueError, lambda: ops.where(B(3), F(2, 4), F(2, 4)), "where: condition shape")
add_bad("clip", ValueError, lambda: ops.clip(F(2, 3), F(4), None), "clip: min_val shape")
add_bad("isclose", ValueError, lambda: ops.isclose(F(2, 3), F(4)), "isclose: shapes")
add_bad("allclose", ValueError, lambda: ops.allclose(F(2, 3), F(4)), "allclose: shapes")
add_bad("broadcast_to", ValueError, lambda: T.broadcast_to(F(3), (2, 4)), "broadcast_to: (3,) to (2,4)")
add_bad("broadcast_to", ValueError, lambda: T.broadcast_to(F(2, 3), (3,)), "broadcast_to: fewer dims")

# ---- wrong dtypes -------------------------------------------------------------------------
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"):
    add_bad(_name, TypeError, lambda f=getattr(_core, _name): f(F(3), F(3)), f"{_name} on float32")
    add_bad(_name, TypeError, lambda f=getattr(_core, _name): f(I(3), t([1.5, 2, 3], "float64")),
            f"{_name} on int32 and float64")
    add_bad(_name, TypeError, lambda f=getattr(_core, _name): f(I(3), 1.5), f"{_name} with a Python float")
    add_bad(_name, TypeError, lambda f=getattr(_core, _name): f(t([1], "int64"), t([1], "uint64")),
            f"{_name} int64 with uint64 (promotes to float64)")
add_bad("bitwise_and", TypeError, lambda: F(3) & F(3), "operator & on floats")
add_bad("bitwise_or", TypeError, lambda: F(3) | 1, "operator | float with int")
add_bad("bitwise_xor", TypeError, lambda: 1.5 ^ I(3), "reflected operator ^ with a float")
add_bad("bitwise_not", TypeError, lambda: _core.bitwise_not(F(3)), "bitwise_not on float32")
add_bad("bitwise_not", TypeError, lambda: ~t([1.0], "float16"), "operator ~ on float16")
add_bad("count_ones", TypeError, lambda: _core.count_ones(F(3)), "count_ones on float32")
add_bad("subtract", TypeError, lambda: ops.subtract(B(3), B(3)), "boolean subtract")
add_bad("subtract", TypeError, lambda: B(3) - B(3), "operator - on bools")
add_bad("subtract", TypeError, lambda: B(3) - True, "bool tensor - Python bool")
add_bad("subtract", TypeError, lambda: True - B(3), "Python bool - bool tensor")
add_bad("negative", TypeError, lambda: ops.negative(B(3)), "negative on bool")
add_bad("negative", TypeError, lambda: -B(3), "unary - on bool")
add_bad("sign", TypeError, lambda: ops.sign(B(2)), "sign on bool")
add_bad("power", ValueError, lambda: ops.power(I(3), -1), "integer to a negative power (scalar)")
add_bad("power", ValueError, lambda: ops.power(t([2, 3], "int8"), t([1, -2], "int8")),
        "integer to a negative power (tensor)")
add_bad("power", ValueError, lambda: t([2, 3], "int64") ** -2, "operator ** with a negative int")
add_bad("power", ValueError, lambda: ops.power(T.convert_to_tensor(np.full(200_000, 2, np.int32)),
                                               T.convert_to_tensor(np.full(200_000, -1, np.int32))),
        "integer to a negative power, large (error raised inside worker threads)")
add_bad(("pow", "power"), ValueError, lambda: ops.pow(I(2), -3), "pow alias: integer to a negative power")
add_bad("mean", TypeError, lambda: stats.mean(F(3), dtype="int32"), "mean with an integer dtype")

# ---- axes ---------------------------------------------------------------------------------
for _op in opinfo.OP_DB:
    if _op.category == "reduction":
        add_bad(_op.name, IndexError, lambda f=_op.op: f(F(2, 3), axis=2), f"{_op.name}: axis 2 of a 2-D tensor")
        add_bad(_op.name, IndexError, lambda f=_op.op: f(F(2, 3), axis=-3), f"{_op.name}: axis -3 of a 2-D tensor")
        add_bad(_op.name, IndexError, lambda f=_op.op: f(T.convert_to_tensor(np.float32(1)), axis=0),
                f"{_op.name}: axis 0 of a 0-d tensor")
        add_bad(_op.name, TypeError, lambda f=_op.op: f(F(2, 3), axis=1.0), f"{_op.name}: float axis")
        add_bad(_op.name, TypeError, lambda f=_op.op: f(F(2, 3), axis="0"), f"{_op.name}: str axis")
        if _op.domain != "argreduce":
            add_bad(_op.name, ValueError, lambda f=_op.op: f(F(2, 3), axis=(0, -2)),
                    f"{_op.name}: duplicate axes")
            add_bad(_op.name, IndexError, lambda f=_op.op: f(F(2, 3), axis=(0, 5)),
                    f"{_op.name}: one axis of a tuple out of range")
        else:
            add_bad(_op.name, TypeError, lambda f=_op.op: f(F(2, 3), axis=(0, 1)),
                    f"{_op.name}: tuple axis (only an int or None is accepted)")

add_bad("expand_dims", IndexError, lambda: T.expand_dims(F(2, 3), 3), "expand_dims: axis 3 of 2-D")
add_bad("expand_dims", IndexError, lambda: T.expand_dims(F(2, 3), -4), "expand_dims: axis -4 of 2-D")
add_bad("squeeze", ValueError, lambda: T.squeeze(F(2, 1), 0), "squeeze: axis of size 2")
add_bad("squeeze", IndexError, lambda: T.squeeze(F(2, 1), 2), "squeeze: axis out of range")
add_bad("transpose", ValueError, lambda: T.transpose(F(2, 3, 4), (1, 0)), "transpose: too few axes")
add_bad("transpose", ValueError, lambda: T.transpose(F(2, 3), (0, 0)), "transpose: repeated axis")
add_bad("transpose", ValueError, lambda: T.transpose(F(2, 3), (0, -2)), "transpose: repeated via negative axis")
add_bad("transpose", IndexError, lambda: T.transpose(F(2, 3), (0, 2)), "transpose: axis out of range")
add_bad("concatenate", IndexError, lambda: T.concatenate([F(2), F(2)], axis=1), "concatenate: axis 1 of 1-D")
add_bad("stack", IndexError, lambda: T.stack([F(2), F(2)], axis=2), "stack: axis 2 for 1-D inputs")
add_bad("split", IndexError, lambda: T.split(F(4), 2, axis=1), "split: axis 1 of 1-D")

# ---- reductions over nothing ----------------------------------------------------------------
for _name, _fn in (("max", stats.max), ("min", stats.min), ("argmax", stats.argmax), ("argmin", stats.argmin)):
    add_bad(_name, ValueError, lambda f=_fn: f(F(0)), f"{_name} of an empty (0,) tensor")
    add_bad(_name, ValueError, lambda f=_fn: f(F(2, 0), axis=1), f"{_name} over an empty axis of (2,0)")
    add_bad(_name, ValueError, lambda f=_fn: f(t(np.ones((0, 3), np.int8))), f"{_name} of an empty int8 tensor")

# ---- shapes -----------------------------------------------------------------------------------
add_bad("reshape", ValueError, lambda: T.reshape(F(2, 3), (4,)), "reshape: 6 elements into (4,)")
add_bad("reshape", ValueError, lambda: T.reshape(F(2, 3), (-1, -1)), "reshape: two unknown dims")
add_bad("reshape", ValueError, lambda: T.reshape(F(2, 3), (4, -1)), "reshape: -1 cannot be inferred")
add_bad("reshape", ValueError, lambda: T.reshape(F(2, 3), (-2, -3)), "reshape: negative dims")
add_bad("reshape", ValueError, lambda: T.reshape(F(2, 3).T, (5,)), "reshape: non-contiguous input")
add_bad("reshape", TypeError, lambda: T.reshape(F(2, 3), (2.0, 3)), "reshape: float in shape")
add_bad("reshape", TypeError, lambda: T.reshape(F(2, 3), "23"), "reshape: str shape")
add_bad("reshape", ValueError, lambda: F(2, 3).reshape(7), "EmberTensor.reshape: 6 elements into 7")
add_bad("concatenate", ValueError, lambda: T.concatenate([F(2, 3), F(2, 4)]), "concatenate: mismatched dims")
add_bad("concatenate", ValueError, lambda: T.concatenate([F(2, 3), F(3)]), "concatenate: mismatched ndim")
add_bad("concatenate", ValueError, lambda: T.concatenate([]), "concatenate: no tensors")
add_bad("concatenate", ValueError, lambda: T.concatenate([T.convert_to_tensor(np.float32(1))] * 2),
        "concatenate: 0-d tensors")
add_bad("concatenate", TypeError, lambda: T.concatenate(F(2, 3)), "concatenate: a tensor instead of a list")
add_bad("stack", ValueError, lambda: T.stack([F(2, 3), F(3, 2)]), "stack: different shapes")
add_bad("stack", ValueError, lambda: T.stack([]), "stack: no tensors")
add_bad("vstack", ValueError, lambda: T.vstack([F(3), F(4)]), "vstack: different widths")
add_bad("vstack", ValueError, lambda: ops.vstack([F(2, 3), F(2, 4)]), "ops.vstack: different widths")
add_bad("hstack", ValueError, lambda: T.hstack([F(2, 3), F(3, 3)]), "hstack: different heights")
add_bad("hstack", ValueError, lambda: T.hstack([]), "hstack: no tensors")
add_bad("split", ValueError, lambda: T.split(F(5), 2), "split: 5 into 2 equal parts")
add_bad("split", ValueError, lambda: T.split(F(6), [1, 2]), "split: sizes do not sum to the axis")
add_bad("split", ValueError, lambda: T.split(F(6), [7, -1]), "split: negative section size")
add_bad("split", ValueError, lambda: T.split(F(6), 0), "split: zero sections")
add_bad("split", ValueError, lambda: T.split_tensor(F(5), 3), "split_tensor: 5 into 3 equal parts")
add_bad("tile", ValueError, lambda: T.tile(F(2), (-1,)), "tile: negative reps")
add_bad("pad", ValueError, lambda: T.pad(F(3), [(1, 1)], mode="wrap"), "pad: unknown mode 'wrap'")
add_bad("pad", ValueError, lambda: T.pad(F(3), [(1, 1)], mode="Constant"), "pad: mode is case-sensitive")
add_bad("pad", ValueError, lambda: T.pad(F(2, 3), [(1, 1)]), "pad: one pair for a 2-D tensor")
add_bad("pad", ValueError, lambda: T.pad(F(3), [(1, -1)]), "pad: negative padding")
add_bad("pad", ValueError, lambda: T.pad(F(3), [(1, 2, 3)]), "pad: a triple instead of a pair")
add_bad("pad", ValueError, lambda: T.pad(F(0), [(1, 1)], mode="reflect"), "pad: reflect an empty axis")
add_bad("pad", ValueError, lambda: T.pad(F(2, 0), [(0, 0), (1, 0)], mode="edge"), "pad: edge of an empty axis")
add_bad("matmul", ValueError, lambda: ops.matmul(F(2, 3), F(4, 2)), "matmul: inner dims 3 != 4")
add_bad("matmul", ValueError, lambda: ops.matmul(F(3), F(4)), "matmul: 1-D lengths differ")
add_bad("matmul", ValueError, lambda: ops.matmul(T.convert_to_tensor(np.float32(2)), F(2, 2)), "matmul: 0-d")
add_bad("matmul", ValueError, lambda: ops.matmul(F(2, 2, 3), F(3, 3, 2)), "matmul: batch dims 2 vs 3")
add_bad("matmul", ValueError, lambda: F(2, 3) @ F(2, 3), "operator @ with bad shapes")
add_bad("dot", ValueError, lambda: ops.dot(F(2, 3), F(2, 3)), "dot: shapes not aligned")
add_bad("dot", ValueError, lambda: ops.dot(F(2, 3, 4), F(2, 5, 3)), "dot: N-D shapes not aligned")
add_bad("meshgrid", ValueError, lambda: T.meshgrid(F(2), F(3), indexing="xz"), "meshgrid: bad indexing")

# ---- dtypes, creation ---------------------------------------------------------------------
for _name, _thunk in (
    ("zeros", lambda: T.zeros((2,), dtype="float128")),
    ("ones", lambda: T.ones((2,), dtype="complex256")),
    ("full", lambda: T.full((2,), 1, dtype="floaty")),
    ("eye", lambda: T.eye(2, dtype="int128")),
    ("arange", lambda: T.arange(3, dtype="half")),
    ("linspace", lambda: T.linspace(0, 1, 3, dtype="float8")),
    ("cast", lambda: T.cast(F(2), "foo")),
    ("cast", lambda: T.cast(F(2), np.clongdouble)),
    ("sum", lambda: stats.sum(F(2), dtype="int3")),
    ("mean", lambda: stats.mean(F(2), dtype="float128")),
    ("astype", lambda: F(2).astype("string")),
    ("EmberTensor", lambda: T.EmberTensor([1, 2], dtype="bfloat16")),
):
    add_bad(_name, TypeError, _thunk, f"{_name}: unknown dtype")
for _name, _thunk in (
    ("get_dtype", lambda: T.get_dtype("float128")),
    ("get_dtype", lambda: T.from_dtype_str("uint128")),
    ("get_dtype", lambda: T.to_dtype_str("quad")),
):
    add_bad(_name, ValueError, _thunk, f"{_name}: unknown dtype name")
add_bad("get_dtype", TypeError, lambda: T.get_dtype(object()), "get_dtype: not a dtype")
add_bad("cast", TypeError, lambda: T.cast(F(2), None), "cast: dtype None")
add_bad("astype", TypeError, lambda: F(2).astype(None), "astype: dtype None")
add_bad("zeros", ValueError, lambda: T.zeros((2, -1)), "zeros: negative dimension")
add_bad("ones", ValueError, lambda: T.ones((-3,)), "ones: negative dimension")
add_bad("full", ValueError, lambda: T.full((-1, 2), 0.5), "full: negative dimension")
add_bad("zeros", TypeError, lambda: T.zeros((2, 2.5)), "zeros: float in shape")
add_bad("full", TypeError, lambda: T.full((2,), "x"), "full: non-numeric fill value")
add_bad("full", TypeError, lambda: T.full((2,), [1, 2]), "full: sequence fill value")
add_bad("eye", ValueError, lambda: T.eye(-1), "eye: negative n")
add_bad("eye", ValueError, lambda: T.eye(2, -2), "eye: negative m")
add_bad("arange", ValueError, lambda: T.arange(0, 5, 0), "arange: step 0")
add_bad("arange", ValueError, lambda: T.arange(0, float("inf")), "arange: infinite stop")
add_bad("arange", ValueError, lambda: T.arange(float("nan")), "arange: nan stop")
add_bad("linspace", ValueError, lambda: T.linspace(0, 1, -1), "linspace: negative num")
add_bad("requires_grad", TypeError, lambda: T.convert_to_tensor([1, 2], requires_grad=True),
        "convert_to_tensor: requires_grad=True for int32")
add_bad("EmberTensor", TypeError, lambda: T.EmberTensor(np.array(["a", "b"])), "EmberTensor: str array")
add_bad("EmberTensor", TypeError, lambda: T.EmberTensor(np.array([1 + 2j], np.clongdouble)),
        "EmberTensor: long double complex array")
add_bad("EmberTensor", TypeError, lambda: T.EmberTensor(object()), "EmberTensor: arbitrary object")
add_bad("EmberTensor", TypeError, lambda: T.convert_to_tensor({"a": 1}), "convert_to_tensor: dict")
add_bad("add", TypeError, lambda: ops.add(F(2), "abc"), "add: str operand")
add_bad("add", TypeError, lambda: F(2) + np.array(["x", "y"]), "operator +: str array operand")
add_bad("maximum", TypeError, lambda: ops.maximum(F(2), np.array([1j, 2j])), "maximum: complex operand")
add_bad("add", OverflowError, lambda: ops.add(I(2), 2**70), "add: Python int beyond int64 (NumPy 2)")
add_bad("EmberTensor", OverflowError, lambda: T.EmberTensor(2**64), "EmberTensor: Python int beyond int64")
add_bad("clip", ValueError, lambda: ops.clip(F(3), None, None), "clip: both bounds None")
add_bad("clip", ValueError, lambda: ops.clip(F(3)), "clip: no bounds")
add_bad("exp", TypeError, lambda: ops.exp("e"), "exp: str input")
add_bad("sum", TypeError, lambda: stats.sum(np.array(["a"])), "sum: str array")
add_bad("item", ValueError, lambda: F(2).item(), "item: 2 elements")
add_bad("item", ValueError, lambda: T.item(F(0)), "nn.tensor.item: 0 elements")
add_bad("bool", ValueError, lambda: bool(F(2)), "bool() of a 2-element tensor")
add_bad("bool", ValueError, lambda: bool(F(0)), "bool() of an empty tensor")
add_bad("len", TypeError, lambda: len(T.convert_to_tensor(np.float32(1))), "len() of a 0-d tensor")
add_bad("iter", TypeError, lambda: iter(T.convert_to_tensor(np.float32(1))), "iter() of a 0-d tensor")
add_bad("index", TypeError, lambda: [1, 2, 3][F(1).reshape(())], "a float tensor as a list index")
add_bad("index", IndexError, lambda: F(3)[3], "index 3 of a length-3 axis")
add_bad("index", IndexError, lambda: F(3)[-4], "index -4 of a length-3 axis")
add_bad("index", IndexError, lambda: F(2, 3)[0, 0, 0], "too many indices")
add_bad("index", IndexError, lambda: F(2, 3)[..., ...], "two ellipses")
add_bad("index", ValueError, lambda: F(3)[::0], "slice step 0")
add_bad("index", IndexError, lambda: F(3)[1.0], "float index")
add_bad("index", IndexError, lambda: F(3)[[0, 3]], "integer-array index out of range")
add_bad("index", IndexError, lambda: F(3)[np.array([True, False])], "boolean mask of the wrong length")
add_bad("setitem", ValueError, lambda: F(2, 3).__setitem__(0, F(2)), "setitem: value shape (2,) into (3,)")
add_bad("setitem", ValueError, lambda: F(2, 3).__setitem__((), F(3, 3)), "setitem: value too large")
add_bad("setitem", ValueError, lambda: T.broadcast_to(F(3), (2, 3)).__setitem__((0, 0), 5.0),
        "setitem into a read-only broadcast_to view (NumPy: assignment destination is read-only)")
add_bad("set_backend", ValueError, lambda: em.set_backend("tensorflow"), "set_backend: unknown name")
add_bad("set_backend", TypeError, lambda: em.set_backend(3), "set_backend: not a str")
add_bad("set_default_device", ValueError, lambda: ops.set_default_device("opencl:7"),
        "set_default_device: unavailable device")
add_bad("synchronize", ValueError, lambda: ops.synchronize("tpu"), "synchronize: unknown device")


# ---- losses, vector / wave helpers, gradient, features, modules, memory ----------

for _name in ("mse", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy", "huber_loss",
              "log_cosh_loss"):
    add_bad(_name, ValueError, lambda f=getattr(ops, _name): f(F(3), F(3, 1)), f"{_name}: shapes (3,) and (3,1)")
    add_bad(_name, ValueError, lambda f=getattr(ops, _name): f(F(2, 3), F(2, 3), reduction="avg"),
            f"{_name}: unknown reduction")
    add_bad(_name, ValueError, lambda f=getattr(ops, _name): f(F(2, 3), F(2, 3), axis=0, reduction="none"),
            f"{_name}: axis with reduction='none'")
    add_bad(("mean", "sum"), IndexError, lambda f=getattr(ops, _name): f(F(2, 3), F(2, 3), axis=2),
            f"{_name}: axis out of range")
add_bad("categorical_crossentropy", ValueError, lambda: ops.categorical_crossentropy(F(), F()), "cce: 0-d y_pred")
add_bad("sparse_categorical_crossentropy", TypeError,
        lambda: ops.sparse_categorical_crossentropy(F(2), F(2, 3)), "sparse cce: float labels")
add_bad("sparse_categorical_crossentropy", ValueError,
        lambda: ops.sparse_categorical_crossentropy(I(3), F(2, 3)), "sparse cce: labels (3,) for y_pred (2,3)")
add_bad("sparse_categorical_crossentropy", IndexError,
        lambda: ops.sparse_categorical_crossentropy(t([0, 3]), F(2, 3)), "sparse cce: label 3 of 3 classes")
add_bad("sparse_categorical_crossentropy", IndexError,
        lambda: ops.sparse_categorical_crossentropy(t([-1, 0]), F(2, 3)), "sparse cce: negative label")
add_bad("sparse_categorical_crossentropy", ValueError,
        lambda: ops.sparse_categorical_crossentropy(I(2), F(2, 3), reduction="mean_over_batch"),
        "sparse cce: unknown reduction")
add_bad("huber_loss", ValueError, lambda: ops.huber_loss(F(3), F(3), delta=0.0), "huber_loss: delta 0")
add_bad("huber_loss", ValueError, lambda: ops.huber_loss(F(3), F(3), delta=-1.0), "huber_loss: negative delta")

add_bad("compute_interference_strength", ValueError, lambda: ops.compute_interference_strength(F(2, 8), F(8)),
        "interference: 2-D wave")
add_bad("compute_interference_strength", ValueError, lambda: ops.compute_interference_strength(F(0), F(4)),
        "interference: empty wave")
add_bad("compute_phase_coherence", ValueError, lambda: ops.compute_phase_coherence(F(8), F(8), freq_range=(0.1,)),
        "phase coherence: freq_range not a pair")
add_bad("compute_phase_coherence", ValueError, lambda: ops.compute_phase_coherence(F(8), F(8), freq_range=0.2),
        "phase coherence: freq_range a number")
add_bad("compute_phase_coherence", ValueError, lambda: ops.compute_phase_coherence(F(), F(8)), "coherence: 0-d")
add_bad("partial_interference", ValueError, lambda: ops.partial_interference(F(8), F(8), window_size=0),
        "partial_interference: window 0")
add_bad("partial_interference", ValueError, lambda: ops.partial_interference(F(8), F(8), window_size=2.5),
        "partial_interference: float window")
add_bad("compute_energy_stability", ValueError, lambda: ops.compute_energy_stability(F(8), window_size=-3),
        "energy stability: negative window")
add_bad("compute_energy_stability", ValueError, lambda: ops.compute_energy_stability(F()), "energy stability: 0-d")
add_bad("exponential_decay", ValueError, lambda: ops.exponential_decay(F(), 0.5), "exponential_decay: 0-d, no t")
add_bad("subtract", ValueError, lambda: ops.euclidean_distance(F(3), F(4)), "euclidean_distance: shapes")
add_bad("multiply", ValueError, lambda: ops.cosine_similarity(F(3), F(2, 4)), "cosine_similarity: shapes")
add_bad("sum", IndexError, lambda: ops.normalize_vector(F(3), axis=1), "normalize_vector: axis 1 of 1-D")
add_bad("arctan2", ValueError, lambda: ops.arctan2(F(3), F(2)), "arctan2: shapes")

add_bad("gradient", ValueError, lambda: ops.gradient(F(1)), "gradient: one sample")
add_bad("gradient", ValueError, lambda: ops.gradient(F(2), edge_order=2), "gradient: edge_order 2 with 2 samples")
add_bad("gradient", ValueError, lambda: ops.gradient(F(5), edge_order=3), "gradient: edge_order 3")
add_bad("gradient", TypeError, lambda: ops.gradient(F(3, 4), 1.0, 2.0, 3.0), "gradient: three spacings for 2 axes")
add_bad("gradient", ValueError, lambda: ops.gradient(F(5), F(4)), "gradient: coordinates of the wrong length")
add_bad("gradient", ValueError, lambda: ops.gradient(F(5), F(5, 1)), "gradient: 2-D coordinates")
add_bad("gradient", IndexError, lambda: ops.gradient(F(3, 4), axis=2), "gradient: axis out of range")
add_bad("gradient", ValueError, lambda: ops.gradient(F(3, 4), axis=(0, -2)), "gradient: repeated axis")
add_bad("gradient", TypeError, lambda: ops.gradient(F(3, 4), axis=0.5), "gradient: float axis")

add_bad("binary_wave_interference", ValueError, lambda: _bitwise.binary_wave_interference([I(3), I(3)], mode="nand"),
        "binary_wave_interference: bad mode")
add_bad("binary_wave_interference", ValueError, lambda: _bitwise.binary_wave_interference([]), "no waves")
add_bad("binary_wave_interference", TypeError, lambda: _bitwise.binary_wave_interference([I(3), F(3)]),
        "binary_wave_interference: float wave")
add_bad("bitwise_xor", ValueError, lambda: _bitwise.binary_wave_interference([I(3), I(4)]),
        "binary_wave_interference: shapes (3,) and (4,)")
add_bad("binary_wave_propagate", TypeError, lambda: _bitwise.binary_wave_propagate(F(3), 1), "propagate: float wave")
add_bad("binary_wave_propagate", TypeError, lambda: _bitwise.binary_wave_propagate(I(3), 1.5), "propagate: float shift")
add_bad("left_shift", ValueError, lambda: _bitwise.binary_wave_propagate(I(3), I(2)), "propagate: shapes")
add_bad("create_duty_cycle", ValueError, lambda: _bitwise.create_duty_cycle(0, 0.5), "duty cycle: length 0")
add_bad("create_duty_cycle", ValueError, lambda: _bitwise.create_duty_cycle(8, 1.5), "duty cycle: duty 1.5")
add_bad("generate_blocky_sin", ValueError, lambda: _bitwise.generate_blocky_sin(8, 0), "blocky sin: half period 0")
add_bad("generate_blocky_sin", ValueError, lambda: _bitwise.generate_blocky_sin(-1, 2), "blocky sin: length -1")

add_bad("one_hot", IndexError, lambda: _features.one_hot(t([0, 4]), 4), "one_hot: index 4 of 4 classes")
add_bad("one_hot", IndexError, lambda: _features.one_hot(t([-1]), 4), "one_hot: negative index")
add_bad("one_hot", TypeError, lambda: _features.one_hot(F(2), 4), "one_hot: float indices")
add_bad("one_hot", ValueError, lambda: _features.one_hot(I(2), 0), "one_hot: zero classes")
add_bad("one_hot", IndexError, lambda: _features.one_hot(I(2), 4, axis=2), "one_hot: axis 2 of a 2-D result")
add_bad("one_hot", TypeError, lambda: _features.one_hot(I(2), 4, axis=0.5), "one_hot: float axis")
add_bad("PCA", ValueError, lambda: _features.PCA(n_components=1.5), "PCA: n_components 1.5")
add_bad("PCA", ValueError, lambda: _features.PCA(n_components="mle"), "PCA: 'mle' is not supported")
add_bad("PCA.fit", ValueError, lambda: _features.PCA(n_components=4).fit(F(5, 3)), "PCA: 4 components of 3 features")
add_bad("PCA.fit", ValueError, lambda: _features.PCA().fit(F(6)), "PCA: 1-D data")
add_bad("PCA.fit", ValueError, lambda: _features.PCA().fit(F(1, 3)), "PCA: one sample")
add_bad("PCA.transform", ValueError, lambda: _features.PCA().transform(F(4, 3)), "PCA: transform before fit")
add_bad("PCA.transform", ValueError, lambda: _features.PCA().fit(t(np.eye(4)[:, :3])).transform(F(2, 4)),
        "PCA: transform with 4 features after fitting 3")
add_bad("Standardize.transform", ValueError, lambda: _features.Standardize().transform(F(2, 2)),
        "Standardize: transform before fit")
add_bad("Standardize.fit", ValueError, lambda: _features.Standardize().fit(F(0, 3)), "Standardize: no samples")
add_bad("Normalize", ValueError, lambda: _features.Normalize(norm="l3"), "Normalize: unknown norm")
add_bad("Normalize.inverse_transform", ValueError, lambda: _features.Normalize().inverse_transform(F(2, 2)),
        "Normalize: inverse_transform before fit")
add_bad("Normalize.inverse_transform", ValueError,
        lambda: _features.Normalize().fit(F(3, 2)).inverse_transform(F(2, 2)),
        "Normalize: inverse_transform with other rows")

for _rate in (-0.1, 1.0, 1.5, "0.5", True):
    add_bad("Dropout", ValueError, lambda r=_rate: _modules.Dropout(r), f"Dropout: rate {_rate!r}")
# ---- layers, containers and initializers ----------------------------------------------------

for _name, _exc, _thunk, _desc in (
    ("Dense", ValueError, lambda: _modules.Dense(4, 3)(F(2, 5)), "wrong feature size"),
    ("Dense", ValueError, lambda: _modules.Dense(4, 3)(T.convert_to_tensor(np.float32(1))), "0-d input"),
    ("Dense", ValueError, lambda: _modules.Dense(units=3)(T.convert_to_tensor(np.float32(1))), "lazy, 0-d input"),
    ("Dense", ValueError, lambda: _modules.Dense(4), "units missing"),
    ("Dense", ValueError, lambda: _modules.Dense(4, 0), "units 0"),
    ("Dense", ValueError, lambda: _modules.Dense(2.5, 3), "float input_dim"),
    ("get_activation", ValueError, lambda: _modules.Dense(4, 3, activation="gelu9"), "unknown activation"),
    ("get_initializer", ValueError, lambda: _modules.Dense(4, 3, kernel_initializer="he"), "unknown initializer"),
    ("Linear", ValueError, lambda: _modules.Linear(4, 3)(F(2, 3)), "wrong feature size"),
    ("Linear", ValueError, lambda: _modules.Linear(4, 3)(T.convert_to_tensor(np.float32(1))), "0-d input"),
    ("Linear", ValueError, lambda: _modules.Linear(0, 3), "in_features 0"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization(3)(F(3)), "1-D input"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization(3)(F(4, 2)), "wrong feature size"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization(3, axis=2)(F(4, 3)), "axis out of range"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization(3)(F(1, 3)), "one value per feature"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization()(F(5)), "lazy, 1-D input"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization(axis=0), "axis 0 (batch)"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization(momentum=1.5), "momentum 1.5"),
    ("BatchNormalization", ValueError, lambda: _modules.BatchNormalization(epsilon=0.0), "epsilon 0"),
    ("ModuleList", TypeError, lambda: _modules.ModuleList([_modules.ReLU(), 3]), "ModuleList: int item"),
    ("ModuleList", IndexError, lambda: _modules.ModuleList([_modules.ReLU()])[1], "ModuleList: index 1 of 1"),
    ("Sequential", TypeError, lambda: _modules.Sequential(F(2)), "Sequential: tensor item"),
    ("Linear.to", ValueError, lambda: _modules.Linear(2, 2).to("tpu"), "Module.to: unknown device"),
    ("get_initializer", ValueError, lambda: _init.get_initializer("lecun"), "get_initializer: unknown name"),
    ("get_initializer", TypeError, lambda: _init.get_initializer(None), "get_initializer: None"),
    ("BinomialInitializer", ValueError, lambda: _init.BinomialInitializer(-0.1), "binomial: probability -0.1"),
    ("orthogonal", ValueError, lambda: _init.orthogonal((4,)), "orthogonal: 1-D shape"),
    ("random_uniform", ValueError, lambda: _init.glorot_uniform((2, -1)), "glorot_uniform: negative size"),
    ("save", TypeError, lambda: ops.save("/tmp/unused.npz", [F(2)]), "save: list"),
    ("load", FileNotFoundError, lambda: ops.load("/nonexistent/ember/weights.npz"), "load: missing file"),
):
    add_bad(_name, _exc, _thunk, f"{_name}: {_desc}")
add_bad("memory_usage", ValueError, lambda: ops.memory_usage("opencl:7"), "memory_usage: unavailable device")
add_bad("memory_info", ValueError, lambda: ops.memory_info("tpu"), "memory_info: unknown device")
# ---- complex input to ops without complex kernels, and complex values into real tensors ----
Z = lambda *shape: T.convert_to_tensor(np.ones(shape, np.complex64))  # noqa: E731
la = ops.linearalg
for _name, _thunk in (
    ("sin", lambda: ops.sin(Z(3))), ("tanh", lambda: ops.tanh(Z(3))), ("sign", lambda: ops.sign(Z(3))),
    ("floor", lambda: ops.floor(Z(3))), ("logical_not", lambda: ops.logical_not(Z(3))),
    ("maximum", lambda: ops.maximum(Z(3), F(3))), ("less", lambda: ops.less(Z(3), 1.0)),
    ("less", lambda: Z(3) < 1j), ("power", lambda: ops.power(Z(3), 2)), ("floor_divide", lambda: Z(3) // 2),
    ("mod", lambda: Z(3) % 2), ("logical_and", lambda: ops.logical_and(Z(3), B(3))),
    ("bitwise_and", lambda: _core.bitwise_and(Z(3), I(3))), ("clip", lambda: ops.clip(Z(3), 0, 1)),
    ("max", lambda: stats.max(Z(3))), ("min", lambda: stats.min(Z(3))), ("prod", lambda: stats.prod(Z(3))),
    ("argmax", lambda: stats.argmax(Z(3))), ("all", lambda: ops.all(Z(3))), ("any", lambda: ops.any(Z(3))),
    ("var", lambda: stats.var(Z(3))), ("std", lambda: stats.std(Z(3))), ("sort", lambda: stats.sort(Z(3))),
    ("argsort", lambda: stats.argsort(Z(3))), ("cumsum", lambda: stats.cumsum(Z(3))),
    ("median", lambda: stats.median(Z(3))), ("percentile", lambda: stats.percentile(Z(3), 50)),
    ("matmul", lambda: Z(2, 2) @ F(2, 2)), ("dot", lambda: ops.dot(F(2), Z(2))),
    ("scatter", lambda: T.scatter(Z(3), [0, 1, 0])), ("inv", lambda: la.inv(Z(2, 2))),
    ("solve", lambda: la.solve(F(2, 2), Z(2))), ("norm", lambda: la.norm(Z(3))), ("eigh", lambda: la.eigh(Z(2, 2))),
    ("random_uniform", lambda: T.random_uniform((2,), dtype="complex64")),
    ("random_bernoulli", lambda: T.random_bernoulli((2,), dtype="complex64")),
    ("random_poisson", lambda: T.random_poisson((2,), dtype="complex128")),
    ("random_permutation", lambda: T.random_permutation(3, dtype="complex64")),
    ("arange", lambda: T.arange(3, dtype="complex64")), ("arange", lambda: T.arange(2j)),
    ("linspace", lambda: T.linspace(0, 1, 3, dtype="complex128")),
    ("sum", lambda: stats.sum(Z(3), dtype="float32")), ("mean", lambda: stats.mean(Z(3), dtype="float64")),
    ("cast", lambda: T.cast(Z(3), "float32")), ("cast", lambda: Z(2).astype("bool")),
    ("setitem", lambda: F(3).__setitem__(0, 1j)), ("setitem", lambda: F(3).__setitem__([0, 2], Z(2))),
    ("full", lambda: T.full((2,), 1j, dtype="float32")), ("pad", lambda: T.pad(F(2), [(1, 1)], constant_values=1j)),
    ("float", lambda: float(Z())), ("int", lambda: int(Z())),
    ("rfft", lambda: ops.rfft(Z(4))), ("rfft2", lambda: ops.rfft2(Z(2, 4))), ("rfftn", lambda: ops.rfftn(Z(4))),
):
    add_bad(_name, TypeError, _thunk, f"{_name}: complex input")

# ---- the FFT family and eig / eigvals ------------------------------------------------------
for _name, _exc, _thunk, _desc in (
    ("fft", ValueError, lambda: ops.fft(F(4), n=0), "n=0"),
    ("fft", ValueError, lambda: ops.fft(F(4), n=-3), "negative n"),
    ("ifft", ValueError, lambda: ops.ifft(F(0)), "empty axis, no n"),
    ("irfft", ValueError, lambda: ops.irfft(Z(1)), "one term: default n is 0"),
    ("fft", ValueError, lambda: ops.fft(F(4), norm="unitary"), "unknown norm"),
    ("irfftn", ValueError, lambda: ops.irfftn(Z(2, 3), norm="Ortho"), "norm is case sensitive"),
    ("rfft", ValueError, lambda: ops.rfft(F(4), norm=1), "norm not a string"),
    ("fft", IndexError, lambda: ops.fft(F(4), axis=1), "axis out of range"),
    ("ifft", IndexError, lambda: ops.ifft(T.convert_to_tensor(np.float32(1))), "0-d input"),
    ("fft", TypeError, lambda: ops.fft(F(4), n=2.5), "float n"),
    ("fft", TypeError, lambda: ops.fft(F(4), axis=None), "axis None"),
    ("fft", TypeError, lambda: ops.fft(np.array(["a", "b"])), "str input"),
    ("fft2", IndexError, lambda: ops.fft2(F(4)), "1-D input to fft2"),
    ("fftn", ValueError, lambda: ops.fftn(F(3, 4), s=(3,), axes=(0, 1)), "s and axes of different lengths"),
    ("fftn", ValueError, lambda: ops.fftn(F(3, 4), s=(0, 4), axes=(0, 1)), "a zero length in s"),
    ("fftn", IndexError, lambda: ops.fftn(F(3), s=(2, 2)), "more lengths than axes"),
    ("ifftn", IndexError, lambda: ops.ifftn(F(3, 4), axes=(2,)), "axes out of range"),
    ("rfftn", ValueError, lambda: ops.rfftn(F(3, 4), axes=()), "no axes"),
    ("irfft2", ValueError, lambda: ops.irfft2(Z(3, 1)), "last axis of one term"),
    ("eig", ValueError, lambda: la.eig(F(2, 3)), "non-square"),
    ("eigvals", ValueError, lambda: la.eigvals(F(3)), "1-D"),
    ("eig", ValueError, lambda: la.eig(t([[1.0, np.nan], [0.0, 1.0]])), "NaN entry"),
    ("eigvals", ValueError, lambda: la.eigvals(t([[np.inf, 0.0], [0.0, 1.0]], "float32")), "infinite entry"),
    ("eig", TypeError, lambda: la.eig(t(np.eye(2), "float16")), "float16"),
):
    add_bad(_name, _exc, _thunk, f"{_name}: {_desc}")

# ---- recurrent layers (ember_ml.ncps engine; documented NCP cells in nn.modules) -------------
def _rnn_bad_inputs():
    from ember_ml import ncps as M
    from ember_ml import wirings
    from ember_ml.nn import modules as D

    built = wirings.AutoNCP(8, 2, seed=0)
    built.build(5)
    return (
        ("CfC", ValueError, lambda: M.CfC(3, 4)(F(2, 3, 4, 3)), "CfC: rank-4 input"),
        ("CfC", ValueError, lambda: M.CfC(3, 4)(F(2, 5, 4)), "CfC: 4 features for input_size 3"),
        ("CfC", ValueError, lambda: M.CfC(3, 4)(F(2, 0, 3)), "CfC: empty sequence"),
        ("CfC", ValueError, lambda: M.CfC(3, built), "CfC: wiring built for 5 inputs"),
        ("CfC", ValueError, lambda: M.CfC(3, 4, mode="gated"), "CfC: unknown mode"),
        ("CfC", ValueError, lambda: M.CfC(3, 4, activation="swish"), "CfC: unknown activation"),
        ("CfC", ValueError, lambda: M.CfC(3, wirings.FullyConnected(4), backbone_units=8), "CfC: backbone + wiring"),
        ("CfC", ValueError, lambda: M.CfC(3, 4, proj_size=0), "CfC: proj_size 0"),
        ("CfC", ValueError, lambda: M.CfC(3, 0), "CfC: zero units"),
        ("CfC", ValueError, lambda: M.CfC(3, 4)(F(2, 5, 3), F(2, 5)), "CfC: hx of the wrong size"),
        ("CfC", ValueError, lambda: M.CfC(3, 4, mixed_memory=True)(F(2, 5, 3), F(2, 4)), "CfC: mixed hx not a tuple"),
        ("CfC", ValueError, lambda: M.CfC(3, 4)(F(2, 5, 3), timespans=F(2, 4)), "CfC: timespans shape"),
        ("LTC", ValueError, lambda: M.LTC(3, 4)(F(2, 5, 2)), "LTC: 2 features for input_size 3"),
        ("LTC", ValueError, lambda: M.LTC(3, built), "LTC: wiring built for 5 inputs"),
        ("LTC", ValueError, lambda: M.LTC(3, 4, input_mapping="relu"), "LTC: unknown input mapping"),
        ("LTC", ValueError, lambda: M.LTC(3, 4, ode_unfolds=0), "LTC: zero ODE unfolds"),
        ("NCP", ValueError, lambda: D.NCP(D.NCPMap(4, 3, 2, input_dim=3))(F(2, 4)), "NCP: input size"),
        ("NCP", ValueError, lambda: D.NCP(D.NCPMap(4, 3, 2))(F(2, 3), F(2, 8)), "NCP: state size"),
        ("NCP", ValueError, lambda: D.NCP(D.NCPMap(4, 3, 2), activation="swish"), "NCP: unknown activation"),
        ("AutoNCP", ValueError, lambda: D.AutoNCP(8, 6), "AutoNCP: output_size >= units - 2"),
        ("AutoNCP", ValueError, lambda: D.AutoNCP(8, 2, sparsity_level=0.05), "AutoNCP: sparsity below 0.1"),
        ("AutoNCP", ValueError, lambda: D.AutoNCP(8, 2)(F(3)), "AutoNCP: rank-1 input"),
        ("LSTM", ValueError, lambda: M.LSTM(3, 4)(F(2, 5, 3), F(2, 4)), "LSTM: hx not a tuple"),
        ("GRU", ValueError, lambda: M.GRU(3, 4, batch_first=False)(F(5, 2, 4)), "GRU: feature size"),
        ("RNN", ValueError, lambda: M.RNN(3, 4, nonlinearity="sigmoid"), "RNN: unknown nonlinearity"),
        ("CTRNN", ValueError, lambda: M.CTRNN(3, 4, activation="swish"), "CTRNN: unknown activation"),
        ("CTGRU", ValueError, lambda: M.CTGRU(3, 4, num_timescales=0), "CTGRU: zero time scales"),
        ("from_ncps", TypeError, lambda: M.from_ncps(M.CfC(3, 4)), "from_ncps: an Ember layer"),
    )


for _name, _exc, _thunk, _desc in _rnn_bad_inputs():
    add_bad(_name, _exc, _thunk, _desc)


def _id(entry) -> str:
    return entry[3]


@pytest.mark.parametrize("index", range(len(BAD_INPUTS)), ids=[_id(e) for e in BAD_INPUTS])
def test_bad_input(index: int) -> None:
    names, exc, thunk, desc = BAD_INPUTS[index]
    names = (names,) if isinstance(names, str) else names
    with pytest.raises(Exception) as info:
        thunk()
    err = info.value
    assert isinstance(err, exc), f"{desc}: expected {exc.__name__}, got {type(err).__name__}: {err}"
    prefixes = tuple(f"[{n}]" for n in names)
    assert str(err).startswith(prefixes), f"{desc}: message should start with {' or '.join(prefixes)}, got: {err}"


def test_unknown_backend_message_lists_available() -> None:
    with pytest.raises(ValueError) as info:
        em.set_backend("tensorflow")
    assert "cpu" in str(info.value)
    assert "tensorflow" in str(info.value)


def test_failed_op_leaves_inputs_untouched() -> None:
    x = T.convert_to_tensor(np.arange(6, dtype=np.int32).reshape(2, 3))
    with pytest.raises(ValueError):
        ops.add(x, T.convert_to_tensor(np.ones(4, np.int32)))
    with pytest.raises(ValueError):
        x[0] = T.convert_to_tensor(np.ones(4, np.int32))
    np.testing.assert_array_equal(x.numpy(), np.arange(6).reshape(2, 3))
