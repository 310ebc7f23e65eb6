"""Side-by-side cases for bench/kernels_vs_torch.py, one module per kernel area.

Each module defines ``cases()`` returning a list of :class:`Case`.
"""

from dataclasses import dataclass, field
from typing import Callable, Dict

import numpy as np


@dataclass
class Case:
    """One benchmark row: kernas's callable beside its competitors'.

    Attributes:
        name: what is measured, e.g. ``"conv 28x28x1->32 3x3 fwd+bwd, batch 128"``.
        kernas: a no-argument callable doing the work with kernas.
        competitors: name -> no-argument callable doing the same work. The
            ratio is taken against the fastest of them.
        target: the minimum ratio (competitor time / kernas time) the issue asks for.
    """

    name: str
    kernas: Callable[[], object]
    competitors: Dict[str, Callable[[], object]] = field(default_factory=dict)
    target: float = 1.0


def bandwidth_case(name, kernas_fn, nbytes):
    """A streaming kernel that reads and writes `nbytes` in all, against np.add moving as many.

    np.add reads two arrays and writes one, 12 bytes per element, so it runs
    on arrays of nbytes / 12 elements; the ratio np.add time / kernas time is
    then the fraction of np.add's bandwidth kernas reaches (target 0.70). Both
    write into preallocated outputs, so neither pays first-touch page faults.
    """
    elements = nbytes // 12
    a = np.random.default_rng(0).standard_normal(elements, dtype=np.float32)
    b = np.random.default_rng(1).standard_normal(elements, dtype=np.float32)
    out = np.empty_like(a)
    return Case(f"{name} ({nbytes / 1e6:.1f} MB)", kernas=kernas_fn,
                competitors={"np.add": lambda: np.add(a, b, out=out)}, target=0.70)
