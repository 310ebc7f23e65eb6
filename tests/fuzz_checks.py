"""The acceptance rule and numeric checks the fuzz tests share (tests/test_fuzz_*.py).

A generated case either works, and then agrees with the float64 reference
(``assert_matches``), or is refused with a ValueError/TypeError whose message
is informative (``attempt`` / ``refused``).
"""

import numpy as np
from hypothesis import event

from fuzz_strategies import assert_informative
from reference import activations as ref_act

UNIT = 2.0**-24
TINY = np.finfo(np.float32).tiny
SUBNORMAL = 2.0**-149  # float32's spacing below TINY: a subnormal result cannot be closer


def attempt(call, *names):
    """``(True, result)``, or ``(False, None)`` after checking that the refusal is an informative one."""
    try:
        return True, call()
    except (ValueError, TypeError) as error:
        assert_informative(error, *names)
        event(f"refused: {names[0]}" if names else "refused")
        return False, None


def refused(call, *names):
    """``attempt`` the other way round: ``(True, None)`` for an informative refusal, ``(False, result)``."""
    ok, result = attempt(call, *names)
    return not ok, result


def assert_matches(got, want, bound, what):
    """``got`` (float32) agrees with the float64 ``want``: NaN and inf exactly where ``want`` has them in
    float32 (its overflow included), elsewhere within ``bound``."""
    assert isinstance(got, np.ndarray) and got.dtype == np.float32, f"{what}: {type(got)} {getattr(got, 'dtype', '')}"
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, reference {want.shape}"
    with np.errstate(over="ignore", invalid="ignore"):
        want32 = want.astype(np.float32)
    got64 = got.astype(np.float64)
    nan = np.isnan(want32)
    assert np.array_equal(np.isnan(got), nan), f"{what}: NaN at {np.argwhere(np.isnan(got) != nan)[:3].tolist()}"
    inf = np.isinf(want32)
    assert np.array_equal(got[inf], want32[inf]), f"{what}: infinities differ"
    finite = ~(nan | inf)
    assert np.all(np.isfinite(got[finite])), f"{what}: non-finite where the reference is finite"
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), want.shape)
    error = np.abs(got64 - want)[finite]
    assert np.all(error <= bound[finite]), f"{what}: worst excess {np.max(error - bound[finite]):.3g}"


def relative(want, rtol, atol):
    """An ``assert_allclose``-style bound, ``atol + rtol * |want|``."""
    return atol + rtol * np.abs(np.asarray(want, dtype=np.float64))


def reference_activation(name, x, **params):
    """tests/reference's activation (its softmax needs at least one element)."""
    if np.size(x) == 0:
        return np.zeros(np.shape(x))
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        want = ref_act.forward(name, x, **params)
    # Keras's activations propagate NaN (the backends' relu is max(x, 0), NaN for NaN); the reference's
    # relu, where(x > 0, x, 0), maps NaN to 0, so NaN inputs are expected to stay NaN here.
    return np.where(np.isnan(x), np.nan, want) if name in ref_act.ELEMENTWISE else want
