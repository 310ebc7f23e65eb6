"""Side-by-side cases for bench/kernels_vs_torch.py, one module per kernel area.

Each module defines ``cases()`` returning a list of :class:`Case`.
"""

from dataclasses import dataclass, field
from typing import Callable, Dict


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
