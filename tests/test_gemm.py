"""kernas.ops.gemm / matmul against the float64 NumPy reference."""

import itertools

import numpy as np
import pytest

import kernas
from kernas import ops

from reference import linalg as reference

# Sizes around the 6 x 16 register tile and the cache blocks, not only multiples.
AWKWARD = (1, 5, 6, 7, 15, 16, 17, 127, 255)
TRANSPOSES = list(itertools.product((False, True), repeat=2))


def operands(rng, m, k, n, transpose_a, transpose_b):
    a = rng.standard_normal((k, m) if transpose_a else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if transpose_b else (k, n), dtype=np.float32)
    return a, b


def assert_close_to_reference(result, a, b, c0=None, **kwargs):
    expected = reference.gemm(a, b, c0, **kwargs)
    bound = reference.gemm_error_bound(a, b, c0, **kwargs)
    error = np.abs(result.astype(np.float64) - expected)
    assert result.dtype == np.float32 and result.shape == expected.shape
    assert np.all(np.isfinite(result))
    worst = np.unravel_index(np.argmax(error - bound), error.shape) if error.size else None
    assert np.all(error <= bound), f"{kwargs}: worst element {worst}: error {error[worst]:.3g} > bound {bound[worst]:.3g}"


@pytest.mark.parametrize("transpose_a, transpose_b", TRANSPOSES)
def test_every_awkward_shape_matches_reference(kernel_set, rng, transpose_a, transpose_b):
    for m, k, n in itertools.product(AWKWARD, repeat=3):
        a, b = operands(rng, m, k, n, transpose_a, transpose_b)
        result = ops.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        assert_close_to_reference(result, a, b, transpose_a=transpose_a, transpose_b=transpose_b)


@pytest.mark.parametrize("transpose_a, transpose_b", TRANSPOSES)
def test_a_dimension_of_1000_matches_reference(kernel_set, rng, transpose_a, transpose_b):
    others = (1, 7, 17, 127)
    shapes = set()
    for x, y in itertools.product(others, repeat=2):
        shapes |= {(1000, x, y), (x, 1000, y), (x, y, 1000)}
    for m, k, n in sorted(shapes):
        a, b = operands(rng, m, k, n, transpose_a, transpose_b)
        result = ops.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        assert_close_to_reference(result, a, b, transpose_a=transpose_a, transpose_b=transpose_b)


@pytest.mark.parametrize("transpose_a, transpose_b", TRANSPOSES)
def test_1000_cubed_matches_reference(kernel_set, rng, transpose_a, transpose_b):
    a, b = operands(rng, 1000, 1000, 1000, transpose_a, transpose_b)
    result = ops.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    assert_close_to_reference(result, a, b, transpose_a=transpose_a, transpose_b=transpose_b)


@pytest.mark.parametrize("transpose_a, transpose_b", TRANSPOSES)
@pytest.mark.parametrize("alpha, beta", [(1.0, 1.0), (-1.5, 0.5), (0.25, -2.0), (2.0, 0.0)])
def test_alpha_and_beta(kernel_set, rng, transpose_a, transpose_b, alpha, beta):
    # Depths of 700 and 1000 span several depth blocks (a few hundred each), so
    # later blocks accumulate onto C too.
    for m, k, n in [(1, 1, 1), (7, 5, 17), (17, 700, 15), (127, 1000, 33), (255, 17, 255)]:
        a, b = operands(rng, m, k, n, transpose_a, transpose_b)
        c0 = rng.standard_normal((m, n), dtype=np.float32)
        c = c0.copy()
        returned = ops.gemm(a, b, c, alpha=alpha, beta=beta, transpose_a=transpose_a, transpose_b=transpose_b)
        assert returned is c
        assert_close_to_reference(c, a, b, c0, alpha=alpha, beta=beta, transpose_a=transpose_a,
                                  transpose_b=transpose_b)


@pytest.mark.parametrize("transpose_a, transpose_b", TRANSPOSES)
def test_beta_zero_never_reads_c(kernel_set, rng, transpose_a, transpose_b):
    for m, k, n in [(1, 1, 1), (6, 16, 16), (7, 300, 17), (255, 127, 255), (1000, 17, 1000)]:
        a, b = operands(rng, m, k, n, transpose_a, transpose_b)
        c = np.full((m, n), np.nan, dtype=np.float32)
        ops.gemm(a, b, c, alpha=0.5, beta=0.0, transpose_a=transpose_a, transpose_b=transpose_b)
        assert_close_to_reference(c, a, b, alpha=0.5, transpose_a=transpose_a, transpose_b=transpose_b)


def test_alpha_zero_or_empty_depth_scales_c_only(kernel_set, rng):
    a, b = operands(rng, 5, 7, 9, False, False)
    c = np.full((5, 9), np.nan, dtype=np.float32)
    ops.gemm(a, b, c, alpha=0.0, beta=0.0)
    assert np.array_equal(c, np.zeros((5, 9), np.float32))

    c0 = rng.standard_normal((5, 9), dtype=np.float32)
    c = c0.copy()
    ops.gemm(np.zeros((5, 0), np.float32), np.zeros((0, 9), np.float32), c, beta=3.0)
    assert np.array_equal(c, 3.0 * c0)
    assert np.array_equal(ops.matmul(np.ones((5, 0)), np.ones((0, 9))), np.zeros((5, 9), np.float32))


def test_empty_outputs(kernel_set):
    assert ops.matmul(np.ones((0, 4)), np.ones((4, 3))).shape == (0, 3)
    assert ops.matmul(np.ones((2, 4)), np.ones((4, 0))).shape == (2, 0)


def bits(x):
    return np.ascontiguousarray(x).view(np.uint32)


@pytest.mark.parametrize("transpose_a, transpose_b", TRANSPOSES)
def test_bitwise_identical_for_any_thread_count(kernel_set, rng, restore_threads, transpose_a, transpose_b):
    # Shapes big enough to be split across threads, with edges that fall
    # inside a register tile when the split moves.
    # (6, 500, 1000) and (13, 300, 700) have too few rows to split: the
    # threads split the columns instead. So do (32, 128, 784) and
    # (128, 10, 1600) when B is transposed: a row split would make every
    # thread pack all of B for a few rows.
    shapes = [(1000, 1000, 1000), (301, 517, 263), (15488 // 8, 288, 64), (288, 3000, 64), (97, 64, 1000),
              (32, 784, 128), (128, 128, 10), (6, 500, 1000), (13, 300, 700), (32, 128, 784), (128, 10, 1600)]
    for m, k, n in shapes:
        a, b = operands(rng, m, k, n, transpose_a, transpose_b)
        c0 = rng.standard_normal((m, n), dtype=np.float32)
        results = []
        for threads in (1, 2, 3, 2):
            kernas.config.set_num_threads(threads)
            c = c0.copy()
            ops.gemm(a, b, c, alpha=0.75, beta=-0.5, transpose_a=transpose_a, transpose_b=transpose_b)
            results.append(bits(c))
        for other in results[1:]:
            assert np.array_equal(results[0], other), (m, k, n)


def test_simd_kernels_agree_with_reference_kernels(rng):
    """The SIMD kernel set against the portable one, on the same inputs."""
    available = kernas.config.available_cpu_features()
    if len(available) < 2:
        pytest.skip(f"this CPU runs only the {available[0]} kernels")
    previous = kernas.config.cpu_features()
    try:
        for (m, k, n), (transpose_a, transpose_b) in itertools.product(
            [(255, 127, 17), (1000, 300, 64), (7, 1000, 255), (32, 131, 50)], TRANSPOSES
        ):
            a, b = operands(rng, m, k, n, transpose_a, transpose_b)
            results = {}
            for name in available:
                kernas.config.set_cpu_features(name)
                results[name] = ops.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b).astype(np.float64)
            bound = reference.gemm_error_bound(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
            for name in available[1:]:
                assert np.all(np.abs(results[name] - results[available[0]]) <= 2 * bound)
    finally:
        kernas.config.set_cpu_features(previous)


SMALLER_TEAM = """
import numpy as np, kernas
rng = np.random.default_rng(0)
a = rng.standard_normal((301, 517), dtype=np.float32)
b = rng.standard_normal((517, 263), dtype=np.float32)
kernas.config.set_num_threads(1)
alone = kernas.ops.matmul(a, b)
kernas.config.set_num_threads(3)
print(np.array_equal(kernas.ops.matmul(a, b).view(np.uint32), alone.view(np.uint32)))
"""


@pytest.mark.parametrize("limit", ["1", "2"])
def test_fewer_threads_granted_than_asked_still_computes_everything(limit):
    """OpenMP may give a smaller team (OMP_THREAD_LIMIT, nested regions)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, OMP_THREAD_LIMIT=limit, OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", SMALLER_TEAM], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_concurrent_calls_from_python_threads_agree(rng, restore_threads):
    """The kernel releases the GIL; callers on several threads each get their own team and buffers."""
    from concurrent.futures import ThreadPoolExecutor

    kernas.config.set_num_threads(2)
    shapes = [(301, 517, 263), (1000, 300, 700), (32, 784, 128), (6, 500, 1000)]
    operand_pairs = [operands(rng, m, k, n, False, False) for m, k, n in shapes]
    expected = [bits(ops.matmul(a, b)) for a, b in operand_pairs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            futures = [pool.submit(ops.matmul, a, b) for a, b in operand_pairs * 2]
            for i, future in enumerate(futures):
                assert np.array_equal(bits(future.result()), expected[i % len(shapes)])
