"""NumPy (float64) reference implementations of every kernas kernel, one
module per kernel area. Tests compare the native kernels against these; they
favour obviousness over speed and never call kernas.
"""
