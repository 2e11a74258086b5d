"""numba anchor: the same two jobs as the numbat benchmark, written the way a
numba user would (njit + prange), so numbat's cpu backend is compared against
the tool it imitates, in the same run, on the same machine.

    python3 bench/anchors/numba_anchor.py             # njit(parallel=True)
    python3 bench/anchors/numba_anchor.py --cudasim   # @cuda.jit under the simulator

Prints ONE JSON line on stdout.
"""
import json
import os
import sys
import time

MC_THREADS, MC_SAMPLES = 16384, 2000
REDUCE_N = 1 << 26
RUNS = 5

# The simulator is chosen at import time of numba, so this must precede the import.
CUDASIM = "--cudasim" in sys.argv
if CUDASIM:
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"

import numpy as np  # noqa: E402
import numba  # noqa: E402
from numba import njit, prange  # noqa: E402

M32 = 0xFFFFFFFF


# State lives in an int64 masked to 32 bits: numba promotes uint32*int to
# 64-bit anyway, and state*1664525 < 2^53 never overflows int64. The low 16
# bits, and hence x and y, are identical to the u32 LCG of the seed kernel.
@njit(inline="always")
def mc_thread(i, n_samples):
    state = (i * 2654435761 + 1) & M32
    count = 0
    for _ in range(n_samples):
        state = (state * 1664525 + 1013904223) & M32
        x = (state & 0xFFFF) / 65535.0  # float64, as in the seed
        state = (state * 1664525 + 1013904223) & M32
        y = (state & 0xFFFF) / 65535.0
        if x * x + y * y <= 1.0:
            count += 1
    return count


@njit(parallel=True)
def mc(counts, n_samples):
    # One prange iteration per CUDA thread of the seed kernel.
    for i in prange(counts.size):
        counts[i] = mc_thread(i, n_samples)
    return counts.sum()


# f64 accumulator: inputs are multiples of 0.25, so partials are exact and the
# sum matches every other anchor bit for bit. fastmath lets LLVM vectorize the
# reduction (without it the adds form one serial chain per thread).
@njit(parallel=True, fastmath=True)
def reduce_sum(x):
    s = 0.0
    for i in prange(x.size):
        s += x[i]
    return s


def fill(n):
    i = np.arange(n, dtype=np.int64)
    return (((i * 7) % 13) * 0.25 - 1.5).astype(np.float32)


def best_of(runs, fn, *args):
    best, value = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, value


def run_parallel():
    # Warm-up on tiny inputs: the first call is numba's type inference + LLVM
    # compile, which we report separately as compile_s.
    t0 = time.perf_counter()
    mc(np.zeros(4, np.int64), 1)
    reduce_sum(np.zeros(4, np.float32))
    compile_s = time.perf_counter() - t0

    counts = np.zeros(MC_THREADS, np.int64)
    mc_s, total = best_of(RUNS, mc, counts, MC_SAMPLES)
    x = fill(REDUCE_N)  # outside the timing
    red_s, s = best_of(RUNS, reduce_sum, x)
    return {
        "anchor": "numba-parallel",
        "numba": numba.__version__,
        "threads": numba.get_num_threads(),
        "mc": {"samples_per_s": MC_THREADS * MC_SAMPLES / mc_s, "total": int(total), "seconds": mc_s},
        "reduce": {"gbps": REDUCE_N * 4 / red_s / 1e9, "sum": float(s), "seconds": red_s, "acc": "f64"},
        "compile_s": compile_s,
    }


if CUDASIM:
    # Module level on purpose: the simulator swaps the kernel's *global* `cuda`
    # for its fake one; a `cuda` captured from a function scope breaks cuda.grid.
    from numba import cuda

    @cuda.jit
    def mc_kernel(counts, n_samples):
        i = cuda.grid(1)
        if i >= counts.size:
            return
        state = (i * 2654435761 + 1) & 0xFFFFFFFF
        count = 0
        for _ in range(n_samples):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            x = (state & 0xFFFF) / 65535.0
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            y = (state & 0xFFFF) / 65535.0
            if x * x + y * y <= 1.0:
                count += 1
        counts[i] = count


def run_cudasim(threads=512, samples=2000, block=64):
    # The simulator runs each block's threads as Python threads interpreting
    # the kernel (GIL-bound, ~1000x slower than njit), so the problem is cut to
    # about a second of work. It anchors "numba's own GPU-less fallback", not a
    # competitor; threads 0..511 are a prefix of the full problem.
    counts = np.zeros(threads, np.int64)
    grid = (threads + block - 1) // block
    t0 = time.perf_counter()
    mc_kernel[grid, block](counts, samples)
    secs = time.perf_counter() - t0
    # Cross-check against the plain-Python LCG so a simulator result is trusted.
    expected = 0
    for i in range(threads):
        st, c = (i * 2654435761 + 1) & M32, 0
        for _ in range(samples):
            st = (st * 1664525 + 1013904223) & M32
            x = (st & 0xFFFF) / 65535.0
            st = (st * 1664525 + 1013904223) & M32
            y = (st & 0xFFFF) / 65535.0
            c += x * x + y * y <= 1.0
        expected += c
    return {
        "anchor": "numba-cudasim",
        "numba": numba.__version__,
        "cuda_threads": threads,  # simulated; GIL-bound on the host
        "mc": {"samples_per_s": threads * samples / secs, "total": int(counts.sum()),
               "expected_total": expected, "seconds": secs,
               "problem": f"{threads} threads x {samples} samples"},
        "compile_s": 0.0,  # the simulator interprets; there is no compile step
    }


if __name__ == "__main__":
    print(json.dumps(run_cudasim() if CUDASIM else run_parallel()))
