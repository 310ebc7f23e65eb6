"""NumPy reference of the dropout kernels: Philox4x32-10 in integer arithmetic.

The mask must match the kernels bit for bit, so this reimplements the
generator (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
SC 2011) and the kernels' assignment of random words to elements. 32 x 32-bit
products are exact in uint64. Never calls kernas.
"""

import math

import numpy as np

M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK32 = 0xFFFFFFFF
GROUP = 32  # elements per group of 8 Philox blocks


def philox4x32_10(counter, key):
    """Philox4x32-10 of counters (4, n) (uint32 words) under key (k0, k1); returns (4, n) uint64."""
    c0, c1, c2, c3 = (np.asarray(word, dtype=np.uint64) for word in counter)
    k0, k1 = (np.uint64(k) for k in key)
    for _ in range(10):
        p0 = np.uint64(M0) * c0
        p1 = np.uint64(M1) * c2
        c0, c1, c2, c3 = (
            (p1 >> np.uint64(32)) ^ c1 ^ k0,
            p1 & np.uint64(MASK32),
            (p0 >> np.uint64(32)) ^ c3 ^ k1,
            p0 & np.uint64(MASK32),
        )
        k0 = np.uint64((int(k0) + W0) & MASK32)
        k1 = np.uint64((int(k1) + W1) & MASK32)
    return np.stack([c0, c1, c2, c3])


def random_words(count, seed, step):
    """The 32 random bits of each element: element 32 g + 8 w + l takes word w of block 8 g + l."""
    index = np.arange(count, dtype=np.uint64)
    within = index % np.uint64(GROUP)
    block = (index // np.uint64(GROUP)) * np.uint64(8) + within % np.uint64(8)
    word = (within // np.uint64(8)).astype(np.int64)
    counter = [
        block & np.uint64(MASK32),
        block >> np.uint64(32),
        np.full(count, step & MASK32, dtype=np.uint64),
        np.full(count, step >> 32, dtype=np.uint64),
    ]
    words = philox4x32_10(counter, (seed & MASK32, seed >> 32))
    return words[word, np.arange(count)]


def keep_mask(count, rate, seed, step):
    """Element kept when its word u satisfies u >= ceil(rate * 2**32) (at most 2**32 - 1)."""
    threshold = min(math.ceil(rate * 2.0**32), MASK32)
    return random_words(count, seed, step) >= np.uint64(threshold)


def dropout(x, rate, seed, step):
    """x / (1 - rate) where kept, else 0, in float64; also the gradient map of dy."""
    x = np.asarray(x, dtype=np.float64)
    mask = keep_mask(x.size, rate, seed, step).reshape(x.shape)
    return np.where(mask, x / (1.0 - rate), 0.0)
