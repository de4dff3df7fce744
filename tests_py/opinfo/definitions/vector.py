"""Vector / wave helpers (ops.normalize_vector ... ops.partial_interference), ops.gradient and
stats.gaussian.

References are NumPy computations of the same thing, done in float64 and rounded to the
result dtype. The wave metrics use ``numpy.fft.fft`` and ``numpy.angle`` as the original
Ember ML's NumPy backend did, with parts at rounding level taken as 0 (see ``_phases``).
"""
from __future__ import annotations

import numpy as np

from ember_ml import ops
from ember_ml.ops import stats

from ..core import REDUCTION_TOLS, Arg, OpInfo, Sample, arr, as_array, f64, float_result_dtype, values
from ..grads import GradCase as G
from ..smoke import OPS, STATS, I, V

FLOATS = ("float32", "float64")
WAVE_TOLS = {"float32": (1e-4, 1e-5), "float64": (1e-10, 1e-12)}


def _normalize_ref(x, axis=None):
    x64 = f64(x)
    norm = np.sqrt((x64**2).sum(axis=axis, keepdims=True))
    return (x64 / np.where(norm > 0, norm, 1)).astype(float_result_dtype(x))


def _euclid_ref(x, y):
    return np.asarray(np.sqrt(((f64(x) - f64(y)) ** 2).sum())).astype(float_result_dtype(x, y))


def _cosine_ref(x, y):
    a, b = f64(x), f64(y)
    cosine = (a * b).sum() / (np.sqrt((a**2).sum()) * np.sqrt((b**2).sum()) + 1e-8)
    return np.asarray(cosine).astype(float_result_dtype(x, y))


def _decay_ref(initial, rate, time_step=None):
    x = f64(initial)
    t = f64(time_step) if time_step is not None else np.arange(x.shape[0]).reshape((-1,) + (1,) * (x.ndim - 1))
    tensors = [v for v in (initial, rate, time_step) if isinstance(v, np.ndarray)]  # Python scalars are weak
    return (x * np.exp(-f64(rate) * t)).astype(float_result_dtype(*tensors))


def _energy_ref(wave, window_size=100):
    w = f64(wave)
    out_dtype = float_result_dtype(wave)
    n = w.shape[0] // window_size
    if n <= 1:
        return np.asarray(1.0, out_dtype)
    e = np.array([(w[i * window_size:(i + 1) * window_size] ** 2).sum() for i in range(n)])
    if e.mean() == 0:
        return np.asarray(1.0, out_dtype)
    return np.asarray(1.0 / (1.0 + e.var() / e.mean())).astype(out_dtype)


def _cut(w1, w2):
    """Both waves in float64, cut to the shorter length, with the epsilon of each one's float dtype."""
    n = min(len(w1), len(w2))
    return f64(w1)[:n], f64(w2)[:n], np.finfo(float_result_dtype(w1)).eps, np.finfo(float_result_dtype(w2)).eps


def _phases(x, eps):
    """numpy.angle of numpy.fft.fft(x), with parts within ``8 eps log2(L + 1) sum|x|`` of 0 set to 0.

    Bins that are 0 or real in exact arithmetic then have angle 0 or +pi; NumPy's FFT
    leaves rounding noise in some of them (the Nyquist bin of an even length, bins that
    cancel), whose angle is then arbitrary. Ember snaps them the same way: the deviation
    this reference encodes.
    """
    spectrum = np.fft.fft(x)
    tol = 8 * eps * np.log2(len(x) + 1) * np.abs(x).sum()
    re = np.where(np.abs(spectrum.real) <= tol, 0.0, spectrum.real)
    im = np.where(np.abs(spectrum.imag) <= tol, 0.0, spectrum.imag)
    return np.arctan2(im, re)


def _strength(a, b, eps_a, eps_b):
    r = np.clip(np.corrcoef(a, b)[0, 1], -1, 1)
    diff = np.abs(_phases(a, eps_a) - _phases(b, eps_b))
    return r * (1 - diff.mean() / np.pi)


def _interference_ref(w1, w2):
    return np.asarray(_strength(*_cut(w1, w2))).astype(float_result_dtype(w1, w2))


def _coherence_ref(w1, w2, freq_range=None):
    a, b, eps_a, eps_b = _cut(w1, w2)
    d = _phases(a, eps_a) - _phases(b, eps_b)
    if freq_range is not None:
        f = np.abs(np.fft.fftfreq(len(a)))
        d = d[(f >= freq_range[0]) & (f <= freq_range[1])]
    return np.asarray(np.abs(np.mean(np.exp(1j * d)))).astype(float_result_dtype(w1, w2))


def _partial_ref(w1, w2, window_size=100):
    a, b, eps_a, eps_b = _cut(w1, w2)
    out = [_strength(a[i:i + window_size], b[i:i + window_size], eps_a, eps_b)
           for i in range(len(a) - window_size + 1)]
    return np.asarray(out, dtype=np.float64).reshape(-1).astype(float_result_dtype(w1, w2))


def _vector_samples(kind):
    def samples(op, dtype, rng):
        A = lambda shape, layout="contig": arr(shape, dtype, rng, layout, -2.0, 2.0)  # noqa: E731
        s = []
        add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))  # noqa: E731
        if kind == "normalize":
            add("all elements", A((3, 4)))
            add("axis 1", A((3, 4), "T"), axis=1)
            add("axes (0, 2)", A((2, 3, 4), "rev"), axis=(0, 2))
            add("zero row stays", values([[0, 0, 0], [3, 4, 0]], dtype), axis=1)
        elif kind == "pair":
            add("1-D", A((7,)), A((7,), "rev"))
            add("2-D strided", A((3, 4), "step2"), A((3, 4), "T"))
            add("broadcast", A((3, 4)), A((4,)))
            add("zero vectors", values([0, 0, 0], dtype), values([0, 0, 0], dtype))
        elif kind == "decay":
            add("index decay 1-D", A((6,)), 0.3)
            add("index decay 2-D along axis 0", A((5, 3), "T"), 0.5)
            add("time step tensor", A((4,)), A((4,), "rev"), A((4,)))
            add("scalar time step", A((2, 3)), 0.2, 1.5)
        elif kind == "energy":
            add("5 windows", A((53,)), window_size=10)
            add("2-D channels", A((40, 3)), window_size=8)
            add("reversed", A((30,), "rev"), window_size=7)
            add("one window", A((12,)), window_size=10)
            add("shorter than a window", A((5,)), window_size=10)
            add("silent", values(np.zeros(20), dtype), window_size=5)
        elif kind == "wave":
            add("odd length", A((33,)), A((33,)))
            add("even length", A((32,)), A((32,), "rev"))
            add("different lengths", A((40,), "step2"), A((27,)))
            add("correlated", Arg(np.sin(np.arange(50) * 0.3).astype(dtype)),
                Arg((0.5 * np.sin(np.arange(50) * 0.3 + 0.2)).astype(dtype)))
            impulse = np.zeros(12, dtype)
            impulse[3] = 1
            add("bins that vanish or are real (impulse, period-4 square)", Arg(impulse),
                values(np.arange(12) % 4 == 1, dtype))
            if op.name == "compute_phase_coherence":
                add("frequency band", A((33,)), A((33,)), freq_range=(0.1, 0.3))
                add("band with Nyquist", A((32,)), A((32,)), freq_range=(0.25, 0.5))
        elif kind == "partial":
            add("window 8", A((30,)), A((30,), "rev"), window_size=8)
            add("odd window, different lengths", A((25,)), A((31,)), window_size=5)
            add("window = length", A((12,)), A((12,)), window_size=12)
            add("no window fits", A((6,)), A((6,)), window_size=8)
            add("period-4 square against a cosine", values(np.arange(14) % 4 < 2, dtype),
                Arg(np.cos(np.arange(14) * np.pi / 2).astype(dtype)), window_size=6)
        return s
    return samples


# ---- gradient ---------------------------------------------------------------------------------
def _gradient_ref(f, *varargs, axis=None, edge_order=1):
    f = as_array(f)
    if f.dtype.kind != "f":
        f = f.astype(np.float32)
    out = np.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    return tuple(out) if isinstance(out, (tuple, list)) else out


def _gradient_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    xs = Arg(np.cumsum(rng.uniform(0.2, 1.0, 6)))
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))  # noqa: E731
    for eo in (1, 2):
        add(f"1-D edge_order={eo}", A((7,)), edge_order=eo)
        add(f"2-D every axis edge_order={eo}", A((4, 5)), edge_order=eo)
        add(f"scalar spacing edge_order={eo}", A((6,)), 0.5, edge_order=eo)
        add(f"coordinates edge_order={eo}", A((3, 6), "T"), xs, axis=1, edge_order=eo)
        add(f"two spacings edge_order={eo}", A((3, 6)), 2.0, xs, edge_order=eo)
    add("axis tuple reversed order", A((3, 4, 5), "rev"), axis=(2, 0))
    add("negative axis, strided", A((4, 6), "step2"), axis=-1)
    add("two samples", A((2, 3)), axis=0)
    return s


# ---- stats.gaussian ----------------------------------------------------------------------
def _gaussian_ref(x, mu=0.0, sigma=1.0):
    tensors = [v for v in (x, mu, sigma) if isinstance(v, np.ndarray)]  # Python scalars are weak
    z = (f64(x) - f64(mu)) / f64(sigma)
    return (np.exp(-0.5 * z**2) / (f64(sigma) * np.sqrt(2 * np.pi))).astype(float_result_dtype(*tensors))


def _gaussian_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    return [Sample((A((3, 4)),), {}, "standard"),
            Sample((A((4, 3), "T"),), {"mu": 1.0, "sigma": 2.5}, "scalar mu and sigma, transposed"),
            Sample((A((2, 5), "rev"), A((5,))), {"sigma": 0.5}, "tensor mu, reversed"),
            Sample((A(()),), {}, "0-d"), Sample((A((0, 2)),), {}, "empty")]



def _waves(n):
    return np.sin(np.arange(float(n))), np.cos(np.arange(float(n)))


OP_DB = [
    OpInfo("gradient", ops.gradient, _gradient_ref, FLOATS + ("int32",), _gradient_samples,
           tols={"float32": (1e-5, 1e-5), "float64": (1e-12, 1e-12)}, module=OPS, smoke=lambda f: f(V()),
           grads=[G("gradient_op", lambda x: ops.gradient(x, 0.5), lambda g: [g.rand(6)])]),
    OpInfo("stats.gaussian", stats.gaussian, _gaussian_ref, FLOATS + ("int32",), _gaussian_samples, module=STATS,
           smoke=lambda f: f(V(), mu=0.0, sigma=1.0)),
    OpInfo("normalize_vector", ops.normalize_vector, _normalize_ref, FLOATS + ("int32",),
           _vector_samples("normalize"), tols=REDUCTION_TOLS, module=OPS, smoke=lambda f: f(V()),
           grads=[G("normalize_vector", lambda x: ops.normalize_vector(x), lambda g: [g.rand(2, 3)])]),
    OpInfo("euclidean_distance", ops.euclidean_distance, _euclid_ref, FLOATS, _vector_samples("pair"),
           tols=REDUCTION_TOLS, module=OPS, smoke=lambda f: f(V(), I()),
           grads=[G("euclidean_distance", lambda x, y: ops.euclidean_distance(x, y),
                    lambda g: [g.rand(4), g.rand(4)])]),
    OpInfo("cosine_similarity", ops.cosine_similarity, _cosine_ref, FLOATS, _vector_samples("pair"),
           tols=REDUCTION_TOLS, module=OPS, smoke=lambda f: f(V(), I()),
           grads=[G("cosine_similarity", lambda x, y: ops.cosine_similarity(x, y), lambda g: [g.rand(4), g.rand(4)])]),
    OpInfo("exponential_decay", ops.exponential_decay, _decay_ref, FLOATS, _vector_samples("decay"),
           tols=REDUCTION_TOLS, module=OPS, smoke=lambda f: f(V(), 0.1)),
    OpInfo("compute_energy_stability", ops.compute_energy_stability, _energy_ref, FLOATS,
           _vector_samples("energy"), tols=REDUCTION_TOLS, module=OPS,
           smoke=lambda f: f(np.sin(np.arange(40.0)), window_size=10)),
    OpInfo("compute_interference_strength", ops.compute_interference_strength, _interference_ref, FLOATS,
           _vector_samples("wave"), tols=WAVE_TOLS, module=OPS, smoke=lambda f: f(*_waves(16))),
    OpInfo("compute_phase_coherence", ops.compute_phase_coherence, _coherence_ref, FLOATS,
           _vector_samples("wave"), tols=WAVE_TOLS, module=OPS, smoke=lambda f: f(*_waves(16))),
    OpInfo("partial_interference", ops.partial_interference, _partial_ref, FLOATS, _vector_samples("partial"),
           tols=WAVE_TOLS, module=OPS, smoke=lambda f: f(*_waves(16), window_size=8)),
]
