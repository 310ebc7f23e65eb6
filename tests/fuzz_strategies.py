"""Hypothesis strategies shared by the property-based (fuzz) tests, and the acceptance check they apply.

Generic building blocks, no kernas imports:

* ``wild_ints`` / ``wild_arguments``: values for an integer argument, from
  valid small ones to 0, negatives, huge ints, floats, bools, strings, None
  and tuples of the wrong length;
* ``shapes``: array shapes with 0-size and 1-size dimensions;
* ``arrays_of_any_dtype``: arrays of float16/32/64, signed and unsigned ints
  and bool (optionally NaN/inf), or of a non-numeric dtype;
* ``awkward_views``: the same values as a given array, laid out awkwardly
  (Fortran order, strided, negative strides, read-only, a transposed view);
* ``assert_informative``: the acceptance rule for a refusal.
"""

import numpy as np
from hypothesis import strategies as st

HUGE_INTS = (2**31 - 1, 2**31, 2**32 + 1, 2**62, 2**63 - 1, 2**63, 2**64, 2**70, 10**30)
REAL_DTYPES = ("float16", "float32", "float64", "int8", "int32", "int64", "uint8", "uint64", "bool")
ODD_DTYPES = ("object", "complex64", "U3", "datetime64[s]", "V4")


def rarely(common, rare, percent=15):
    """``rare`` in about ``percent`` % of the draws, else ``common``.

    Hypothesis favours boundary and simple values, so a plain ``one_of``
    of a valid and an invalid branch spends most examples on refusals; a
    draw of 0..99 whose *middle* picks the rare branch keeps the balance
    (and shrinks to ``common``).
    """
    return st.integers(0, 99).flatmap(lambda r: rare if 40 <= r < 40 + percent else common)


def wild_ints(low=1, high=8, percent=15):
    """An integer argument: mostly valid (``low``..``high``), else 0, negatives, huge values or NumPy ints."""
    valid = st.integers(low, high)
    edge = st.sampled_from((0, -1, -2, -(2**31), -(2**63)) + HUGE_INTS)
    numpy_int = valid.map(np.int64) | st.sampled_from((np.int32(-1), np.uint64(2**63)))
    return rarely(valid, st.one_of(edge, numpy_int), percent)


def junk_values():
    """Values no integer argument accepts: floats, bools, strings, None, containers, objects."""
    return st.one_of(
        st.sampled_from((None, True, False, "3", "", b"2", 2.0, 2.5, float("nan"), float("inf"), -0.0, 1j,
                         object(), [], (), {}, {1: 2}, np.float32(2.0), np.bool_(True), np.array([2, 2]),
                         np.array(2))),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def wild_arguments(n=2, low=1, high=8, percent=20):
    """An int-or-``n``-tuple argument (kernel size, strides, ...): mostly valid, sometimes absurd.

    Valid: an int, or a tuple or list of ``n`` ints. Absurd (``percent`` %):
    ints drawn by ``wild_ints`` (0, negative, huge), tuples of the wrong
    length, junk.
    """
    good = st.integers(low, high)
    valid = st.one_of(good, st.tuples(*([good] * n)), st.lists(good, min_size=n, max_size=n))
    single = wild_ints(low, high, percent=50)
    absurd = st.one_of(
        single,
        st.lists(single, min_size=n, max_size=n).map(tuple),
        st.lists(good, min_size=0, max_size=n + 2).filter(lambda v: len(v) != n).map(tuple),
        junk_values(),
        st.tuples(*([st.one_of(good, junk_values())] * n)),
    )
    return rarely(valid, absurd, percent)


def shapes(min_dims=0, max_dims=5, max_side=6, max_size=3000, zero_percent=8):
    """Array shapes of ``min_dims``..``max_dims`` dimensions; a side is 0 in about ``zero_percent`` % of draws."""
    side = rarely(st.integers(1, max_side), st.just(0), zero_percent)
    return st.integers(min_dims, max_dims).flatmap(lambda n: st.tuples(*([side] * n))).filter(
        lambda shape: int(np.prod(shape, dtype=np.int64)) <= max_size
    )


def _finite_elements(dtype, magnitude):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return st.floats(-magnitude, magnitude, width=8 * dtype.itemsize, allow_subnormal=False)
    if dtype.kind == "b":
        return st.booleans()
    info = np.iinfo(dtype)
    return st.integers(max(info.min, -int(magnitude)), min(info.max, int(magnitude)))


@st.composite
def _real_array(draw, shape, dtype, magnitude, nonfinite):
    """Random-normal-like values scaled to ``magnitude`` (fast for any shape), a few drawn positions special."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if dtype.kind == "f":
        values = rng.standard_normal(size) * draw(st.sampled_from((1.0, magnitude / 4, 1e-3)))
        values = np.clip(values, -magnitude, magnitude)
    elif dtype.kind == "b":
        values = rng.random(size) < 0.5
    else:
        info = np.iinfo(dtype)
        values = rng.integers(max(info.min, -int(magnitude)), min(info.max, int(magnitude)) + 1, size)
    array = values.astype(dtype)
    if size:
        specials = draw(st.lists(st.tuples(st.integers(0, size - 1), _finite_elements(dtype, magnitude)), max_size=3))
        for index, value in specials:
            array[index] = value
        if nonfinite and dtype.kind == "f":
            bad = draw(st.lists(st.tuples(st.integers(0, size - 1), st.sampled_from((np.nan, np.inf, -np.inf))),
                                min_size=1, max_size=3))
            for index, value in bad:
                array[index] = value
    return array.reshape(shape)


def arrays_of_any_dtype(shape, dtypes=REAL_DTYPES, magnitude=100.0, nonfinite=None, odd_percent=5):
    """An array of ``shape`` (a tuple or a strategy of tuples) and a dtype drawn from ``dtypes``.

    Args:
        shape: a shape or a strategy giving one.
        dtypes: the real dtypes to choose from (names).
        magnitude: bound on the finite values, so that float32 never overflows in a small sum of products.
        nonfinite: ``True`` always puts NaN/inf in float arrays, ``False`` never, ``None`` sometimes.
        odd_percent: how often (in %) the dtype is a non-numeric one (object, complex, str, datetime, void).
    """
    shape_strategy = shape if isinstance(shape, st.SearchStrategy) else st.just(tuple(shape))

    @st.composite
    def draw_array(draw):
        array_shape = draw(shape_strategy)
        dtype = draw(rarely(st.sampled_from(dtypes), st.sampled_from(ODD_DTYPES), odd_percent))
        if dtype in ODD_DTYPES:
            return _odd_array(array_shape, dtype)
        with_nonfinite = draw(rarely(st.just(False), st.just(True), 25)) if nonfinite is None else nonfinite
        return draw(_real_array(array_shape, dtype, magnitude, with_nonfinite))

    return draw_array()


def _odd_array(shape, dtype):
    size = int(np.prod(shape, dtype=np.int64))
    if dtype == "object":
        values = np.array([1.5, "a", None, [1]] * size, dtype=object)[:size]
        return values.reshape(shape)
    return np.zeros(shape, dtype=dtype)


LAYOUTS = ("contiguous", "fortran", "strided", "negative", "readonly", "transposed")


@st.composite
def awkward_views(draw, array, layouts=LAYOUTS):
    """``array``'s values (same shape, dtype and elements) in an awkward memory layout.

    Layouts: C-contiguous, Fortran-ordered, a strided slice of a larger buffer,
    negative strides on every axis, read-only, or the transpose of a
    transposed copy (non-contiguous for rank >= 2).
    """
    layout = draw(st.sampled_from(layouts))
    if layout == "contiguous" or array.ndim == 0:
        view = np.array(array, copy=True)
    elif layout == "fortran":
        view = np.asfortranarray(array)
    elif layout == "strided":
        step = draw(st.integers(2, 3))
        big = np.zeros(tuple(step * n for n in array.shape), dtype=array.dtype)
        index = tuple(slice(None, None, step) for _ in array.shape)
        big[index] = array
        view = big[index]
    elif layout == "negative":
        flip = tuple(slice(None, None, -1) for _ in array.shape)
        view = np.array(array[flip], copy=True)[flip]
    elif layout == "readonly":
        view = np.array(array, copy=True)
        view.flags.writeable = False
    else:
        view = np.ascontiguousarray(array.T).T
    assert view.shape == array.shape and view.dtype == array.dtype
    return view


def assert_informative(error, *names):
    """The acceptance rule for a refusal: a ValueError/TypeError whose message says what was expected/received.

    The message must be non-empty and say ``Expected``/``Received``/``must``,
    or name one of ``names`` (the arguments involved).
    """
    assert isinstance(error, (ValueError, TypeError)), repr(error)
    message = str(error)
    assert message.strip(), f"empty message from {type(error).__name__}"
    assert "incompatible function arguments" not in message, f"a raw pybind11 refusal: {message}"
    lowered = message.lower()
    words = ("expected", "received", "must")
    assert any(w in lowered for w in words) or any(n.lower() in lowered for n in names), message
