"""What kernas.ops.matmul / gemm do with inputs that are not plain float32 matrices."""

import numpy as np
import pytest

from kernas import _core, ops

from reference import linalg as reference


def close(result, a, b, **kwargs):
    expected = reference.gemm(a, b, **kwargs)
    return np.all(np.abs(result - expected) <= reference.gemm_error_bound(a, b, **kwargs))


@pytest.mark.parametrize("shape_a, shape_b", [((3,), (3, 4)), ((2, 3), (3,)), ((2, 2, 3), (3, 4)), ((), (1, 1))])
def test_wrong_ndim_is_a_value_error(shape_a, shape_b):
    with pytest.raises(ValueError, match="2-D"):
        ops.matmul(np.ones(shape_a, np.float32), np.ones(shape_b, np.float32))


@pytest.mark.parametrize("transpose_a, transpose_b", [(False, False), (True, False), (False, True), (True, True)])
def test_mismatched_inner_dimension_is_a_value_error(transpose_a, transpose_b):
    a = np.ones((4, 3) if transpose_a else (3, 4), np.float32)
    b = np.ones((6, 5) if transpose_b else (5, 6), np.float32)
    with pytest.raises(ValueError, match="inner dimensions"):
        ops.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)


@pytest.mark.parametrize("dtype", [np.float16, np.float64, np.int8, np.int32, np.int64, np.uint8])
def test_real_dtypes_are_converted(rng, dtype):
    a = (rng.standard_normal((7, 5)) * 4).astype(dtype)
    b = (rng.standard_normal((5, 9)) * 4).astype(dtype)
    result = ops.matmul(a, b)
    assert result.dtype == np.float32
    assert close(result, a.astype(np.float32), b.astype(np.float32))


@pytest.mark.parametrize("values", [np.ones((2, 2), bool), np.ones((2, 2), complex), np.array([["a", "b"], ["c", "d"]]),
                                    np.array([[object(), 1], [2, 3]], dtype=object)])
def test_non_real_dtypes_are_a_type_error(values):
    with pytest.raises(TypeError, match="dtype"):
        ops.matmul(values, np.ones((2, 2), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        ops.matmul(np.ones((2, 2), np.float32), values)


def test_nested_lists_are_accepted():
    assert np.array_equal(ops.matmul([[1, 2]], [[3], [4]]), np.array([[11]], np.float32))


@pytest.mark.parametrize(
    "view",
    [
        lambda x: x[:, ::2],
        lambda x: x[::2, :],
        lambda x: x[::-1, :],
        lambda x: x[:, ::-3],
        lambda x: x.T,
        lambda x: np.asfortranarray(x),
        lambda x: x.astype(np.float64).T,
    ],
    ids=["column-step", "row-step", "reversed-rows", "reversed-column-step", "transposed", "fortran", "f64-transposed"],
)
def test_non_contiguous_views_give_the_right_answer(rng, view):
    base = rng.standard_normal((30, 30), dtype=np.float32)
    a = view(base)
    b = view(base.copy() * 0.5).T
    result = ops.matmul(a, b)
    assert close(result, np.array(a, np.float32), np.array(b, np.float32))
    # Transposed operands combine with the flags.
    result = ops.matmul(a, np.array(b).T, transpose_b=True)
    assert close(result, np.array(a, np.float32), np.array(b, np.float32))


def test_inputs_are_not_modified(rng):
    a = rng.standard_normal((17, 9), dtype=np.float32)
    b = rng.standard_normal((9, 33), dtype=np.float32)
    a_before, b_before = a.copy(), b.copy()
    ops.matmul(a, b)
    assert np.array_equal(a, a_before) and np.array_equal(b, b_before)


@pytest.mark.parametrize(
    "c",
    [
        np.zeros((3, 5), np.float32),
        np.zeros((4, 4), np.float32),
        np.zeros((4, 5), np.float64),
        np.zeros((5, 4), np.float32).T,
        np.zeros((4, 10), np.float32)[:, ::2],
    ],
    ids=["wrong-shape", "wrong-shape-2", "float64", "fortran", "strided"],
)
def test_bad_output_array_is_a_value_error(c):
    with pytest.raises(ValueError, match="`c`"):
        ops.gemm(np.ones((4, 3)), np.ones((3, 5)), c)


def test_read_only_output_is_a_value_error():
    c = np.zeros((4, 5), np.float32)
    c.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        ops.gemm(np.ones((4, 3)), np.ones((3, 5)), c)


def test_output_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="numpy.ndarray"):
        ops.gemm(np.ones((2, 2)), np.ones((2, 2)), [[0, 0], [0, 0]])


def test_output_sharing_memory_with_an_input_is_refused():
    a = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match="share memory"):
        ops.gemm(a, np.ones((4, 4), np.float32), a, beta=1.0)


def test_nonzero_beta_without_output_is_refused():
    with pytest.raises(ValueError, match="beta"):
        ops.gemm(np.ones((2, 2)), np.ones((2, 2)), beta=1.0)


def test_direct_core_calls_are_checked_not_crashed():
    """The binding repeats the checks, so a direct call cannot corrupt memory."""
    a = np.ones((4, 3), np.float32)
    b = np.ones((3, 5), np.float32)
    with pytest.raises(ValueError, match="shape"):
        _core.gemm(a, b, np.zeros((2, 2), np.float32), False, False, 1.0, 0.0)
    with pytest.raises(ValueError, match="inner dimensions"):
        _core.gemm(a, b, np.zeros((4, 5), np.float32), True, False, 1.0, 0.0)
    with pytest.raises(ValueError, match="2 dimensions"):
        _core.gemm(np.ones(3, np.float32), b, np.zeros((4, 5), np.float32), False, False, 1.0, 0.0)
    with pytest.raises(ValueError, match="float32"):
        _core.gemm(a, b, np.zeros((4, 5), np.float64), False, False, 1.0, 0.0)
    with pytest.raises(ValueError, match="C-contiguous"):
        _core.gemm(a, b, np.zeros((5, 4), np.float32).T, False, False, 1.0, 0.0)
    square = np.ones((3, 3), np.float32)
    with pytest.raises(ValueError, match="share memory"):
        _core.gemm(square, np.eye(3, dtype=np.float32), square, False, False, 1.0, 0.0)
    with pytest.raises(ValueError, match="share memory"):
        _core.gemm(np.eye(3, dtype=np.float32), square, square, False, False, 1.0, 1.0)


def test_result_larger_than_memory_is_refused():
    # (m, 0) @ (0, n) reads nothing but writes m * n floats (4 TiB here): refused before allocating, where
    # Linux's overcommit could otherwise let the allocation through and kill the process as it is written.
    with pytest.raises(ValueError, match=r"Expected the result `c` to fit in memory.*\(1048576, 1048576\)"):
        ops.matmul(np.ones((2**20, 0), np.float32), np.ones((0, 2**20), np.float32))
