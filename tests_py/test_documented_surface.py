"""The documented backend, tensor, features, metrics and module-path surface of Ember ML.

Companion of test_documented_api.py (wirings and layers); values are checked against
NumPy and scikit-learn.
"""
from __future__ import annotations

import importlib
import io
import pickle

import numpy as np
import pytest

import ember_ml as em
from ember_ml import backend, training
from ember_ml.nn import features, modules, tensor


# ---------------------------------------------------------------- backends
def test_get_backend_returns_the_name_that_was_set():
    with em.using_backend("numpy"):
        assert em.get_backend() == "numpy" and backend.get_backend() == "numpy"
        assert tensor.zeros((2,)).device == "cpu"  # the cpu engine runs it
        assert tensor.zeros((2,)).backend == "numpy"
        assert backend.get_backend_module() is em.ops
        assert backend.get_device() == "cpu" and backend.get_device(tensor.ones((1,))) == "cpu"


def test_set_device_sets_where_new_tensors_go():
    before = backend.get_device()
    try:
        backend.set_device("cpu")
        assert tensor.zeros((1,)).device == "cpu" and backend.get_device() == "cpu"
        with pytest.raises(ValueError, match=r"^\[set_default_device\].*'tpu:0'"):
            backend.set_device("tpu:0")
    finally:
        backend.set_device(before)


def test_import_binds_the_subpackages():
    for name in ("backend", "ops", "nn", "training", "wirings", "ncps"):
        assert getattr(em, name).__name__ == f"ember_ml.{name}"
    for name in ("tensor", "modules", "features", "initializers", "container"):
        assert getattr(em.nn, name).__name__ == f"ember_ml.nn.{name}"


# ---------------------------------------------------------------- EmberTensor
def test_ember_tensor_documented_constructor_and_methods():
    t = tensor.EmberTensor([1.0, 2.0], dtype="float64", device="cpu", requires_grad=True)
    assert t.requires_grad and t.dtype == tensor.float64 and t.device == "cpu"
    assert not tensor.EmberTensor([1.0]).requires_grad
    np.testing.assert_array_equal(t.to_numpy(), [1.0, 2.0])
    assert isinstance(t.to_numpy(), np.ndarray) and t.to_backend_tensor() is t
    assert t.backend in ("cpu", "numpy")
    with pytest.raises(TypeError):
        tensor.EmberTensor([1, 2], dtype="int32", requires_grad=True)


@pytest.mark.parametrize("values", [np.arange(6, dtype=np.int64).reshape(2, 3), np.array([1.5, -2.0], np.float16),
                                    np.array([True, False]), np.array([1 + 2j], np.complex64)])
def test_ember_tensor_pickles_through_numpy_bytes(values):
    t = tensor.convert_to_tensor(values)
    back = pickle.loads(pickle.dumps(t))
    assert type(back) is type(t) and back.dtype == t.dtype and back.device == t.device
    np.testing.assert_array_equal(back.numpy(), values)


def test_parameter_pickles_as_a_parameter():
    param = modules.Parameter(np.ones((2, 2), np.float32))
    back = pickle.loads(pickle.dumps(param))
    assert isinstance(back, modules.Parameter) and back.requires_grad
    np.testing.assert_array_equal(back.numpy(), np.ones((2, 2)))


def test_tensor_pickle_payload_runs_no_code():
    from ember_ml.nn.tensor._documented import rebuild_tensor

    with pytest.raises(ValueError, match=r"^\[rebuild_tensor\] unknown tensor kind 'os.system'"):
        rebuild_tensor("os.system", b"", "cpu", False)
    buffer = io.BytesIO()
    np.save(buffer, np.array([{}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle=False"):  # object arrays would unpickle code
        rebuild_tensor("EmberTensor", buffer.getvalue(), "cpu", False)


@pytest.mark.parametrize("call", [lambda: tensor.get_dtype("float128"), lambda: tensor.from_dtype_str("nope")])
def test_unknown_dtype_names_raise_value_error(call):
    with pytest.raises(ValueError, match=r"^\[get_dtype\] unknown dtype"):
        call()


# ---------------------------------------------------------------- random with documented arguments
def test_random_uniform_integer_dtype():
    draws = tensor.random_uniform((4000,), 2, 7, dtype="int32", seed=3)
    values = draws.numpy()
    assert draws.dtype == tensor.int32 and set(np.unique(values)) == {2, 3, 4, 5, 6}
    counts = np.bincount(values - 2)
    assert np.all(np.abs(counts - 800) < 5 * np.sqrt(800))  # uniform within 5 sigma
    np.testing.assert_array_equal(values, tensor.random_uniform((4000,), 2, 7, dtype="int32", seed=3).numpy())


def test_random_parameters_broadcast_like_numpy():
    mean, stddev = np.array([0.0, 10.0, -5.0]), np.array([1.0, 0.5, 2.0])
    z = tensor.random_normal((20000, 3), mean=mean, stddev=stddev, seed=1).numpy()
    np.testing.assert_allclose(z.mean(axis=0), mean, atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), stddev, rtol=0.03)
    standard = tensor.random_normal((20000, 3), seed=1).numpy()
    np.testing.assert_allclose(z, mean + standard * stddev, rtol=1e-6, atol=1e-5)
    low, high = np.array([[0.0], [10.0]]), np.array([[1.0], [20.0]])
    u = tensor.random_uniform((2, 5000), minval=low, maxval=high, seed=2).numpy()
    assert np.all((u >= low) & (u < high)) and u[1].mean() == pytest.approx(15.0, abs=0.3)
    with pytest.raises(ValueError, match=r"^\[random_uniform\] minval of shape \(3,\) does not broadcast"):
        tensor.random_uniform((2, 4), minval=np.zeros(3))


# ---------------------------------------------------------------- layers with training=
def test_dropout_and_batch_norm_take_training_per_call():
    x = np.ones((64, 8), np.float32)
    dropout = modules.Dropout(0.5, seed=0)
    dropout.eval()
    dropped = dropout(x, training=True).numpy()
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 0 < np.count_nonzero(dropped) < dropped.size
    np.testing.assert_array_equal(dropout(x).numpy(), x)
    dropout.train()
    np.testing.assert_array_equal(dropout(x, training=False).numpy(), x)
    data = np.random.default_rng(0).normal(3.0, 2.0, (32, 4)).astype(np.float32)
    norm = modules.BatchNormalization()
    batch = norm(data, training=True).numpy()
    np.testing.assert_allclose(batch, (data - data.mean(0)) / np.sqrt(data.var(0) + norm.epsilon), rtol=1e-4,
                               atol=1e-4)
    moving = norm(data, training=False).numpy()
    np.testing.assert_allclose(moving, (data - norm.moving_mean.numpy()) /
                               np.sqrt(norm.moving_variance.numpy() + norm.epsilon), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- features: documented fit arguments
def test_feature_fit_arguments():
    sk = pytest.importorskip("sklearn.decomposition")
    skp = pytest.importorskip("sklearn.preprocessing")
    x = np.random.default_rng(1).standard_normal((30, 5))
    pca = features.PCA().fit(x, n_components=2)
    assert pca.n_components_ == 2
    np.testing.assert_allclose(np.abs(pca.transform(x).numpy()), np.abs(sk.PCA(2).fit_transform(x)), atol=1e-8)
    scaler = features.Standardize().fit(x, with_mean=False, with_std=True)
    np.testing.assert_allclose(scaler.transform(x).numpy(), skp.StandardScaler(with_mean=False).fit_transform(x),
                               rtol=1e-10)
    rows = features.Normalize().fit(x, norm="l1", axis=1)
    np.testing.assert_allclose(rows.transform(x).numpy(), skp.normalize(x, norm="l1", axis=1), rtol=1e-12)
    columns = features.Normalize().fit(x, norm="max", axis=0)
    np.testing.assert_allclose(columns.transform(x).numpy(), skp.normalize(x, norm="max", axis=0), rtol=1e-12)
    np.testing.assert_allclose(columns.inverse_transform(columns.transform(x)).numpy(), x, rtol=1e-12)
    with pytest.raises(ValueError, match=r"^\[Normalize.fit\] axis must be 0"):
        features.Normalize().fit(x, axis=2)


# ---------------------------------------------------------------- metrics vs scikit-learn
def test_classification_metrics_macro_scalars():
    skm = pytest.importorskip("sklearn.metrics")
    y_true = tensor.convert_to_tensor([0, 1, 2, 0, 1, 2])
    y_pred = tensor.convert_to_tensor([0, 2, 1, 0, 1, 2])
    metrics = training.classification_metrics(y_true, y_pred)
    assert tensor.item(metrics["accuracy"]) == pytest.approx(4 / 6)
    for key, fn in (("precision", skm.precision_score), ("recall", skm.recall_score), ("f1", skm.f1_score)):
        want = fn(y_true.numpy(), y_pred.numpy(), average="macro")
        assert isinstance(metrics[key], float) and metrics[key] == pytest.approx(want, rel=1e-12)


def test_binary_metrics_match_sklearn():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 80)
    score = np.round(np.clip(0.3 * y + rng.uniform(size=80), 0, 1), 1)  # ties on purpose
    got = training.binary_classification_metrics(y, score, threshold=0.5)
    pred = (score >= 0.5).astype(int)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert got["precision"] == pytest.approx(skm.precision_score(y, pred))
    assert got["recall"] == pytest.approx(skm.recall_score(y, pred))
    assert got["f1"] == pytest.approx(skm.f1_score(y, pred))
    np.testing.assert_array_equal(got["confusion_matrix"].numpy(), skm.confusion_matrix(y, pred))
    assert training.roc_auc(y, score) == pytest.approx(skm.roc_auc_score(y, score), rel=1e-12)
    precision, recall, thresholds = training.precision_recall_curve(y, score)
    want = skm.precision_recall_curve(y, score)
    for got_part, want_part in zip((precision, recall, thresholds), want):
        np.testing.assert_allclose(got_part.numpy(), want_part, rtol=1e-12)
    assert training.average_precision_score(y, score) == pytest.approx(skm.average_precision_score(y, score))
    with pytest.raises(ValueError, match=r"^\[roc_auc\] y_true needs both classes, got 0 positives and 3"):
        training.roc_auc([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"^\[binary_classification_metrics\] y_true must hold binary labels"):
        training.binary_classification_metrics([0, 2], [0.1, 0.9])


# ---------------------------------------------------------------- documented module paths
@pytest.mark.parametrize("path,name,same_as", [
    ("ember_ml.nn.tensor.common", "EmberTensor", "ember_ml.nn.tensor"),
    ("ember_ml.nn.tensor.common.ember_tensor", "EmberTensor", "ember_ml.nn.tensor"),
    ("ember_ml.nn.tensor.common.dtypes", "float32", "ember_ml.nn.tensor"),
    ("ember_ml.nn.tensor.common.dtypes", "get_dtype", "ember_ml.nn.tensor"),
    ("ember_ml.training.loss", "MSELoss", "ember_ml.training"),
    ("ember_ml.nn.modules.ncp", "NCP", "ember_ml.nn.modules"),
    ("ember_ml.nn.modules.ncp", "AutoNCP", "ember_ml.nn.modules"),
    ("ember_ml.nn.container", "Sequential", "ember_ml.nn.modules"),
    ("ember_ml.nn.container", "Linear", "ember_ml.nn.modules"),
    ("ember_ml.nn.container", "BatchNormalization", "ember_ml.nn.modules"),
    ("ember_ml.nn.container", "Dropout", "ember_ml.nn.modules"),
])
def test_documented_paths_are_re_exports(path, name, same_as):
    assert getattr(importlib.import_module(path), name) is getattr(importlib.import_module(same_as), name)


def test_tensor_like_and_sequential_layers_add():
    from ember_ml.nn.container import Linear, Sequential
    from ember_ml.nn.tensor.types import TensorLike

    assert tensor.EmberTensor in TensorLike.__args__ and np.ndarray in TensorLike.__args__
    model = Sequential()
    first, second = Linear(3, 4), modules.ReLU()
    assert model.add(first) is model
    model.add(second)
    assert model.layers == [first, second]
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(model(x).numpy(), np.maximum(first(x).numpy(), 0))


def test_numpy_accepts_ember_dtypes_and_sequential_config_names_its_class():
    assert np.ones(3).astype(tensor.float32).dtype == np.float32
    assert np.zeros(2, dtype=tensor.bool_).dtype == np.bool_ and np.dtype(tensor.complex64) == np.complex64
    model = modules.Sequential([modules.Dense(input_dim=10, units=20), modules.ReLU()])
    config = model.get_config()
    assert config["class_name"] == "Sequential" and len(config["layers"]) == 2
    clone = modules.Sequential.from_config(config)
    assert isinstance(clone.layers[0], modules.Dense) and clone.layers[0].get_config()["units"] == 20
