"""Ember ML quick start: a short, printed tour of the core API.

Run it from the repository root with ``python examples/quickstart.py`` (or
``bash scripts/demo.sh``). It covers, in order:

1. creating tensors (from lists, NumPy arrays, ``zeros`` / ``arange`` / ``linspace``);
2. dtypes and promotion (NumPy rules; Python scalars are "weak");
3. arithmetic and broadcasting (operators and ``ember_ml.ops``);
4. indexing and slicing, which return views that share memory;
5. reductions with ``ember_ml.ops.stats``;
6. matrix multiplication;
7. backends: ``set_backend('numpy')`` (an alias of ``'cpu'``), ``using_backend``;
8. errors: a bad op raises a ``ValueError`` that says what went wrong.

Everything runs on the CPU backend in well under a second.
"""
from __future__ import annotations

import numpy as np

import ember_ml as em
from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.ops import stats


def section(title: str) -> None:
    """Prints a section heading.

    Args:
        title: the heading text.
    """
    print(f"\n=== {title} ===")


def show(label: str, value: object) -> None:
    """Prints ``label`` and ``value``; tensors are shown with their dtype and shape.

    Args:
        label: what the value is.
        value: a tensor or any printable object.
    """
    text = str(value)
    if isinstance(value, T.EmberTensor):
        text += f"   [dtype={value.dtype}, shape={value.shape}]"
    print(f"{label:<28}  " + text.replace("\n", "\n" + " " * 30))


def creating_tensors() -> T.EmberTensor:
    """Creates tensors in the common ways.

    Returns:
        EmberTensor: a 2x3 float32 matrix used by the later sections.
    """
    section("1. Creating tensors")
    x = T.convert_to_tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # Python floats -> float32
    show("from a nested list", x)
    show("from NumPy (keeps int64)", T.convert_to_tensor(np.array([10, 20, 30], dtype=np.int64)))
    show("zeros((2, 2))", T.zeros((2, 2)))
    show("arange(5)", T.arange(5))
    show("linspace(0, 1, 5)", T.linspace(0.0, 1.0, 5))
    show("back to NumPy: .numpy()", repr(x.numpy()))
    return x


def dtypes_and_promotion() -> None:
    """Shows default dtypes and how mixed dtypes promote."""
    section("2. Dtypes and promotion")
    i32 = T.convert_to_tensor([1, 2, 3])  # Python ints -> int32
    i8 = T.convert_to_tensor(np.array([1, 2, 3], dtype=np.int8))
    f64 = T.convert_to_tensor(np.array([0.5, 0.5, 0.5]))  # NumPy float64 stays float64
    show("int32 + float64 tensor", i32 + f64)
    show("int8 + int32 tensor", i8 + i32)
    show("int8 + 1 (weak scalar)", i8 + 1)
    show("int32 / 2 (true division)", i32 / 2)
    show("cast to float16", T.cast(i32, T.float16))
    show("T.float32 == 'float32'", T.float32 == "float32")


def arithmetic_and_broadcasting(x: T.EmberTensor) -> None:
    """Elementwise arithmetic with operators and ops, including broadcasting.

    Args:
        x: a 2x3 float32 matrix.
    """
    section("3. Arithmetic and broadcasting")
    row = T.convert_to_tensor([10.0, 20.0, 30.0])  # shape (3,) broadcasts over the rows
    col = T.convert_to_tensor([[1.0], [2.0]])  # shape (2, 1) broadcasts over the columns
    show("x + row", x + row)
    show("ops.multiply(x, col)", ops.multiply(x, col))
    show("ops.exp(x) * 2 + 1", ops.exp(x) * 2 + 1)
    show("ops.maximum(x, 3.5)", ops.maximum(x, 3.5))
    show("x > 2 (bool)", x > 2)


def indexing_and_views(x: T.EmberTensor) -> None:
    """Basic indexing returns views: writes through a view change the original.

    Args:
        x: a 2x3 float32 matrix (left unchanged: the demo works on a copy).
    """
    section("4. Indexing and slicing (views)")
    y = x.copy()
    show("y[1]", y[1])
    show("y[:, 1:]", y[:, 1:])
    show("y[::-1, ::2]", y[::-1, ::2])
    show("y[0, 2].item()", y[0, 2].item())
    column = y[:, 0]  # a view of the first column
    column[:] = -1.0  # writing to the view ...
    show("after y[:, 0][:] = -1", y)  # ... changes y itself
    show("x is untouched", x)
    show("transpose view y.T", y.T)


def reductions(x: T.EmberTensor) -> None:
    """Sums, means, variances and arg-reductions over axes.

    Args:
        x: a 2x3 float32 matrix.
    """
    section("5. Reductions (ember_ml.ops.stats)")
    show("stats.sum(x)", stats.sum(x))
    show("stats.mean(x, axis=0)", stats.mean(x, axis=0))
    show("stats.max(x, axis=1)", stats.max(x, axis=1))
    show("stats.std(x, 1, keepdims)", stats.std(x, axis=1, keepdims=True))
    show("stats.argmax(x, axis=1)", stats.argmax(x, axis=1))


def matrix_multiplication(x: T.EmberTensor) -> None:
    """Matrix products with ``@`` and ``ops.matmul``, checked against NumPy.

    Args:
        x: a 2x3 float32 matrix.
    """
    section("6. Matrix multiplication")
    gram = x @ x.T
    show("x @ x.T", gram)
    w = T.reshape(T.arange(6, dtype=T.float32), (3, 2))
    show("ops.matmul(x, w)", ops.matmul(x, w))
    show("same as NumPy", bool(np.allclose(gram.numpy(), x.numpy() @ x.numpy().T)))


def backends() -> None:
    """Lists backends, switches with ``set_backend`` and ``using_backend``."""
    section("7. Backends")
    show("available backends", em.get_available_backends())
    show("'opencl' available?", "opencl" in em.get_available_backends())
    show("current backend", em.get_backend())
    em.set_backend("numpy")  # 'numpy' is an alias of the native 'cpu' backend
    show("after set_backend('numpy')", em.get_backend())
    with em.using_backend("cpu") as name:
        show("inside using_backend('cpu')", f"{name}; new tensors live on {T.ones((2,)).device!r}")
    show("after the with-block", em.get_backend())


def errors() -> None:
    """Bad operations raise ValueError with a message naming the op and the shapes."""
    section("8. Errors are clear")
    bad_calls = {
        "ops.add((2, 3), (4,))": lambda: ops.add(T.ones((2, 3)), T.ones((4,))),
        "ops.matmul((2, 3), (2, 3))": lambda: ops.matmul(T.ones((2, 3)), T.ones((2, 3))),
        "set_backend('tpu')": lambda: em.set_backend("tpu"),
    }
    for label, call in bad_calls.items():
        try:
            call()
        except ValueError as err:
            show(label, f"ValueError: {err}")
        else:
            show(label, "unexpectedly succeeded")


def main() -> None:
    """Runs every section of the tour."""
    print(f"Ember ML {em.__version__}, backend {em.get_backend()!r}")
    x = creating_tensors()
    dtypes_and_promotion()
    arithmetic_and_broadcasting(x)
    indexing_and_views(x)
    reductions(x)
    matrix_multiplication(x)
    backends()
    errors()


if __name__ == "__main__":
    main()
