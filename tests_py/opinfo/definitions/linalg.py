"""Linear algebra: matmul / dot and ops.linearalg (decompositions, solves, norms, diagonals)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.ops import linearalg

from ..core import (ALL_DTYPES, FLOAT32, MATMUL_TOLS, Arg, OpInfo, Sample, arr, errstate,
                    partner_dtype, values)
from ..grads import GradCase as G
from ..smoke import LA, OPS, M, V

def matmul_samples(op: OpInfo, dtype: str, rng) -> list:
    kind = np.dtype(dtype).kind
    lo, hi = ((-1.0, 1.0) if kind == "f" else (-3, 3))
    A = lambda shape, layout="contig", d=dtype: arr(shape, d, rng, layout, lo, hi)
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("2-D @ 2-D", A((3, 4)), A((4, 5)))
    add("1-D @ 2-D", A((4,)), A((4, 3)))
    add("2-D @ 1-D", A((3, 4)), A((4,)))
    add("1-D @ 1-D", A((5,)), A((5,)))
    add("K=0", A((2, 0)), A((0, 3)))
    add("M=0", A((0, 4)), A((4, 3)))
    add("transposed @ transposed", A((3, 4), "T"), A((4, 5), "T"))
    add("strided @ last-axis strided", A((3, 4), "step2"), A((4, 5), "colstep"))
    add("reversed @ reversed", A((3, 4), "rev"), A((4, 2), "rev"))
    add("1-D reversed @ 2-D transposed", A((4,), "rev"), A((4, 3), "T"))
    add("larger (64x48 @ 48x40)", A((64, 48)), A((48, 40)))
    if op.name == "matmul":
        add("batched 3-D", A((2, 3, 4)), A((2, 4, 5)))
        add("broadcast batch", A((2, 1, 3, 4)), A((5, 4, 2)))
        add("2-D @ batched", A((3, 4)), A((2, 4, 2)))
        add("batched @ 1-D", A((2, 3, 4)), A((4,)))
        add("batched transposed", A((2, 3, 4), "T"), A((2, 4, 5), "colstep"))
    else:
        add("0-d times 2-D", A(()), A((2, 3)))
        add("2-D times 0-d", A((2, 3)), A(()))
        add("N-D . 2-D", A((2, 3, 4)), A((4, 5)))
        add("N-D . N-D", A((2, 3, 4)), A((3, 4, 2)))
        add("N-D . 1-D", A((2, 3, 4)), A((4,)))
        add("1-D . N-D", A((4,)), A((2, 4, 3)))
    partner = partner_dtype(op, dtype)
    add(f"mixed dtypes with {partner}", A((3, 4)), A((4, 2), d=partner))
    if kind == "f" and op.specials:
        add("inf/nan", values([[1.0, np.nan], [np.inf, 2.0]], dtype), values([[1.0, 0.5], [2.0, 1.0]], dtype))
    return s


LINALG_TOLS = {"float32": (2e-4, 2e-4), "float64": (1e-9, 1e-9)}
LINALG_DTYPES = ("float32", "float64", "int32")


def _la_dtype(*arrays) -> np.dtype:
    """Ember's linalg result dtype: the promoted float dtype, float32 for integer/bool input."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else FLOAT32


def _la_cast(out, dt):
    if isinstance(out, (tuple, list)):
        return [_la_cast(o, dt) for o in out]
    out = np.asarray(out)
    return out.astype(dt) if out.dtype.kind == "f" else out


def _la_ref(np_fn: Callable) -> Callable:
    """NumPy computed in float64, rounded to Ember's result dtype (NumPy returns float64 for ints)."""
    def ref(*args, **kwargs):
        dt = _la_dtype(*[a for a in args if isinstance(a, np.ndarray)])
        args = [a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in args]
        return _la_cast(np_fn(*args, **kwargs), dt)
    return ref


def _project_svd(out, full_matrices=True, compute_uv=True):
    """Sign/rotation-invariant parts of an SVD: s, |leading singular vectors|, orthogonality."""
    if not compute_uv:
        return [out]
    u, s, vh = out
    k = s.shape[-1]
    return [s, np.abs(u[..., :k]), np.abs(vh[..., :k, :]), np.swapaxes(u, -1, -2) @ u, vh @ np.swapaxes(vh, -1, -2)]


def _project_qr(out, mode="reduced"):
    """|Q| on the leading K columns, |R| and Q^T Q (Householder QR fixes Q and R up to signs)."""
    if mode == "r":
        return [np.abs(out)]
    q, r = out
    k = min(q.shape[-2], r.shape[-1])
    return [np.abs(q[..., :k]), np.abs(r), np.swapaxes(q, -1, -2) @ q]


def _project_eigh(out):
    w, v = out
    return [w, np.abs(v)]


def _projected_op(fn: Callable, project: Callable) -> Callable:
    """Ember op followed by the same projection as the reference, results as EmberTensors."""
    def op(*args, **kwargs):
        out = fn(*args, **kwargs)
        np_out = [np.asarray(o) for o in out] if isinstance(out, tuple) else np.asarray(out)
        return [T.convert_to_tensor(np.ascontiguousarray(p)) for p in project(np_out, **kwargs)]
    return op


def _projected_ref(np_fn: Callable, project: Callable) -> Callable:
    base = _la_ref(np_fn)
    return lambda *args, **kwargs: project(base(*args, **kwargs), **kwargs)


def _lstsq_ref(a, b, rcond=None):
    """numpy.linalg.lstsq with Ember's default rcond: eps of the result dtype (NumPy: float64 eps)."""
    dt = _la_dtype(a, b)
    if rcond is None:
        rcond = np.finfo(dt).eps * max(a.shape)
    x, res, rank, s = np.linalg.lstsq(a.astype(np.float64), b.astype(np.float64), rcond=rcond)
    return [x.astype(dt), res.astype(dt), np.asarray(rank, np.int32), s.astype(dt)]


def _as_arg(a: np.ndarray, layout: str) -> Arg:
    """An Arg whose view is exactly ``a`` (so structure such as symmetry survives the layout)."""
    if layout == "T":
        return Arg(np.ascontiguousarray(a.T), "T")
    if layout == "rev":
        return Arg(np.ascontiguousarray(a[::-1]), "rev")
    return Arg(np.ascontiguousarray(a))


def _la_rand(shape, dtype: str, rng) -> np.ndarray:
    if np.dtype(dtype).kind == "f":
        return rng.uniform(-1.0, 1.0, shape).astype(dtype)
    return rng.integers(-2, 2, size=shape, endpoint=True).astype(dtype)


def _well_conditioned(shape, dtype: str, rng) -> np.ndarray:
    """Diagonally dominant matrices: non-singular with a small condition number."""
    n = shape[-1]
    return (_la_rand(shape, dtype, rng) + (2 * n) * np.eye(n, dtype=np.int64)).astype(dtype)


def _spd(shape, dtype: str, rng) -> np.ndarray:
    b = _la_rand(shape, "float64" if np.dtype(dtype).kind == "f" else dtype, rng)
    n = shape[-1]
    return (b @ np.swapaxes(b, -1, -2) + n * np.eye(n, dtype=np.int64)).astype(dtype)


def _symmetric(shape, dtype: str, rng) -> np.ndarray:
    b = _la_rand(shape, "float64" if np.dtype(dtype).kind == "f" else dtype, rng)
    return (b + np.swapaxes(b, -1, -2)).astype(dtype)


def solve_samples(op, dtype, rng):
    W = lambda shape, layout="contig": _as_arg(_well_conditioned(shape, dtype, rng), layout)
    R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
    return [
        Sample((W((3, 3)), R((3,))), desc="vector b"),
        Sample((W((4, 4)), R((4, 2))), desc="matrix b"),
        Sample((W((2, 3, 3)), R((2, 3, 2))), desc="batched"),
        Sample((W((2, 3, 3)), R((3,))), desc="batched a, vector b"),
        Sample((W((2, 1, 3, 3)), R((4, 3, 1))), desc="broadcast batch"),
        Sample((W((3, 3), "T"), R((3, 2), "T")), desc="transposed views"),
        Sample((W((2, 3, 3), "rev"), R((2, 3, 2), "rev")), desc="reversed batch"),
        Sample((W((0, 3, 3)), R((0, 3, 2))), desc="empty batch"),
        Sample((W((8, 8)), R((8, 3), "T")), desc="8x8"),
    ]


def _square_samples(make):
    def samples(op, dtype, rng):
        M = lambda shape, layout="contig": _as_arg(make(shape, dtype, rng), layout)
        return [
            Sample((M((4, 4)),), desc="4x4"),
            Sample((M((1, 1)),), desc="1x1"),
            Sample((M((2, 3, 3)),), desc="batched"),
            Sample((M((2, 2, 3, 3)),), desc="2 batch axes"),
            Sample((M((3, 3), "T"),), desc="transposed"),
            Sample((M((2, 3, 3), "T"),), desc="batched transposed"),
            Sample((M((0, 3, 3)),), desc="empty batch"),
            Sample((M((9, 9)),), desc="9x9"),
        ]
    return samples


def det_samples(op, dtype, rng):
    s = _square_samples(_well_conditioned)(op, dtype, rng)
    s.append(Sample((_as_arg(_la_rand((2, 4, 4), dtype, rng), "contig"),), desc="general random"))
    s.append(Sample((values([[1, 2], [2, 4]], dtype),), desc="singular: det 0"))
    s.append(Sample((_as_arg(np.zeros((2, 0, 0), dtype), "contig"),), desc="0x0 matrices: det 1"))
    return s


def eigh_samples(op, dtype, rng):
    s = _square_samples(_symmetric)(op, dtype, rng)
    s.append(Sample((_as_arg(_la_rand((4, 4), dtype, rng), "contig"),), desc="non-symmetric: lower triangle used"))
    return s


def _rect_samples(extra_kwargs):
    def samples(op, dtype, rng):
        R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
        s = []
        for kw in extra_kwargs:
            s += [
                Sample((R((4, 3)),), dict(kw), desc="tall"),
                Sample((R((3, 5)),), dict(kw), desc="wide"),
                Sample((R((2, 4, 3)),), dict(kw), desc="batched"),
                Sample((R((3, 4), "T"),), dict(kw), desc="transposed"),
                Sample((R((0, 3, 2)),), dict(kw), desc="empty batch"),
            ]
        s.append(Sample((R((12, 10)),), desc="12x10"))
        return s
    return samples


def lstsq_samples(op, dtype, rng):
    R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
    deficient = _la_rand((5, 3), dtype, rng)
    deficient[:, 2] = deficient[:, 0]
    return [
        Sample((R((5, 3)), R((5,))), desc="overdetermined, vector b"),
        Sample((R((6, 3)), R((6, 2))), desc="overdetermined, matrix b"),
        Sample((R((3, 5)), R((3,))), desc="underdetermined (minimum norm)"),
        Sample((R((4, 4), "T"), R((4, 2), "T")), desc="transposed views"),
        Sample((_as_arg(deficient, "contig"), R((5, 2))), desc="rank deficient"),
        Sample((R((5, 3)), R((5,))), {"rcond": 0.5}, desc="large rcond truncates"),
    ]


def norm_samples(op, dtype, rng):
    R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
    v, m, t = R((7,)), R((3, 4)), R((2, 3, 4))
    s = [Sample((v,), desc="vector default"), Sample((t,), desc="3-D default (flattened)"),
         Sample((t,), {"keepdims": True}, desc="3-D default keepdims")]
    for o in (1, 2, np.inf, -np.inf, 0, 3, -1, 0.5):
        s.append(Sample((v,), {"ord": o}, desc=f"vector ord={o}"))
    for o in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
        s.append(Sample((m,), {"ord": o}, desc=f"matrix ord={o}"))
    s += [
        Sample((m,), {"axis": 1}, desc="rows axis=1"),
        Sample((m,), {"axis": 0, "ord": 1, "keepdims": True}, desc="axis=0 ord=1 keepdims"),
        Sample((t,), {"axis": (0, 2)}, desc="matrix norm over axes (0, 2)"),
        Sample((t,), {"axis": (2, 0), "ord": 1, "keepdims": True}, desc="axes (2, 0) ord=1 keepdims"),
        Sample((t,), {"axis": (-1, -2), "ord": np.inf}, desc="negative axes ord=inf"),
        Sample((t,), {"axis": (1, 2), "ord": "nuc"}, desc="batched nuclear"),
        Sample((t,), {"axis": (1, 2), "ord": -2}, desc="batched ord=-2"),
        Sample((R((3, 4), "T"),), {"ord": 2}, desc="transposed ord=2"),
        Sample((R((6, 5), "T"),), {"axis": 0}, desc="transposed axis=0"),
        Sample((R((0, 3)),), desc="empty"),
    ]
    return s


def diag_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)
    s = []
    for k in (0, 2, -1):
        s.append(Sample((A((4,)),), {"k": k}, desc=f"1-D k={k}"))
    for k in (0, 1, -2, 5, -7):
        s.append(Sample((A((3, 4)),), {"k": k}, desc=f"2-D k={k}"))
    s += [Sample((A((4, 3), "T"),), {"k": 1}, desc="transposed"), Sample((A((5,), "rev"),), desc="reversed 1-D"),
          Sample((A((0,)),), desc="empty 1-D"), Sample((A((6, 4), "step2"),), {"k": -1}, desc="strided 2-D")]
    return s


def diagonal_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)
    return [
        Sample((A((3, 4)),), desc="2-D"),
        Sample((A((3, 4)),), {"offset": 1}, desc="offset 1"),
        Sample((A((3, 4)),), {"offset": -2}, desc="offset -2"),
        Sample((A((3, 4)),), {"offset": 9}, desc="offset past the end"),
        Sample((A((2, 3, 4)),), {"axis1": 1, "axis2": 2}, desc="batched last two axes"),
        Sample((A((2, 3, 4)),), {"axis1": 2, "axis2": 0, "offset": 1}, desc="axis1 > axis2"),
        Sample((A((2, 3, 4)),), {"axis1": -1, "axis2": -3}, desc="negative axes"),
        Sample((A((2, 3, 4), "T"),), {"offset": -1}, desc="transposed"),
        Sample((A((0, 3, 3)),), {"axis1": 1, "axis2": 2}, desc="empty batch"),
    ]



def _la(name, ref, samples, **kw):
    """A linearalg row: float32 / float64 / int32 input, LINALG_TOLS, the linalg_<name> kernel."""
    return OpInfo(f"linalg.{name}", kw.pop("op", getattr(linearalg, name)), ref, LINALG_DTYPES, samples,
                  tols=LINALG_TOLS, module=LA, kernels=(f"linalg_{name}",), **kw)


def _on_m(f):
    return f(M())


OP_DB = [
    OpInfo("matmul", ops.matmul, errstate(np.matmul), ALL_DTYPES, matmul_samples, tols=MATMUL_TOLS, module=OPS,
           smoke=lambda f: f(M(), M()),
           grads=[G("matmul", ops.matmul, lambda g: [g.rand(3, 4), g.rand(4, 2)]),
                  G("matmul_batched", ops.matmul, lambda g: [g.rand(2, 1, 3, 4), g.rand(3, 4, 2)]),
                  G("matmul_vec_mat", ops.matmul, lambda g: [g.rand(4), g.rand(2, 4, 3)]),
                  G("matmul_mat_vec", ops.matmul, lambda g: [g.rand(3, 4), g.rand(4)]),
                  G("matmul_vec_vec", ops.matmul, lambda g: [g.rand(4), g.rand(4)])]),
    OpInfo("dot", ops.dot, errstate(np.dot), ALL_DTYPES, matmul_samples, tols=MATMUL_TOLS, module=OPS,
           smoke=lambda f: f(V(), V()), kernels=("matmul",),
           grads=[G("dot", ops.dot, lambda g: [g.rand(2, 3), g.rand(3, 2)]),
                  G("dot_nd", ops.dot, lambda g: [g.rand(2, 3), g.rand(2, 3, 4)])]),
    _la("solve", _la_ref(np.linalg.solve), solve_samples, smoke=lambda f: f(M(), V()[:2]),
        grads=[G("solve", linearalg.solve, lambda g: [g.spd(3), g.rand(3, 2)]),
               G("solve_vector", linearalg.solve, lambda g: [g.spd(3), g.rand(3)]),
               G("solve_batched", linearalg.solve, lambda g: [np.stack([g.spd(2), g.spd(2)]), g.rand(2, 2, 1)])]),
    _la("inv", _la_ref(np.linalg.inv), _square_samples(_well_conditioned), smoke=_on_m,
        grads=[G("inv", linearalg.inv, lambda g: [g.spd(3)])]),
    _la("det", _la_ref(np.linalg.det), det_samples, smoke=_on_m,
        grads=[G("det", linearalg.det, lambda g: [g.rand(3, 3) + 2 * np.eye(3)])]),
    _la("cholesky", _la_ref(np.linalg.cholesky), _square_samples(_spd), smoke=_on_m,
        grads=[G("cholesky", lambda a: linearalg.cholesky(ops.matmul(a, a.T) + T.eye(3, dtype="float64") * 3.0),
                 lambda g: [g.rand(3, 3)])]),
    _la("eigh", _projected_ref(np.linalg.eigh, _project_eigh), eigh_samples, smoke=_on_m,
        op=_projected_op(linearalg.eigh, _project_eigh)),
    _la("svd", _projected_ref(np.linalg.svd, _project_svd),
        _rect_samples([{}, {"full_matrices": False}, {"compute_uv": False}]),
        smoke=lambda f: f(M(), full_matrices=True, compute_uv=True), op=_projected_op(linearalg.svd, _project_svd)),
    _la("qr", _projected_ref(np.linalg.qr, _project_qr), _rect_samples([{}, {"mode": "complete"}, {"mode": "r"}]),
        smoke=lambda f: f(M(), mode="reduced"), op=_projected_op(linearalg.qr, _project_qr)),
    _la("lstsq", _lstsq_ref, lstsq_samples, smoke=lambda f: f(M(), V()[:2], rcond=None)),
    OpInfo("linalg.norm", linearalg.norm, _la_ref(np.linalg.norm), LINALG_DTYPES, norm_samples, tols=LINALG_TOLS,
           module=LA, smoke=lambda f: f(V(), ord=None, axis=None, keepdims=False),
           grads=[G("norm", lambda x: linearalg.norm(x), lambda g: [g.rand(3, 2)]),
                  G("norm_ord1_axis", lambda x: linearalg.norm(x, ord=1, axis=1), lambda g: [g.distinct(3, 2)]),
                  G("norm_inf", lambda x: linearalg.norm(x, ord=np.inf, axis=0), lambda g: [g.distinct(3, 2)])]),
    OpInfo("linalg.diag", linearalg.diag, np.diag, ALL_DTYPES, diag_samples, complex=True, module=LA,
           smoke=lambda f: f(V(), k=0), grads=[G("diag_vector", lambda x: linearalg.diag(x, k=-1),
                                                  lambda g: [g.rand(3)])]),
    OpInfo("linalg.diagonal", linearalg.diagonal, np.diagonal, ALL_DTYPES, diagonal_samples, complex=True,
           module=LA, smoke=lambda f: f(M(), offset=0, axis1=0, axis2=1),
           grads=[G("diagonal", lambda x: linearalg.diagonal(x, offset=1), lambda g: [g.rand(3, 4)])]),
    # No NumPy parity rows: eig's eigenvectors are fixed only up to a complex phase (test_complex.py
    # checks A v = w v), and orthogonal is random (test_linalg.py checks its orthogonality).
    OpInfo("linalg.eig", linearalg.eig, module=LA, smoke=_on_m, kernels=("linalg_eig",)),
    OpInfo("linalg.eigvals", linearalg.eigvals, module=LA, smoke=_on_m, kernels=("linalg_eig",)),
    OpInfo("linalg.orthogonal", linearalg.orthogonal, module=LA,
           smoke=lambda f: f((3, 3), gain=1.0, dtype=None, device=None), kernels=()),
]
