"""NumPy parity tests generated from the op table (the opinfo package), and opencl-vs-cpu parity.

One test per (op, dtype) runs every sample of that op for that dtype and compares value,
shape and dtype of Ember's result with the NumPy reference. All mismatching samples of a
test are reported together.
"""
from __future__ import annotations

import traceback
import warnings

import numpy as np
import pytest

import opinfo
from ember_ml import _core
from ember_ml.backend import get_available_backends, using_backend
from ember_ml.nn import tensor as T


def _describe_exc(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


def assert_matches(result, expected, tol_of, where: str = "") -> None:
    """Compares an Ember result with a NumPy reference (arrays, lists of arrays, bools)."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(result, (list, tuple)), f"{where}expected a sequence, got {type(result).__name__}"
        assert len(result) == len(expected), f"{where}expected {len(expected)} results, got {len(result)}"
        for i, (r, e) in enumerate(zip(result, expected)):
            assert_matches(r, e, tol_of, f"{where}[{i}] ")
        return
    if isinstance(expected, bool):
        assert type(result) is bool, f"{where}expected a Python bool, got {type(result).__name__}"
        assert result == expected, f"{where}expected {expected}, got {result}"
        return
    exp = np.asarray(expected)
    assert isinstance(result, T.EmberTensor), f"{where}expected an EmberTensor, got {type(result).__name__}"
    assert isinstance(result.shape, tuple), f"{where}shape is not a tuple: {result.shape!r}"
    assert result.shape == exp.shape, f"{where}shape {result.shape} != expected {exp.shape}"
    got = np.asarray(result)
    assert str(result.dtype) == exp.dtype.name, f"{where}dtype {result.dtype} != expected {exp.dtype.name}"
    assert got.dtype == exp.dtype, f"{where}numpy view dtype {got.dtype} != {exp.dtype}"
    assert got.shape == exp.shape
    if exp.dtype.kind in "fc":
        rtol, atol = tol_of(exp.dtype)
        np.testing.assert_allclose(got, exp, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(got, exp, err_msg=where, strict=True)


def _check_views(sample: opinfo.core.Sample) -> None:
    """The non-contiguous layouts must really be strided on the Ember side."""
    for a in sample.args:
        for arg in a if isinstance(a, list) else [a]:
            if isinstance(arg, opinfo.core.Arg) and arg.layout != "contig":
                npv = arg.numpy()
                t = arg.ember()
                if npv.size > 1 and not npv.flags.c_contiguous:
                    assert not t.is_contiguous(), f"{arg!r} should be a strided Ember view"


def check_sample(op: opinfo.core.OpInfo, sample: opinfo.core.Sample) -> str | None:
    """Runs one sample; returns a failure description or None."""
    try:
        _check_views(sample)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = opinfo.core.run_reference(op, sample)
    except Exception as err:  # a broken reference is a test bug: surface it loudly
        raise AssertionError(f"reference failed for {sample!r}: {traceback.format_exc()}") from err
    try:
        result = opinfo.core.run_ember(op, sample)
    except Exception as err:  # noqa: BLE001
        return f"{sample!r}\n    Ember raised {_describe_exc(err)}"
    tol_of = (lambda dt: sample.tols) if sample.tols else op.tol
    try:
        assert_matches(result, expected, tol_of)
    except AssertionError as err:
        lines = [ln for ln in str(err).strip().splitlines() if ln.strip()]
        if len(lines) > 10:
            lines = lines[:10] + ["..."]
        msg = "\n      ".join(lines)
        return f"{sample!r}\n    {msg}"
    return None


def _report(failures: list[str], total: int) -> None:
    if failures:
        pytest.fail(f"{len(failures)} of {total} samples differ from NumPy:\n  - " + "\n  - ".join(failures),
                    pytrace=False)


@pytest.mark.parametrize("name,dtype", opinfo.parity_cases(), ids=[f"{n}-{d}" for n, d in opinfo.parity_cases()])
def test_parity(name: str, dtype: str) -> None:
    op = opinfo.OPS_BY_NAME[name]
    samples = op.samples(dtype)
    assert samples, "no samples"
    failures = []
    for sample in samples:
        failure = check_sample(op, sample)
        if failure:
            failures.append(failure)
    _report(failures, len(samples))


@pytest.mark.parametrize("name,dtype", opinfo.promotion_cases(),
                         ids=[f"{n}-{d}" for n, d in opinfo.promotion_cases()])
def test_promotion_all_dtype_pairs(name: str, dtype: str) -> None:
    """Tensor-tensor promotion follows numpy.promote_types for every pair of dtypes."""
    op = opinfo.OPS_BY_NAME[name]
    failures = []
    pairs = opinfo.promotion_samples_for(op, dtype)
    for _partner, sample in pairs:
        failure = check_sample(op, sample)
        if failure:
            failures.append(failure)
    _report(failures, len(pairs))


def test_table_covers_required_layouts() -> None:
    """Every elementwise / reduction entry has strided, transposed, reversed, empty and 0-d samples."""
    for op in opinfo.OP_DB:
        if op.category not in ("unary", "binary", "reduction"):
            continue
        layouts, shapes = set(), set()
        for dtype in op.dtypes[:1]:
            for sample in op.samples(dtype):
                for a in sample.args:
                    if isinstance(a, opinfo.core.Arg):
                        layouts.add(a.layout)
                        shapes.add(a.numpy().shape)
        assert {"T", "step2", "rev"} <= layouts, (op.name, layouts)
        assert () in shapes and ((0,) in shapes or (2, 0) in shapes), (op.name, shapes)


def test_table_dtype_coverage() -> None:
    covered = {d for op in opinfo.OP_DB for d in op.dtypes}
    assert covered == set(opinfo.core.EVERY_DTYPE)
    for op in opinfo.OP_DB:
        assert set(op.dtypes) <= set(opinfo.core.EVERY_DTYPE), op.name


# ---------------------------------------------------------------------------------------
# opencl vs cpu
# ---------------------------------------------------------------------------------------
# Every parity sample also runs on opencl:0 and must match the cpu backend (values within
# the op's tolerance, shape, dtype, and the same exception type where cpu raises). Ops on
# the explicit host path (decompositions, FFT, complex arithmetic) are compared too.


def _host(result):
    """A cpu result as NumPy data (sequences element-wise, bools as they are)."""
    if isinstance(result, (list, tuple)):
        return [_host(r) for r in result]
    if isinstance(result, T.EmberTensor):
        return np.asarray(result)
    return result


def _on_device(result, device: str) -> bool:
    if isinstance(result, (list, tuple)):
        return all(_on_device(r, device) for r in result)
    return not isinstance(result, T.EmberTensor) or result.device == device


def check_opencl_sample(op: opinfo.core.OpInfo, sample: opinfo.core.Sample) -> str | None:
    """Runs one sample on cpu and on opencl; returns a failure description or None."""
    with using_backend("cpu"):
        try:
            expected = _host(opinfo.core.run_ember(op, sample))
            cpu_error = None
        except Exception as err:  # noqa: BLE001 - the opencl run must raise the same type
            cpu_error = err
    with using_backend("opencl"):
        try:
            result = opinfo.core.run_ember(op, sample)
        except Exception as err:  # noqa: BLE001
            if cpu_error is not None and type(err) is type(cpu_error):
                return None
            return f"{sample!r}\n    opencl raised {_describe_exc(err)}"
    if cpu_error is not None:
        return f"{sample!r}\n    cpu raised {_describe_exc(cpu_error)} but opencl did not"
    # Creation samples may name a device; everything else follows the opencl backend.
    device = sample.kwargs.get("device") or "opencl:0"
    if not _on_device(result, device):
        return f"{sample!r}\n    the result is not on {device}"
    tol_of = (lambda dt: sample.tols) if sample.tols else op.tol
    try:
        assert_matches(result, expected, tol_of)
    except AssertionError as err:
        lines = [ln for ln in str(err).strip().splitlines() if ln.strip()][:10]
        return f"{sample!r}\n    " + "\n      ".join(lines)
    return None


@pytest.mark.parametrize("name,dtype", opinfo.parity_cases(), ids=[f"{n}-{d}" for n, d in opinfo.parity_cases()])
def test_opencl_matches_cpu(name: str, dtype: str) -> None:
    assert "opencl" in get_available_backends(), f"OpenCL is unavailable: {_core.opencl_unavailable_reason()}"
    op = opinfo.OPS_BY_NAME[name]
    samples = op.samples(dtype)
    failures = [f for f in (check_opencl_sample(op, s) for s in samples) if f]
    if failures:
        pytest.fail(f"{len(failures)} of {len(samples)} samples differ between opencl and cpu:\n  - "
                    + "\n  - ".join(failures), pytrace=False)
