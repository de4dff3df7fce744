"""The registry ops the op table leaves out, and the ops without a kernel on every device, with reasons.

test_registry.py checks that every op of the C++ kernel registry (``_core.registered_kernels()``)
is run by a row (``OpInfo.kernel_names()``) or is listed in :data:`WITHOUT_ROW`, and has a
cpu and an opencl kernel or is listed in :data:`DEVICE_GAPS`.
"""
from __future__ import annotations

_FUSED_LAYER = "fused {} layer sequence: test_rnn_fused.py compares it with the step loop and opencl with cpu"
_OPTIMIZER = "fused {} update: test_optimizers.py compares 20-step trajectories with torch.optim"

WITHOUT_ROW = {
    "adam_step": _OPTIMIZER.format("Adam / AdamW"),
    "rmsprop_step": _OPTIMIZER.format("RMSprop"),
    "sgd_step": _OPTIMIZER.format("SGD"),
    "cfc_sequence": _FUSED_LAYER.format("CfC"),
    "cfc_sequence_backward": _FUSED_LAYER.format("CfC") + " (its gradients too)",
    "ltc_sequence": _FUSED_LAYER.format("LTC"),
    "ltc_sequence_backward": _FUSED_LAYER.format("LTC") + " (its gradients too)",
    "transfer": "copies between devices (ops.to_device): test_opencl.py checks round trips and counts transfers",
}

DEVICE_GAPS = {
    "transfer": "the non-cpu backend owns copies to and from host memory: one opencl kernel does both directions",
}
