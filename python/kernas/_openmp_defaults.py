"""How long kernas's OpenMP threads spin before they sleep: set before ``_core`` loads libgomp.

GCC's libgomp lets a thread that waits at a barrier spin for a long time
(300,000 turns) before it sleeps. On an idle machine that saves a wake-up; on
a machine where another process holds a core, a waiting thread spins away the
time slice its partner needs: an MLP epoch at batch 32, which crosses
thousands of barriers, ran 2.5 to 40 times slower than with a short spin
(``GOMP_SPINCOUNT=1000``), which kept the idle speed within run-to-run noise
(figures in the README's "Threads and determinism").

libgomp reads the variable once, when it is loaded, so this module runs
before anything imports ``kernas._core``. A value the user set, or an
``OMP_WAIT_POLICY``, is left alone.
"""

import os

SPIN_COUNT = "1000"

if "GOMP_SPINCOUNT" not in os.environ and "OMP_WAIT_POLICY" not in os.environ:
    os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
