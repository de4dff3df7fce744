"""Runtime tests of the OpenCL backend (run on PoCL in CI): discovery, transfers, the
program cache, build errors, the buffer pool, asynchronous errors and the behaviour
without any OpenCL platform. Op results are compared with cpu in test_parity.py."""
from __future__ import annotations

import json
import pathlib
import uuid

import numpy as np
import pytest

import ember_ml as em
from ember_ml import ops, training
from ember_ml.backend import opencl
from ember_ml.nn import tensor as T

from conftest import python_env


def test_opencl_is_available_with_named_devices() -> None:
    assert opencl.is_available(), opencl.unavailable_reason()
    assert opencl.unavailable_reason() == ""
    devs = opencl.devices()
    assert devs and devs[0]["device"] == "opencl:0" and devs[0]["name"]
    assert [d["device"] for d in devs] == ops.get_available_devices()[1:]
    assert "opencl" in em.get_available_backends()
    assert ops.is_available("opencl") and ops.is_available("opencl:0")


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", "int32", "int64", "uint64", "float16", "float32",
                                   "float64"])
def test_round_trip_keeps_values_and_counts_transfers(dtype: str) -> None:
    data = (np.arange(24).reshape(4, 6) * 7 % 5).astype(dtype)
    opencl.reset_transfer_stats()
    x = ops.to_device(T.convert_to_tensor(data), "opencl")
    assert x.device == "opencl:0" and x.dtype == dtype and x.shape == (4, 6)
    stats = opencl.transfer_stats()
    assert stats["host_to_device"] == 1 and stats["host_to_device_bytes"] == data.nbytes
    np.testing.assert_array_equal(T.to_numpy(x), data, strict=True)
    # A strided view is made contiguous on the device, then read once.
    np.testing.assert_array_equal(np.asarray(x.T[::-1, 1:]), data.T[::-1, 1:], strict=True)
    assert opencl.transfer_stats()["device_to_host"] == 2
    back = ops.to_device(x, "cpu")
    assert back.device == "cpu"
    np.testing.assert_array_equal(np.asarray(back), data, strict=True)


def test_ops_queue_without_host_transfers() -> None:
    with em.using_backend("opencl"):
        x = T.ones((100,))
        opencl.reset_transfer_stats()
        y = ops.exp(x * 2 + 1)
        z = ops.stats.sum(y)
        assert opencl.transfer_stats() == {"host_to_device": 0, "host_to_device_bytes": 0,
                                           "device_to_host": 0, "device_to_host_bytes": 0}
        assert z.device == "opencl:0"
        assert z.item() == pytest.approx(100 * np.exp(3.0), rel=1e-6)
        assert opencl.transfer_stats()["device_to_host"] == 1


def test_tensors_on_two_devices_raise_naming_both() -> None:
    a = T.ones((3,), device="cpu")
    b = T.ones((3,), device="opencl")
    with pytest.raises(ValueError, match=r"\[add\].*cpu.*opencl:0.*to_device"):
        ops.add(a, b)


def test_set_backend_places_new_tensors_on_opencl() -> None:
    em.set_backend("opencl")
    assert ops.get_default_device() == "opencl:0"
    assert T.zeros((2,)).device == "opencl:0"
    assert T.convert_to_tensor([1.5, 2.5]).device == "opencl:0"


def _cache_run(run_python, source: str, cache_dir: pathlib.Path) -> dict:
    """Compiles `source` twice in a fresh process; returns the cache stats it saw."""
    code = f"""
        import json
        from ember_ml.backend import opencl
        opencl.compile_program({source!r})
        before = opencl.program_cache_stats()
        opencl.compile_program({source!r})
        after = opencl.program_cache_stats()
        print(json.dumps({{"first": before, "memory_hits": after["memory_hits"] - before["memory_hits"]}}))
    """
    proc = run_python(code, env=python_env(EMBER_ML_CACHE_DIR=str(cache_dir)))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_program_cache_miss_then_memory_and_disk_hits_and_corrupt_rebuild(run_python, tmp_path) -> None:
    source = f"// {uuid.uuid4()}\n__kernel void probe(__global int* x) {{ x[get_global_id(0)] += 1; }}\n"
    first = _cache_run(run_python, source, tmp_path)
    assert first["first"]["builds"] == 1 and first["first"]["disk_hits"] == 0
    assert first["memory_hits"] == 1
    entries = list((tmp_path / "opencl").glob("*.clbin"))
    assert len(entries) == 1 and not list((tmp_path / "opencl").glob("*.tmp*"))

    second = _cache_run(run_python, source, tmp_path)
    assert second["first"]["disk_hits"] == 1 and second["first"]["builds"] == 0

    entries[0].write_bytes(entries[0].read_bytes()[:40] + b"garbage")
    third = _cache_run(run_python, source, tmp_path)
    assert third["first"]["corrupt"] == 1 and third["first"]["builds"] == 1

    fourth = _cache_run(run_python, source, tmp_path)  # the rebuilt entry was written back
    assert fourth["first"]["disk_hits"] == 1 and fourth["first"]["corrupt"] == 0


def test_build_failure_raises_with_the_build_log() -> None:
    bad = f"// {uuid.uuid4()}\n__kernel void broken(__global int* x) {{ x[0] = undeclared_name; }}\n"
    with pytest.raises(RuntimeError, match=r"(?s)CL_BUILD_PROGRAM_FAILURE.*build log.*undeclared_name"):
        opencl.compile_program(bad)


def test_buffer_pool_reuses_freed_buffers() -> None:
    ops.clear_cache("opencl")
    info = ops.memory_info("opencl")
    assert info["pooled_bytes"] == 0 and info["device_total_bytes"] > 0
    n = 12_345 + int(uuid.uuid4().int % 1000)  # a size no other live tensor holds
    x = T.zeros((n,), dtype="float32", device="opencl")
    used = ops.memory_info("opencl")
    assert used["in_use_bytes"] >= info["in_use_bytes"] + 4 * n
    del x
    freed = ops.memory_info("opencl")
    assert freed["pooled_bytes"] >= 4 * n
    y = T.zeros((n,), dtype="float32", device="opencl")
    again = ops.memory_info("opencl")
    assert again["reuses"] == freed["reuses"] + 1
    assert again["allocations"] == freed["allocations"]
    np.testing.assert_array_equal(np.asarray(y), np.zeros(n, np.float32))
    ops.clear_cache("opencl")
    assert ops.memory_info("opencl")["pooled_bytes"] == 0


def test_asynchronous_error_surfaces_at_next_sync_naming_the_op() -> None:
    x = T.convert_to_tensor(np.array([2, 3, 4], np.int32), device="opencl")
    e = T.convert_to_tensor(np.array([1, -1, 2], np.int32), device="opencl")
    y = ops.power(x, e)  # queued: the cpu backend raises here, opencl at the next sync
    with pytest.raises(ValueError, match=r"\[power\] integers to negative integer powers.*asynchronous"):
        ops.synchronize("opencl")
    ops.synchronize("opencl")  # the flag was cleared
    ops.power(x, e)
    with pytest.raises(ValueError, match=r"\[power\]"):
        T.to_numpy(x)
    assert y.shape == (3,)


def test_opencl_failures_name_the_opencl_error() -> None:
    max_alloc = opencl.devices()[0]["global_mem_bytes"]
    with pytest.raises(MemoryError, match=rf"^\[zeros\] unable to allocate .*\({max_alloc * 4} bytes\).*"
                                          r"clCreateBuffer failed: CL_[A-Z_]+"):
        T.zeros((max_alloc * 4,), dtype="uint8", device="opencl")


def test_unknown_opencl_device_index_raises() -> None:
    with pytest.raises(ValueError, match=r"opencl:7 does not exist"):
        ops.to_device(T.ones((2,)), "opencl:7")


def test_without_any_platform_cpu_works_and_opencl_says_why(run_python, tmp_path) -> None:
    code = """
        import ember_ml as em
        from ember_ml import ops
        from ember_ml.backend import opencl
        from ember_ml.nn import tensor as T
        assert em.get_available_backends() == ["cpu"], em.get_available_backends()
        assert ops.get_available_devices() == ["cpu"]
        assert not opencl.is_available() and opencl.devices() == []
        reason = opencl.unavailable_reason()
        assert "no OpenCL platform" in reason, reason
        try:
            em.set_backend("opencl")
        except ValueError as err:
            assert "not available" in str(err), err
        else:
            raise AssertionError("set_backend('opencl') did not raise")
        try:
            T.ones((2,), device="opencl")
        except RuntimeError as err:
            assert "OpenCL is unavailable" in str(err) and "no OpenCL platform" in str(err), err
        else:
            raise AssertionError("creating an opencl tensor did not raise")
        assert float(ops.stats.sum(ops.add(T.ones((3,)), 1))) == 6.0
        print("ok")
    """
    empty = tmp_path / "no-icd"
    empty.mkdir()
    proc = run_python(code, env=python_env(OCL_ICD_VENDORS=str(empty)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_cache_dir_defaults_under_home(run_python, tmp_path) -> None:
    code = f"""
        from ember_ml.backend import opencl
        opencl.compile_program("// {uuid.uuid4()}\\n__kernel void k(__global int* x) {{ x[0] = 1; }}")
    """
    env = python_env(EMBER_ML_CACHE_DIR=None, XDG_CACHE_HOME=None, HOME=str(tmp_path))
    proc = run_python(code, env=env)
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / ".cache" / "ember_ml" / "opencl").glob("*.clbin"))) == 1


@pytest.mark.parametrize("gemm", ["ember", "clblast"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float_gemm_both_implementations_match_cpu(gemm: str, dtype: str, monkeypatch) -> None:
    # Shapes off the 6 x 16 (6 x 8) block of our kernel, batched with a broadcast batch,
    # a transposed (strided) operand, matrix-vector products.
    monkeypatch.setenv("EMBER_OPENCL_GEMM", gemm)
    rng = np.random.default_rng(7)
    cases = [((1, 1), (1, 1)), ((7, 33), (33, 17)), ((2, 3, 13, 9), (3, 9, 31)), ((12, 16), (16, 32)),
             ((29,), (29, 5)), ((4, 29), (29,)), ((65, 1), (1, 70))]
    for sa, sb in cases:
        a, b = rng.standard_normal(sa).astype(dtype), rng.standard_normal(sb).astype(dtype)
        got = ops.matmul(T.convert_to_tensor(a, device="opencl"), T.convert_to_tensor(b, device="opencl"))
        want = ops.matmul(T.convert_to_tensor(a, device="cpu"), T.convert_to_tensor(b, device="cpu"))
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-5)
    a = rng.standard_normal((40, 23)).astype(dtype)
    a_cl = T.convert_to_tensor(a, device="opencl")
    np.testing.assert_allclose(np.asarray(ops.matmul(T.transpose(a_cl), a_cl)), a.T @ a, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_random_streams_equal_cpu_bit_for_bit(dtype: str) -> None:
    shape = (37, 5)  # not a multiple of the 4-element Philox block
    for seed in (0, 123456789, 2**63 + 11):
        u_cpu = T.random_uniform(shape, -2.0, 3.0, dtype=dtype, device="cpu", seed=seed)
        u_cl = T.random_uniform(shape, -2.0, 3.0, dtype=dtype, device="opencl", seed=seed)
        assert u_cl.device == "opencl:0"
        np.testing.assert_array_equal(np.asarray(u_cl), np.asarray(u_cpu), strict=True)
        b_cpu = T.random_bernoulli(shape, 0.3, dtype=dtype, device="cpu", seed=seed)
        b_cl = T.random_bernoulli(shape, 0.3, dtype=dtype, device="opencl", seed=seed)
        np.testing.assert_array_equal(np.asarray(b_cl), np.asarray(b_cpu), strict=True)
        # Normals go through log / sqrt / cos, whose last bits may differ between libms.
        n_cpu = T.random_normal(shape, 1.0, 2.0, dtype=dtype, device="cpu", seed=seed)
        n_cl = T.random_normal(shape, 1.0, 2.0, dtype=dtype, device="opencl", seed=seed)
        rtol = {"float16": 1e-3, "float32": 2e-6, "float64": 1e-13}[dtype]
        np.testing.assert_allclose(np.asarray(n_cl), np.asarray(n_cpu), rtol=rtol, atol=rtol)


def test_global_stream_continues_the_same_on_both_backends() -> None:
    T.set_seed(42)
    cpu_draws = [np.asarray(T.random_uniform((9,), device="cpu")) for _ in range(3)]
    T.set_seed(42)
    cl_draws = [np.asarray(T.random_uniform((9,), device="opencl")) for _ in range(3)]
    for c, o in zip(cpu_draws, cl_draws):
        np.testing.assert_array_equal(o, c, strict=True)
    assert not np.array_equal(cpu_draws[0], cpu_draws[1])


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint32", "int64"])
def test_random_bernoulli_integer_dtypes_match_cpu(dtype: str) -> None:
    a = T.random_bernoulli((101,), 0.5, dtype=dtype, device="cpu", seed=7)
    b = T.random_bernoulli((101,), 0.5, dtype=dtype, device="opencl", seed=7)
    np.testing.assert_array_equal(np.asarray(b), np.asarray(a), strict=True)


def _spd(n: int, batch: int = 2) -> np.ndarray:
    a = np.random.default_rng(n).standard_normal((batch, n, n)).astype(np.float32)
    return a @ a.transpose(0, 2, 1) + n * np.eye(n, dtype=np.float32)


@pytest.mark.parametrize("name,args", [
    ("solve", (_spd(4), np.ones((2, 4, 3), np.float32))),
    ("inv", (_spd(5),)),
    ("det", (_spd(3),)),
    ("cholesky", (_spd(4),)),
    ("eigh", (_spd(4),)),
    ("svd", (_spd(3)[:, :, :2],)),
    ("qr", (_spd(4)[:, :3, :],)),
    ("lstsq", (_spd(4)[0, :, :3], np.ones((4, 2), np.float32))),
])
def test_decompositions_take_the_counted_host_path_and_equal_cpu(name: str, args: tuple) -> None:
    fn = getattr(ops.linearalg, name)
    expected = fn(*[T.convert_to_tensor(a, device="cpu") for a in args])
    on_cl = [T.convert_to_tensor(a, device="opencl") for a in args]
    opencl.reset_transfer_stats()
    result = fn(*on_cl)
    moved = opencl.transfer_stats()
    assert moved["device_to_host"] >= len(args) and moved["host_to_device"] >= 1
    expected = expected if isinstance(expected, (list, tuple)) else [expected]
    result = result if isinstance(result, (list, tuple)) else [result]
    assert len(result) == len(expected)
    for r, e in zip(result, expected):
        assert r.device == "opencl:0" and r.dtype == e.dtype and r.shape == e.shape
        # The front-end's own ops around the kernel (casts, products) run on opencl.
        np.testing.assert_allclose(np.asarray(r), np.asarray(e), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda ps: training.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: training.Adam(ps, lr=0.05, amsgrad=True),
    lambda ps: training.AdamW(ps, lr=0.05, weight_decay=0.1),
    lambda ps: training.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
], ids=["sgd", "adam", "adamw", "rmsprop"])
def test_optimizer_steps_on_opencl_equal_cpu(make) -> None:
    # The fused updates run on the host path and write parameters and state in place: the
    # current values must be read back, not assumed overwritten.
    start = np.random.default_rng(4).normal(size=(3, 5)).astype(np.float32)

    def trajectory(device: str) -> list[np.ndarray]:
        with em.using_backend("opencl" if device.startswith("opencl") else "cpu"):
            w = em.nn.modules.Parameter(T.convert_to_tensor(start))
            opt = make([w])
            out = []
            for _ in range(4):
                opt.zero_grad()
                ops.stats.sum(ops.sin(w) * w).backward()
                opt.step()
                assert w.device == device
                out.append(w.numpy().copy())
            return out

    for got, want in zip(trajectory("opencl:0"), trajectory("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
