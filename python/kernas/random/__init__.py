"""Seeds for initializers, dropout and shuffling, all derived from one global seed."""

from kernas.random.seeds import draw_seed, global_generator, set_global_seed

__all__ = ["draw_seed", "global_generator", "set_global_seed"]
