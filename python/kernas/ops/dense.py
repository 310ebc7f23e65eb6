"""Dense (fully connected) kernels: ``y = activation(x @ kernel + bias)``."""

from kernas import _core
from kernas.ops._checks import as_float32, caller_output, new_array
from kernas.ops.activation_spec import activation_spec


def dense_forward(x, kernel, bias=None, activation="linear", out=None):
    """Returns ``activation(x @ kernel + bias)`` with bias and activation fused.

    Args:
        x: ``(batch, in)`` inputs.
        kernel: ``(in, out)`` weights (Keras's layout).
        bias: ``(out,)`` or ``None``.
        activation: an activation name or ``activation_spec(...)``.
        out: optional float32 ``(batch, out)`` array to write into.

    Returns:
        The ``(batch, out)`` float32 result.
    """
    x = as_float32(x, "x", 2)
    kernel = as_float32(kernel, "kernel", 2)
    if x.shape[1] != kernel.shape[0]:
        raise ValueError(
            f"Expected x's last dimension to equal the kernel's input size {kernel.shape[0]}. "
            f"Received: x.shape={x.shape}, kernel.shape={kernel.shape}."
        )
    if bias is not None:
        bias = as_float32(bias, "bias", 1)
    if caller_output(out, "out") is None:
        out = new_array((x.shape[0], kernel.shape[1]), "y")
    _core.dense_forward(x, kernel, bias, activation_spec(activation), out)
    return out


def dense_backward(x, kernel, dz, need_dx=True, need_bias=True):
    """Gradients of ``x @ kernel + bias`` from ``dz``, the gradient before the activation.

    Args:
        x: ``(batch, in)`` forward inputs.
        kernel: ``(in, out)`` weights.
        dz: ``(batch, out)`` gradient of the loss at ``x @ kernel + bias``.
        need_dx: whether to compute the input gradient (a first layer does not need it).
        need_bias: whether to compute the bias gradient.

    Returns:
        ``(dx, dkernel, dbias)``; ``dx`` / ``dbias`` are ``None`` when not asked for.
    """
    x = as_float32(x, "x", 2)
    kernel = as_float32(kernel, "kernel", 2)
    dz = as_float32(dz, "dz", 2)
    batch, inputs = x.shape
    outputs = kernel.shape[1]
    dx = new_array((batch, inputs), "dx") if need_dx else None
    dkernel = new_array((inputs, outputs), "dkernel")
    dbias = new_array((outputs,), "dbias") if need_bias else None
    _core.dense_backward(x, kernel, dz, dx, dkernel, dbias)
    return dx, dkernel, dbias
