"""ops.save / ops.load (NumPy .npz, no pickle, atomic) and Module.save_weights / load_weights."""
from __future__ import annotations

import os

import numpy as np
import pytest

import ember_ml as em
from ember_ml import ops
from ember_ml.nn import modules
from ember_ml.nn import tensor as T

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "bool", "complex64", "complex128"]


def _values(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(len(dtype))
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    if info is not None:  # the extremes of the range, to catch any narrowing
        flat = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True).reshape(-1)
        flat[:2] = [info.min, info.max][: flat.size]
        return flat.reshape(shape)
    values = rng.normal(size=shape) * 1e3
    if np.dtype(dtype).kind == "c":
        values = values + 1j * rng.normal(size=shape)
    out = values.astype(dtype)
    if out.size and np.dtype(dtype).kind == "f":
        out.reshape(-1)[0] = np.nan
    return out


def _files(directory) -> list[str]:
    return sorted(os.listdir(directory))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0, 3), (2, 3, 4)])
def test_tensor_round_trip_is_exact(tmp_path, dtype, shape) -> None:
    a = _values(dtype, shape)
    path = tmp_path / "t.npz"
    ops.save(path, T.convert_to_tensor(a))
    back = ops.load(str(path))
    assert isinstance(back, T.EmberTensor)
    assert back.shape == shape and back.numpy().dtype == a.dtype
    np.testing.assert_array_equal(back.numpy(), a)
    assert _files(tmp_path) == ["t.npz"], "no temporary file is left behind"


@pytest.mark.parametrize("dtype", DTYPES)
def test_opencl_round_trip_is_exact_and_lands_on_the_default_device(tmp_path, dtype) -> None:
    # .ci/run installs PoCL, so opencl is always there in CI. complex128 / float64 need
    # cl_khr_fp64, which PoCL reports.
    a = _values(dtype, (2, 3, 4))
    path = tmp_path / "t.npz"
    with em.using_backend("opencl"):
        ops.save(path, T.convert_to_tensor(a))
        back = ops.load(str(path))
    assert back.device == "opencl:0" and back.numpy().dtype == a.dtype
    np.testing.assert_array_equal(back.numpy(), a)


def test_nested_dict_round_trip_keeps_structure_and_order(tmp_path) -> None:
    obj = {"z.weight": T.convert_to_tensor(_values("float32", (2, 2))),
           "group/a": {"b": T.convert_to_tensor(_values("uint64", (3,))), "empty": {}},
           "param": modules.Parameter(np.ones(2, np.float32)),
           "array": _values("int16", (4,))}
    path = tmp_path / "nested"
    ops.save(path, obj)
    assert _files(tmp_path) == ["nested"], "the path is used as given"
    back = ops.load(path)
    assert list(back) == ["z.weight", "group/a", "param", "array"] and list(back["group/a"]) == ["b", "empty"]
    assert back["group/a"]["empty"] == {}
    np.testing.assert_array_equal(back["group/a"]["b"].numpy(), obj["group/a"]["b"].numpy())
    np.testing.assert_array_equal(back["param"].numpy(), np.ones(2, np.float32))
    np.testing.assert_array_equal(back["array"].numpy(), obj["array"])
    assert back["array"].dtype == "int16"


def test_save_rejects_other_objects(tmp_path) -> None:
    with pytest.raises(TypeError, match=r"^\[save\] can save an EmberTensor.*got list at 'w'"):
        ops.save(tmp_path / "x.npz", {"w": [1, 2]})
    with pytest.raises(TypeError, match=r"^\[save\] dict keys must be strings, got 3"):
        ops.save(tmp_path / "x.npz", {3: T.zeros((1,))})
    with pytest.raises(FileNotFoundError, match=r"^\[save\] directory .* does not exist"):
        ops.save(tmp_path / "missing" / "x.npz", T.zeros((1,)))
    assert _files(tmp_path) == []


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "w.npz"
    ops.save(path, {"a": T.ones((3,))})
    old = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        ops.save(path, {"a": T.zeros((3,))})
    assert path.read_bytes() == old and _files(tmp_path) == ["w.npz"]


def test_load_missing_file(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=r"^\[load\] no such file: .*nothing\.npz"):
        ops.load(tmp_path / "nothing.npz")


def test_truncated_file_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "w.npz"
    ops.save(path, {"a": T.arange(100, dtype="float32")})
    data = path.read_bytes()
    for size in (0, 10, len(data) // 2, len(data) - 30):
        path.write_bytes(data[:size])
        with pytest.raises(ValueError, match=r"^\[load\] '.*w\.npz'"):
            ops.load(path)


def test_corrupted_byte_is_detected_and_names_the_key(tmp_path) -> None:
    path = tmp_path / "w.npz"
    values = np.arange(256, dtype=np.float32)
    ops.save(path, {"layer": {"kernel": T.convert_to_tensor(values)}})
    data = bytearray(path.read_bytes())
    offset = bytes(data).find(values.tobytes())
    assert offset > 0
    data[offset + 500] ^= 0x40  # one flipped bit in the array's data: the zip CRC-32 catches it
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"^\[load\] '.*w\.npz': the data of key 'layer/kernel' is missing or "
                                         r"corrupt \(BadZipFile"):
        ops.load(path)


def test_foreign_files_are_rejected_without_unpickling(tmp_path) -> None:
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.ones(2))
    with pytest.raises(ValueError, match=r"^\[load\] '.*plain\.npz' has no readable Ember ML header"):
        ops.load(plain)
    bare = tmp_path / "bare.npy"
    np.save(bare, np.ones(2))
    with pytest.raises(ValueError, match=r"^\[load\] '.*bare\.npy' is a bare \.npy array"):
        ops.load(bare)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, __ember_ml__=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match=r"^\[load\] '.*pickled\.npz' has no readable Ember ML header"):
        ops.load(pickled)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00junk" * 20)
    with pytest.raises(ValueError, match=r"^\[load\] '.*junk\.bin' is not a readable Ember ML file"):
        ops.load(junk)


def _model(seed: int) -> modules.Module:
    T.set_seed(seed)
    return modules.Sequential(modules.Dense(3, 4, activation="relu"), modules.BatchNormalization(4),
                              modules.Linear(4, 2))


def _state(model) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_weights_round_trip_between_cpu_and_opencl_models(tmp_path) -> None:
    src = _model(1).to("opencl:0")
    dst = _model(2)
    with em.using_backend("opencl"):
        src(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))
    path = tmp_path / "model.weights.npz"
    src.save_weights(path)
    dst.load_weights(path)
    back = _model(3).to("opencl:0")
    with em.using_backend("opencl"):
        back.load_weights(path)
    for key, value in _state(src).items():
        np.testing.assert_array_equal(dst.state_dict()[key].numpy(), value)
        np.testing.assert_array_equal(back.state_dict()[key].numpy(), value)
        assert back.state_dict()[key].device == "opencl:0"


def test_save_and_load_weights_round_trip(tmp_path) -> None:
    src, dst = _model(1), _model(2)
    src(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))  # moves the running statistics
    path = tmp_path / "model.weights.npz"
    src.save_weights(path)
    result = dst.load_weights(path)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for key, value in _state(src).items():
        np.testing.assert_array_equal(dst.state_dict()[key].numpy(), value)


@pytest.mark.parametrize("other,pattern", [
    (lambda: modules.Sequential(modules.Dense(3, 5), modules.BatchNormalization(5), modules.Linear(5, 2)),
     r"'0\.kernel' \(Dense\): expected shape \(3, 4\) dtype float32, received shape \(3, 5\)"),
    (lambda: modules.Sequential(modules.Dense(3, 4), modules.BatchNormalization(4)),
     r"'2\.weight' \(Linear\): missing"),
    (lambda: modules.Sequential(modules.Dense(3, 4), modules.BatchNormalization(4), modules.Linear(4, 2),
                                modules.Linear(2, 1)),
     r"'3\.weight': unexpected key"),
])
def test_load_weights_mismatch_names_file_and_key_and_changes_nothing(tmp_path, other, pattern) -> None:
    path = tmp_path / "other.npz"
    other().save_weights(path)
    model = _model(3)
    before = _state(model)
    with pytest.raises(ValueError, match=r"^\[Sequential\.load_weights\] '.*other\.npz': \d problem\(s\), "
                                         r"nothing was loaded: .*" + pattern):
        model.load_weights(path)
    for key, value in before.items():
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value)


def test_load_weights_dtype_mismatch_and_damaged_files_change_nothing(tmp_path) -> None:
    model = _model(4)
    before = _state(model)
    state = {k: T.convert_to_tensor(v) for k, v in before.items()}
    state["2.bias"] = T.zeros((2,), dtype="float64")
    path = tmp_path / "w.npz"
    ops.save(path, state)
    with pytest.raises(ValueError, match=r"'2\.bias' \(Linear\): expected shape \(2,\) dtype float32, received "
                                         r"shape \(2,\) dtype float64"):
        model.load_weights(path)
    ops.save(path, T.zeros((2,)))
    with pytest.raises(ValueError, match=r"^\[Sequential\.load_weights\] '.*w\.npz' does not hold a flat dict"):
        model.load_weights(path)
    model.save_weights(path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ValueError, match=r"^\[load\]"):
        model.load_weights(path)
    for key, value in before.items():
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value)


def test_a_save_removes_temp_files_of_killed_writers_only(tmp_path) -> None:
    import subprocess
    import sys

    from conftest import python_env

    path = tmp_path / "w.npz"
    ops.save(path, {"a": T.ones((3,))})
    # A writer killed after writing its temp file, before the rename (fsync never returns).
    code = ("import os, time\nfrom ember_ml import ops\nfrom ember_ml.nn import tensor as T\n"
            "def stall(fd):\n    print('written', flush=True)\n    time.sleep(600)\n"
            f"os.fsync = stall\nops.save({str(path)!r}, {{'a': T.zeros((1000,))}})\n")
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=python_env())
    assert writer.stdout.readline().strip() == b"written"
    writer.kill()
    writer.wait()
    writer.stdout.close()
    stale = [n for n in _files(tmp_path) if n.endswith(".tmp")]
    assert len(stale) == 1 and stale[0].startswith(f".w.npz.{writer.pid}.")
    # Kept: the temp file of a writer that is still alive, and other files sharing the prefix.
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        kept = [f".w.npz.{alive.pid}.abc123.tmp", ".w.npz.backup.tmp", ".w.npz.7.x.y.tmp"]
        for name in kept:
            (tmp_path / name).write_bytes(b"")
        ops.save(path, {"a": T.full((3,), 2.0)})
        assert _files(tmp_path) == sorted(kept + ["w.npz"])
    finally:
        alive.kill()
        alive.wait()
    np.testing.assert_array_equal(ops.load(path)["a"].numpy(), np.full(3, 2.0, np.float32))
