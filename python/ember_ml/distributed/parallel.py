"""``DistributedDataParallel``: one model replica per rank, gradients averaged after ``backward``."""
from __future__ import annotations

import contextlib
import weakref
from typing import Any, Iterator, Mapping

import numpy as np

from ember_ml.distributed import collectives
from ember_ml.nn.modules import Module
from ember_ml.nn.tensor import EmberTensor, convert_to_tensor
from ember_ml.ops.autodiff import is_grad_enabled

# Replicas whose forward ran with gradients since their last reduction: the next
# EmberTensor.backward() reduces their gradients (as PyTorch's DDP reducer does).
_pending: "weakref.WeakSet[DistributedDataParallel]" = weakref.WeakSet()
_hook_installed = False


def _install_backward_hook() -> None:
    """Wraps ``EmberTensor.backward`` once so that, when it returns, pending replicas reduce."""
    global _hook_installed
    if _hook_installed:
        return
    engine_backward = EmberTensor.backward

    def backward(self: EmberTensor, *args: Any, **kwargs: Any) -> None:
        engine_backward(self, *args, **kwargs)
        for replica in list(_pending):
            _pending.discard(replica)
            replica.reduce_gradients()

    backward.__doc__ = engine_backward.__doc__
    EmberTensor.backward = backward
    _hook_installed = True


class _Bucket:
    """Parameters of one dtype whose gradients travel in one flat buffer.

    The buffer holds the gradients one after the other, then one slot per parameter that
    counts the ranks that had a gradient for it: a parameter no rank used keeps ``grad=None``
    (as in a one-process run), one used on some ranks gets the average with zeros elsewhere.
    """

    def __init__(self, params: list[EmberTensor]) -> None:
        self.params = params
        self.sizes = [p.size for p in params]
        self.buffer = np.empty(sum(self.sizes) + len(params), dtype=np.dtype(params[0].dtype.name))

    def reduce(self, size: int) -> None:
        offsets = np.cumsum([0, *self.sizes])
        counts = self.buffer[offsets[-1]:]
        for i, p in enumerate(self.params):
            grad = p.grad
            view = self.buffer[offsets[i]:offsets[i + 1]]
            if grad is None:
                view[:] = 0
            else:  # one read-back per gradient on a device; a view of its memory on the cpu
                view[:] = np.asarray(grad.numpy()).reshape(-1)
            counts[i] = grad is not None
        collectives.all_reduce_flat(self.buffer)
        self.buffer[:offsets[-1]] /= size
        for i, p in enumerate(self.params):
            if counts[i] == 0:
                continue
            # A new tensor (a copy of the bucket's slice): the engine may share a gradient's memory.
            p.grad = convert_to_tensor(self.buffer[offsets[i]:offsets[i + 1]].reshape(p.shape), device=p.device)


def _check_replicas(module: Module) -> None:
    """Raises ValueError on every rank unless all ranks hold the same parameter and buffer names, shapes, dtypes."""
    mine = [(name, tuple(t.shape), t.dtype.name) for name, t in module.state_dict().items()]
    # Metadata only, once at wrap time: the small lists may travel pickled.
    every = collectives.gather_metadata(mine)
    for r, theirs in enumerate(every):
        if theirs == every[0]:
            continue
        names0, names_r = [e[0] for e in every[0]], [e[0] for e in theirs]
        if names0 != names_r:
            only0 = sorted(set(names0) - set(names_r))
            only_r = sorted(set(names_r) - set(names0))
            raise ValueError(f"[DistributedDataParallel] ranks 0 and {r} hold different parameters: only on rank 0 "
                             f"{only0}, only on rank {r} {only_r}")
        for (name, shape0, dtype0), (_, shape_r, dtype_r) in zip(every[0], theirs):
            if (shape0, dtype0) != (shape_r, dtype_r):
                raise ValueError(f"[DistributedDataParallel] parameter '{name}' is {shape0} {dtype0} on rank 0 "
                                 f"but {shape_r} {dtype_r} on rank {r}")


class DistributedDataParallel(Module):
    """Data-parallel training of ``module`` over the MPI world (``torch.nn.parallel.DistributedDataParallel``).

    Every rank wraps its own replica. At wrap time the ranks check that they hold the same
    parameters and buffers (names, shapes, dtypes) and rank 0's values are broadcast to the
    others. Calling the wrapper runs ``module``; when that call records gradients, the next
    ``EmberTensor.backward()`` averages the parameters' ``.grad`` over the ranks before it
    returns (wrapping ``backward`` is how the reduction hooks in: the engine has no
    per-tensor hooks). Gradients travel in buckets of about ``bucket_cap_mb`` megabytes:
    each bucket is copied into one contiguous NumPy buffer, summed by one in-place
    ``MPI_Allreduce`` and written back, divided by the world size. Each rank should compute
    its loss as the mean over its local batch: with equal local batches the averaged
    gradient is the gradient of the global batch's mean loss.

    ``state_dict()`` / ``load_state_dict()`` / ``save_weights()`` / ``load_weights()`` are the
    wrapped module's (no ``module.`` prefix), so checkpoints move between the wrapper and the
    plain module. In a world of size 1 the
    wrapper only forwards calls. For different dropout masks per rank, seed each rank with
    ``nn.tensor.set_seed(distributed.rank_seed(seed))`` after wrapping.

    Args:
        module: the model (a :class:`Module`, built: lazy layers must have run once).
        bucket_cap_mb: the size of a gradient bucket in MB (10**6 bytes); a parameter larger
            than that gets a bucket of its own.

    Raises:
        TypeError: ``[DistributedDataParallel]`` when ``module`` is not a Module.
        ValueError: ``[DistributedDataParallel]`` for a non-positive bucket size, or parameters
            that differ across ranks (naming the parameter and the ranks).
    """

    def __init__(self, module: Module, bucket_cap_mb: float = 1.0) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"[DistributedDataParallel] module must be an ember_ml Module, got {type(module).__name__}")
        if not bucket_cap_mb > 0:
            raise ValueError(f"[DistributedDataParallel] bucket_cap_mb must be positive, got {bucket_cap_mb!r}")
        super().__init__()
        self.module = module
        self.bucket_cap_mb = float(bucket_cap_mb)
        self._sync = True
        collectives.init()
        self.buckets: list[_Bucket] = []
        if collectives.world_size() == 1:
            return
        _check_replicas(module)
        for tensor in module.state_dict().values():
            collectives.broadcast(tensor, root=0)
        self.buckets = self._make_buckets()
        _install_backward_hook()

    def _make_buckets(self) -> list[_Bucket]:
        # Reverse registration order: backward produces the last layers' gradients first.
        cap = self.bucket_cap_mb * 1e6
        groups: dict[tuple[str, str], list[list[EmberTensor]]] = {}
        for p in reversed([p for p in self.module.parameters() if p.requires_grad]):
            runs = groups.setdefault((p.dtype.name, p.device), [[]])
            if runs[-1] and sum(q.size * q.itemsize for q in runs[-1]) + p.size * p.itemsize > cap:
                runs.append([])
            runs[-1].append(p)
        return [_Bucket(run) for runs in groups.values() for run in runs]

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Runs the wrapped module; with gradients recorded, the next ``backward()`` reduces them."""
        if self.buckets and self._sync and is_grad_enabled():
            _pending.add(self)
        return self.module(*args, **kwargs)

    def reduce_gradients(self) -> None:
        """Averages every parameter's ``.grad`` over the ranks now (``backward()`` calls it).

        Call it yourself only for gradients set without ``backward()``; every rank must call it.
        """
        _pending.discard(self)
        for bucket in self.buckets:
            bucket.reduce(collectives.world_size())

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, forward/backward accumulate local gradients only (gradient accumulation);
        the first backward after a forward outside reduces the accumulated sum."""
        previous, self._sync = self._sync, False
        try:
            yield
        finally:
            self._sync = previous

    def state_dict(self, prefix: str = "") -> Any:
        """The wrapped module's :meth:`Module.state_dict` (no ``module.`` prefix)."""
        return self.module.state_dict(prefix)

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> Any:
        """The wrapped module's :meth:`Module.load_state_dict`."""
        return self.module.load_state_dict(state, strict)

    def load_weights(self, filepath: Any, strict: bool = True) -> Any:
        """The wrapped module's :meth:`Module.load_weights` (files written by the plain module load)."""
        return self.module.load_weights(filepath, strict)

    def to(self, device: str) -> "DistributedDataParallel":
        """Moves the wrapped module to ``device`` and plans the buckets over its new parameters; returns self."""
        self.module.to(device)
        if self.buckets:
            self.buckets = self._make_buckets()
        return self

    def extra_repr(self) -> str:
        return f"world_size={collectives.world_size()}, buckets={len(self.buckets)}"
