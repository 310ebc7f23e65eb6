"""The one door from Python into the native kernels.

Each module here wraps one kernel area of ``kernas._core``: it validates and
converts NumPy arrays once, allocates outputs and calls the kernel. Layers,
losses and optimizers call these functions, never ``_core`` directly.
"""

from kernas.ops.activation_spec import activation_spec
from kernas.ops.gemm import gemm, matmul

__all__ = ["activation_spec", "gemm", "matmul"]
