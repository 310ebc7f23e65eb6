"""Pooling beside PyTorch, and beside np.add moving the same bytes.

Two kinds of case, at batch 128:

* MaxPool 2x2 forward + backward on the issue's shapes (26x26x32 and
  11x11x64) and global pooling (26x26x32, and 7x7x512 as at the end of a
  deeper network), against PyTorch's own kernels (aten ops with saved
  indices, no autograd) in NCHW and channels_last. Informative: target 1.0.
* Bandwidth: pooling is a streaming kernel, so each forward and backward is
  timed against np.add moving the same number of bytes (target 0.70: at least
  70% of the bandwidth np.add reaches). A kernel's bytes are the arrays it
  reads plus the arrays it writes, each counted once (caches may read some
  twice; that is the kernel's problem, not the yardstick's);
  compare.bandwidth_case gives np.add the same bytes. kernas writes into
  preallocated outputs (out= / out_indices=, as a layer reusing its buffers
  does): a fresh multi-megabyte array costs a page fault per 4 KiB page on
  first touch, which on these virtual machines takes longer than the kernel.
"""

import numpy as np
import torch

from compare import Case, bandwidth_case
from kernas.ops import pooling

BATCH = 128
FLOAT = 4
INDEX = 4  # int32 arg-max per pooled element


def _nchw(array, channels_last):
    tensor = torch.from_numpy(array).permute(0, 3, 1, 2)
    return tensor.contiguous(memory_format=torch.channels_last if channels_last else torch.contiguous_format)


def _torch_max_pool_step(x, dy, channels_last):
    xt, dyt = _nchw(x, channels_last), _nchw(dy, channels_last)

    def step():
        y, indices = torch.ops.aten.max_pool2d_with_indices(xt, [2, 2], [2, 2])
        torch.ops.aten.max_pool2d_with_indices_backward(dyt, xt, [2, 2], [2, 2], [0, 0], [1, 1], False, indices)

    return step


def _max_pool_case(height, width, channels, rng):
    x = rng.standard_normal((BATCH, height, width, channels), dtype=np.float32)
    dy = rng.standard_normal(pooling.pool2d_output_shape(x.shape, 2), dtype=np.float32)

    def kernas_step():
        _, indices = pooling.max_pool2d_forward(x, 2, return_indices=True)
        pooling.max_pool2d_backward(dy, indices, x.shape, 2)

    competitors = {
        "torch NCHW": _torch_max_pool_step(x, dy, False),
        "torch NHWC": _torch_max_pool_step(x, dy, True),
    }
    return Case(f"MaxPool 2x2 {height}x{width}x{channels} fwd+bwd", kernas=kernas_step, competitors=competitors)


def _global_cases(x, rng):
    dy = rng.standard_normal((x.shape[0], x.shape[3]), dtype=np.float32)
    shape = "x".join(map(str, x.shape[1:]))

    def kernas_avg():
        pooling.global_avg_pool2d_forward(x)
        pooling.global_avg_pool2d_backward(dy, x.shape)

    def kernas_max():
        _, indices = pooling.global_max_pool2d_forward(x, return_indices=True)
        pooling.global_max_pool2d_backward(dy, indices, x.shape)

    def torch_avg(channels_last):
        xt, dyt = _nchw(x, channels_last), torch.from_numpy(dy)[:, :, None, None]
        return lambda: (
            torch.ops.aten._adaptive_avg_pool2d(xt, [1, 1]),
            torch.ops.aten._adaptive_avg_pool2d_backward(dyt, xt),
        )

    def torch_max(channels_last):
        xt, dyt = _nchw(x, channels_last), torch.from_numpy(dy)[:, :, None, None]

        def step():
            _, indices = torch.ops.aten.adaptive_max_pool2d(xt, [1, 1])
            torch.ops.aten.adaptive_max_pool2d_backward(dyt, xt, indices)

        return step

    return [
        Case(f"GlobalAvgPool {shape} fwd+bwd", kernas=kernas_avg,
             competitors={"torch NCHW": torch_avg(False), "torch NHWC": torch_avg(True)}),
        Case(f"GlobalMaxPool {shape} fwd+bwd", kernas=kernas_max,
             competitors={"torch NCHW": torch_max(False), "torch NHWC": torch_max(True)}),
    ]


def _bandwidth_cases(rng):
    x = rng.standard_normal((BATCH, 26, 26, 32), dtype=np.float32)
    pooled = pooling.pool2d_output_shape(x.shape, 2)
    dy = rng.standard_normal(pooled, dtype=np.float32)
    y, indices = pooling.max_pool2d_forward(x, 2, return_indices=True)
    dx = np.empty_like(x)
    global_dy = rng.standard_normal((BATCH, 32), dtype=np.float32)
    global_y, global_indices = pooling.global_max_pool2d_forward(x, return_indices=True)
    x_bytes, y_bytes, i_bytes = x.size * FLOAT, dy.size * FLOAT, dy.size * INDEX
    g_bytes = global_dy.size * FLOAT  # the pooled (batch, channels) output, and its indices
    return [
        # forward with indices (training): reads x, writes y and indices
        bandwidth_case("max 2x2 fwd+indices",
                        lambda: pooling.max_pool2d_forward(x, 2, return_indices=True, out=y, out_indices=indices),
                        x_bytes + y_bytes + i_bytes),
        # forward without (inference): reads x, writes y
        bandwidth_case("max 2x2 fwd", lambda: pooling.max_pool2d_forward(x, 2, out=y), x_bytes + y_bytes),
        # reads dy and indices, writes dx
        bandwidth_case("max 2x2 bwd", lambda: pooling.max_pool2d_backward(dy, indices, x.shape, 2, out=dx),
                        y_bytes + i_bytes + x_bytes),
        bandwidth_case("avg 2x2 fwd", lambda: pooling.avg_pool2d_forward(x, 2, out=y), x_bytes + y_bytes),
        bandwidth_case("avg 2x2 bwd", lambda: pooling.avg_pool2d_backward(dy, x.shape, 2, out=dx), y_bytes + x_bytes),
        bandwidth_case(
            "global max fwd+indices",
            lambda: pooling.global_max_pool2d_forward(x, return_indices=True, out=global_y, out_indices=global_indices),
            x_bytes + 2 * g_bytes,
        ),
        bandwidth_case("global max bwd",
                        lambda: pooling.global_max_pool2d_backward(global_dy, global_indices, x.shape, out=dx),
                        2 * g_bytes + x_bytes),
        bandwidth_case("global avg fwd", lambda: pooling.global_avg_pool2d_forward(x, out=global_y),
                        x_bytes + g_bytes),
        bandwidth_case("global avg bwd", lambda: pooling.global_avg_pool2d_backward(global_dy, x.shape, out=dx),
                        g_bytes + x_bytes),
    ]


def cases():
    rng = np.random.default_rng(0)
    return [
        _max_pool_case(26, 26, 32, rng),
        _max_pool_case(11, 11, 64, rng),
        *_global_cases(rng.standard_normal((BATCH, 26, 26, 32), dtype=np.float32), rng),
        *_global_cases(rng.standard_normal((BATCH, 7, 7, 512), dtype=np.float32), rng),
        *_bandwidth_cases(rng),
    ]
