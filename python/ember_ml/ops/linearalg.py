"""Linear algebra (``ember_ml.ops.linearalg``), following ``numpy.linalg``.

Every function calls the C++ engine (``ember_ml._core.linalg``); decompositions run on
Eigen. Shared conventions:

* float32 and float64 inputs compute in their own dtype; integer and bool inputs compute
  in float32 (NumPy uses float64 for them); float16 raises ``TypeError``, as NumPy does.
  NumPy computes float32 input in float64 and rounds the result, so float32 results
  agree with NumPy to float32 precision times the condition of the problem.
* Complex input raises ``TypeError``, except to ``eig`` and ``eigvals``.
* Functions marked *batched* accept ``(..., M, N)`` stacks and work on the last two axes.
* Where NumPy raises ``numpy.linalg.LinAlgError`` -- singular matrices, non positive
  definite input, infs or NaNs given to ``svd`` / ``eig`` / ``eigvals`` / ``cholesky`` /
  ``lstsq``, no convergence -- these raise :class:`LinAlgError` (a ``ValueError``
  subclass, as NumPy's) starting with ``[opname]`` and naming the shape. Where NumPy
  returns NaN for non-finite input (``solve``, ``inv``, ``det``, ``eigh``) so do these.
  Wrong ranks or mismatched shapes raise plain ``ValueError``.
"""
from __future__ import annotations

from ember_ml import _core

_linalg = _core.linalg

LinAlgError = _core.LinAlgError

_LINEARALG_OPS_LIST = ("solve", "inv", "det", "cholesky", "eig", "eigvals", "eigh", "svd", "qr", "lstsq", "norm",
                       "diag", "diagonal", "orthogonal")


def solve(a, b):
    """Solves ``a @ x = b`` for ``x`` (batched), by LU with partial pivoting (LAPACK gesv's method).

    Args:
        a: ``(..., M, M)`` coefficient matrices.
        b: ``(M,)`` -- one right-hand side vector -- or ``(..., M, K)``; batch axes of
            ``a`` and ``b`` broadcast (NumPy 2 rule: ``b`` is a vector only when 1-D).

    Returns:
        EmberTensor ``x`` of shape ``(..., M)`` or ``(..., M, K)``, dtype the promoted
        float dtype of ``a`` and ``b``.

    Raises:
        ValueError: ``a`` is not a square stack, or shapes do not match.
        LinAlgError: a matrix is singular (an exact zero pivot, as LAPACK reports).
        TypeError: float16 input.
    """
    return _linalg.solve(a, b)


def inv(a):
    """Inverse of square matrices (batched), by LU with partial pivoting (LAPACK getrf/getri's method).

    Args:
        a: ``(..., M, M)`` tensor.

    Returns:
        EmberTensor of the same shape; float32 or float64.

    Raises:
        ValueError: non-square input or fewer than 2 dimensions.
        LinAlgError: a singular matrix.
        TypeError: float16 input.
    """
    return _linalg.inv(a)


def det(a):
    """Determinants (batched), the product of the LU pivots with the permutation's sign.

    Args:
        a: ``(..., M, M)`` tensor.

    Returns:
        EmberTensor of shape ``a.shape[:-2]`` (0-d for one matrix); the determinant of a
        0x0 matrix is 1.

    Raises:
        ValueError: non-square input or fewer than 2 dimensions.
        TypeError: float16 input.
    """
    return _linalg.det(a)


def cholesky(a):
    """Lower Cholesky factor ``L`` with ``L @ L.T == a`` (batched; Eigen LLT, as LAPACK potrf).

    Only the lower triangle of ``a`` is read, as in NumPy.

    Args:
        a: ``(..., M, M)`` symmetric positive definite matrices.

    Returns:
        EmberTensor ``L`` of the same shape, zero above the diagonal.

    Raises:
        ValueError: non-square input.
        LinAlgError: a matrix that is not positive definite, or infs / NaNs in the
            lower triangle (as LAPACK potrf, which NumPy calls).
        TypeError: float16 input.
    """
    return _linalg.cholesky(a)


def eigh(a):
    """Eigen-decomposition of symmetric matrices (batched).

    Householder tridiagonalisation then implicit symmetric QR (Eigen
    SelfAdjointEigenSolver; LAPACK syevd uses divide and conquer on the same
    tridiagonal form). Only the lower triangle is read (NumPy's ``UPLO='L'``).
    Eigenvectors are unique only up to sign (and rotation within repeated eigenvalues).

    Args:
        a: ``(..., M, M)`` symmetric matrices.

    Returns:
        ``(w, v)``: eigenvalues ``(..., M)`` in ascending order and eigenvectors
        ``(..., M, M)`` as columns, ``a @ v == v * w``.

    A non-finite lower triangle gives NaN eigenvalues and eigenvectors, as NumPy.

    Raises:
        ValueError: non-square input.
        LinAlgError: no convergence.
        TypeError: float16 input.
    """
    return _linalg.eigh(a)


def eig(a):
    """Eigenvalues and right eigenvectors of general square matrices (batched), ``a @ v == v * w``.

    Real input: Hessenberg reduction and the real Schur form by Francis QR steps, as
    LAPACK geev which NumPy calls (Eigen EigenSolver); complex input: the complex Schur
    form (Eigen ComplexEigenSolver). As in NumPy, real input gives real ``w`` and ``v``
    when every eigenvalue of the whole batch is real, else complex64 (float32 input) /
    complex128 (float64 input). Eigenvalues come in no particular order, and each
    eigenvector is fixed only up to a complex factor of modulus 1 (NumPy's LAPACK makes
    its largest component real; Eigen does not), so compare through ``a @ v - v * w``.

    Args:
        a: ``(..., M, M)`` real or complex matrices.

    Returns:
        ``(w, v)``: eigenvalues ``(..., M)`` and eigenvectors ``(..., M, M)`` as columns of
        unit Euclidean length.

    Raises:
        ValueError: non-square input or fewer than 2 dimensions.
        LinAlgError: infinite or NaN entries, or no convergence.
        TypeError: float16 input.
    """
    return _linalg.eig(a)


def eigvals(a):
    """Eigenvalues of general square matrices (batched), as ``eig(a)[0]`` without the eigenvectors.

    Args:
        a: ``(..., M, M)`` real or complex matrices.

    Returns:
        EmberTensor ``(..., M)``: real when ``a`` is real and every eigenvalue of the batch
        is real, else complex64 / complex128; in no particular order.

    Raises:
        ValueError: non-square input or fewer than 2 dimensions.
        LinAlgError: infinite or NaN entries, or no convergence.
        TypeError: float16 input.
    """
    return _linalg.eigvals(a)


def svd(a, full_matrices=True, compute_uv=True):
    """Singular value decomposition ``a = u @ diag(s) @ vh`` (batched; Eigen BDCSVD, divide and conquer as LAPACK gesdd).

    Singular vectors are unique only up to sign (and rotation within repeated values).

    Args:
        a: ``(..., M, N)`` tensor; ``K = min(M, N)``.
        full_matrices: ``u`` is ``(..., M, M)`` and ``vh`` ``(..., N, N)`` when True,
            else ``(..., M, K)`` and ``(..., K, N)``.
        compute_uv: when False only ``s`` is computed and returned.

    Returns:
        ``(u, s, vh)``, or ``s`` alone when ``compute_uv`` is False; ``s`` is ``(..., K)``
        in descending order.

    Raises:
        ValueError: fewer than 2 dimensions.
        LinAlgError: infinite or NaN entries ("SVD did not converge"; NumPy raises for
            NaN and returns NaN for some inf inputs, this raises for both), or no convergence.
        TypeError: float16 input.
    """
    return _linalg.svd(a, full_matrices, compute_uv)


def qr(a, mode="reduced"):
    """QR decomposition by Householder reflections (batched; Eigen HouseholderQR, as LAPACK geqrf).

    No sign convention is imposed (NumPy imposes none either): columns of ``q`` and rows
    of ``r`` may differ from NumPy's by a sign.

    Args:
        a: ``(..., M, N)`` tensor; ``K = min(M, N)``.
        mode: ``'reduced'`` (``q`` ``(..., M, K)``, ``r`` ``(..., K, N)``),
            ``'complete'`` (``q`` ``(..., M, M)``, ``r`` ``(..., M, N)``) or ``'r'``.

    Returns:
        ``(q, r)``, or ``r`` alone for mode ``'r'``.

    Raises:
        ValueError: fewer than 2 dimensions, or another mode (NumPy's ``'raw'`` is not
            supported).
        TypeError: float16 input.
    """
    return _linalg.qr(a, mode)


def lstsq(a, b, rcond=None):
    """Least-squares (minimum norm) solution of ``a @ x = b`` from the SVD of ``a`` (as LAPACK gelsd).

    Args:
        a: ``(M, N)`` tensor.
        b: ``(M,)`` or ``(M, K)``.
        rcond: singular values ``<= rcond * max(s)`` count as zero; None means
            ``eps * max(M, N)`` with ``eps`` of the computation dtype (NumPy uses the
            float64 eps, also for float32 input).

    Returns:
        ``(x, residuals, rank, s)``: ``x`` ``(N,)`` or ``(N, K)``; ``residuals`` the squared
        2-norms of ``b - a @ x`` per column, ``(K,)`` (``(1,)`` for 1-D ``b``) when
        ``rank == N < M`` and ``(0,)`` otherwise; ``rank`` a 0-d int32 tensor; ``s`` the
        singular values of ``a``, ``(min(M, N),)``.

    Raises:
        ValueError: ``a`` not 2-D, ``b`` not 1-D/2-D, or mismatched rows.
        LinAlgError: infinite or NaN entries in ``a`` or ``b`` (as NumPy).
        TypeError: float16 input.
    """
    return _linalg.lstsq(a, b, rcond)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (``numpy.linalg.norm``), built from reductions and, for ord 2/-2/'nuc', the SVD.

    Args:
        x: tensor; integer input is converted to float32.
        ord: vector norms (one axis): None/2, inf, -inf, 0 (count of non-zeros), or any
            p (``sum(|x|**p)**(1/p)``). Matrix norms (two axes): None/'fro', 'nuc', inf,
            -inf, 1, -1, 2, -2.
        axis: None (``ord`` None: 2-norm of the flattened tensor; otherwise ``x`` must be
            1-D or 2-D), an int, or a pair of ints (matrix norm).
        keepdims: keep the reduced axes with size 1.

    Returns:
        EmberTensor of the float dtype of ``x``.

    Raises:
        ValueError: an order invalid for vectors/matrices, more than 2 axes, duplicate
            axes, or an order with ``axis=None`` on an input other than 1-D/2-D.
        IndexError: an axis out of range.
    """
    return _linalg.norm(x, ord, axis, keepdims)


def diag(x, k=0):
    """``numpy.diag``: a 2-D matrix with ``x`` on diagonal ``k`` (1-D input), or diagonal ``k`` of a 2-D ``x``.

    Args:
        x: 1-D or 2-D tensor, any dtype.
        k: diagonal offset (> 0 above the main diagonal, < 0 below).

    Returns:
        EmberTensor, same dtype: a new ``(n + |k|, n + |k|)`` matrix for 1-D input, a
        1-D view (sharing memory, as NumPy's) of the diagonal for 2-D input.

    Raises:
        ValueError: input of another rank.
    """
    return _linalg.diag(x, k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """``numpy.diagonal``: the diagonals of the ``(axis1, axis2)`` planes, as a strided view.

    Args:
        x: tensor with at least 2 dimensions, any dtype.
        offset: diagonal offset (> 0 above the main diagonal).
        axis1: first axis of the planes.
        axis2: second axis of the planes.

    Returns:
        EmberTensor view sharing memory with ``x``: the other axes in order, then the
        diagonal as the last axis.

    Raises:
        ValueError: fewer than 2 dimensions, or ``axis1 == axis2``.
        IndexError: an axis out of range.
    """
    return _linalg.diagonal(x, offset, axis1, axis2)


def orthogonal(shape, gain=1.0, dtype=None, device=None, seed=None):
    """A random (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2013, "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks").

    The flattened shape ``(prod(shape[:-1]), shape[-1])`` is filled from the QR of a
    standard normal matrix, with column ``j`` of ``Q`` multiplied by ``sign(R[j, j])`` so
    the result is uniformly (Haar) distributed; rows are orthonormal when there are fewer
    rows than columns, columns otherwise.

    The normals come from the Philox stream: the global one (``tensor.set_seed``) when
    ``seed`` is None, else an independent stream for that seed.

    Args:
        shape: at least 2 dimensions.
        gain: scale factor.
        dtype: floating dtype (default float32).
        device: device of the result (default: the current backend's).
        seed: optional non-negative int for a reproducible matrix.

    Returns:
        EmberTensor of ``shape``.

    Raises:
        ValueError: fewer than 2 dimensions or a negative size.
        TypeError: a non-floating dtype.
    """
    return _linalg.orthogonal(shape, gain, dtype, device, seed)


__all__ = list(_LINEARALG_OPS_LIST) + ["LinAlgError"]
