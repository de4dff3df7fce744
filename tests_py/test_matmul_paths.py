"""The cpu backend's matmul paths agree: one GEMM over all batches when b is shared by
every batch (its batch axes broadcast) vs one GEMM per batch (the general loop)."""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml import ops
from ember_ml.nn import tensor as T


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("a_shape, b_shape", [((4, 5, 6), (6, 7)), ((2, 3, 5, 6), (1, 1, 6, 7)),
                                              ((3, 1, 4), (4, 2)), ((2, 3, 4, 6), (3, 6, 7))])
@pytest.mark.parametrize("b_transposed", [False, True])
def test_shared_b_gemm_matches_the_per_batch_loop(a_shape, b_shape, b_transposed: bool, dtype: str,
                                                  rtol: float) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(a_shape).astype(dtype)
    b = rng.standard_normal(b_shape).astype(dtype)
    if b_transposed:  # a view of b's transpose: BLAS reads it as a transposed operand
        axes = list(range(b.ndim - 2)) + [b.ndim - 1, b.ndim - 2]
        tb = T.transpose(T.convert_to_tensor(np.ascontiguousarray(np.swapaxes(b, -1, -2))), axes)
    else:
        tb = T.convert_to_tensor(b)
    fast = ops.matmul(T.convert_to_tensor(a), tb).numpy()  # contiguous a: shared-b path where b broadcasts
    # The same values through a non-contiguous a take the per-batch loop.
    a_strided = T.convert_to_tensor(np.concatenate([a, a], axis=-1))[..., : a_shape[-1]]
    general = ops.matmul(a_strided, tb).numpy()
    np.testing.assert_allclose(fast, general, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(fast, np.matmul(a.astype(np.float64), b.astype(np.float64)), rtol=rtol * 100,
                               atol=rtol * 100)
