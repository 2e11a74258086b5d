"""numba-cuda on the same GPU and kernels as bench.mjs: launch overhead,
round trips, kernel times from CUDA events, compile times.
    python3 bench/cuda/numba_bench.py [out.json]
With LOG2N set (bench/gpu/run.sh sets it to bench/gpu/run.mjs's size), also
"sameRun": the device-to-device copy (the bandwidth ceiling), a copy kernel,
add4, cuda.reduce and the Monte Carlo pi kernel (MC_THREADS x MC_SAMPLES) at
2^LOG2N f32, and option pricing (OPTION_PATHS = threads,paths per thread: the
option-pricing example's kernel and market, its normals from numba's
xoroshiro128p_normal_float32), for run.mjs --numba to set beside numbat's figures.
"""
import json
import math
import os
import sys
import time

t_import = time.perf_counter()
import numpy as np
# numba-cuda 0.30 registers an overload for np.row_stack, which numpy 2.5 removed.
if not hasattr(np, "row_stack"):
    np.row_stack = np.vstack
import numba
from numba import cuda, float32
from numba.cuda.random import create_xoroshiro128p_states, xoroshiro128p_normal_float32
t_import = time.perf_counter() - t_import

LAUNCHES = int(os.environ.get("LAUNCHES", "20000"))
out = {"numba": numba.__version__, "import_s": round(t_import, 3)}
try:
    import numba_cuda
    out["numba_cuda"] = numba_cuda.__version__
except Exception as e:  # older layouts
    out["numba_cuda"] = f"unknown ({e.__class__.__name__})"


def add4(a, b, c, o):
    i = cuda.grid(1)
    if i < o.size:
        o[i] = a[i] + b[i] + c[i]


def mandel(o, w, h, max_iter):
    x, y = cuda.grid(2)
    if x >= w or y >= h:
        return
    cx = float32(-2.0) + float32(x * 3) / float32(w)
    cy = float32(-1.5) + float32(y * 3) / float32(h)
    zx = float32(0.0)
    zy = float32(0.0)
    n = 0
    while n < max_iter and zx * zx + zy * zy <= float32(4.0):
        t = zx * zx - zy * zy + cx
        zy = float32(2.0) * zx * zy + cy
        zx = t
        n += 1
    o[y * w + x] = n


def reduce_sum(x, total):
    s = cuda.shared.array(256, float32)
    t = cuda.threadIdx.x
    i = cuda.grid(1)
    s[t] = x[i] if i < x.size else float32(0.0)
    cuda.syncthreads()
    stride = 128
    while stride > 0:
        if t < stride:
            s[t] += s[t + stride]
        cuda.syncthreads()
        stride >>= 1
    if t == 0:
        cuda.atomic.add(total, 0, s[0])


def copy_kernel(x, y):
    i = cuda.grid(1)
    if i < y.size:
        y[i] = x[i]


def monte_carlo_pi(states, counts, n_samples):
    # examples/pi.mjs's monteCarloPi: a 32-bit LCG per thread, f64 coordinates.
    i = cuda.grid(1)
    if i >= counts.size:
        return
    count = 0
    state = states[i]
    for k in range(n_samples):
        state = numba.uint32((numba.uint64(state) * numba.uint64(1664525) + numba.uint64(1013904223)) & numba.uint64(0xFFFFFFFF))
        x = numba.float64(state & numba.uint32(0xFFFF)) / 65535.0
        state = numba.uint32((numba.uint64(state) * numba.uint64(1664525) + numba.uint64(1013904223)) & numba.uint64(0xFFFFFFFF))
        y = numba.float64(state & numba.uint32(0xFFFF)) / 65535.0
        if x * x + y * y <= 1.0:
            count += 1
    counts[i] = count
    states[i] = state


def european_call(rng_states, sums, sum_squares, paths, s0, strike, drift, vol):
    # examples/option-pricing.mjs's europeanCall, with numba's xoroshiro128p normals: f32 draws,
    # the payoff in f64 (drift and vol are float64 arguments, as JS numbers are in numbat's).
    i = cuda.grid(1)
    if i >= sums.size:
        return
    s = 0.0
    sq = 0.0
    for p in range(paths):
        z = xoroshiro128p_normal_float32(rng_states, i)
        payoff = max(s0 * math.exp(drift + vol * z) - strike, 0.0)
        s += payoff
        sq += payoff * payoff
    sums[i] = s
    sum_squares[i] = sq


# The option-pricing example's market (examples/option-pricing.mjs MARKET).
MARKET = {"s0": 100, "strike": 105, "rate": 0.05, "sigma": 0.2, "years": 1}


def black_scholes_call(s0, strike, rate, sigma, years):
    d1 = (math.log(s0 / strike) + (rate + sigma * sigma / 2) * years) / (sigma * math.sqrt(years))
    d2 = d1 - sigma * math.sqrt(years)
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
    return s0 * cdf(d1) - strike * math.exp(-rate * years) * cdf(d2)


def option_pricing(threads, paths, reps=5):
    m = MARKET
    drift = (m["rate"] - m["sigma"] ** 2 / 2) * m["years"]
    vol = m["sigma"] * math.sqrt(m["years"])
    rng = create_xoroshiro128p_states(threads, seed=20261124)
    sums, sq = cuda.device_array(threads, np.float32), cuda.device_array(threads, np.float32)
    k = cuda.jit(european_call)
    launch = lambda: k[threads // 256, 256](rng, sums, sq, paths, m["s0"], m["strike"], drift, vol)
    launch()
    r = events(launch, reps)
    # The last launch's paths: the price and its standard error against the closed form.
    n = threads * paths
    total, total_sq = float(sums.copy_to_host().astype(np.float64).sum()), float(sq.copy_to_host().astype(np.float64).sum())
    disc = math.exp(-m["rate"] * m["years"])
    mean = total / n
    stderr = disc * math.sqrt(max(0.0, total_sq / n - mean * mean) / n)
    price, exact = disc * mean, black_scholes_call(**m)
    return {**r, "threads": threads, "paths": paths, "gPathsPerS": round(n / (r["median_ms"] * 1e6), 3),
            "price": price, "blackScholes": exact, "stderr": stderr, "ok": abs(price - exact) < 5 * stderr}


def same_run(log2n, reps=10):
    """The kernels of bench/gpu/run.mjs at its size; each part reports its own error."""
    n = 1 << log2n
    grid = (n + 255) // 256
    res = {"n": n}
    src = cuda.to_device(np.ones(n, np.float32))
    dst = cuda.device_array(n, np.float32)
    try:
        r = events(lambda: dst.copy_to_device(src), reps)
        res["d2dCopy"] = {**r, "GBps": round(8 * n / (r["median_ms"] * 1e6), 1)}
    except Exception as e:
        res["d2dCopy"] = {"error": repr(e)[:300]}
    try:
        kc = cuda.jit(copy_kernel)
        kc[grid, 256](src, dst)
        r = events(lambda: kc[grid, 256](src, dst), reps)
        res["copyKernel"] = {**r, "GBps": round(8 * n / (r["median_ms"] * 1e6), 1)}
    except Exception as e:
        res["copyKernel"] = {"error": repr(e)[:300]}
    try:
        k = cuda.jit(add4)
        b, c = cuda.to_device(np.full(n, 2, np.float32)), cuda.to_device(np.full(n, 3, np.float32))
        k[grid, 256](src, b, c, dst)
        r = events(lambda: k[grid, 256](src, b, c, dst), reps)
        chk = dst.copy_to_host()
        res["add4"] = {**r, "GBps": round(16 * n / (r["median_ms"] * 1e6), 1), "correct": bool(chk[0] == 6 and chk[-1] == 6)}
        del b, c
    except Exception as e:
        res["add4"] = {"error": repr(e)[:300]}
    try:
        # cuda.reduce returns the scalar on the host: timed like numbat's reduce, result included.
        sum_reduce = cuda.reduce(lambda a, b: a + b)
        v = sum_reduce(src)
        ts = []
        for _ in range(reps):
            t = time.perf_counter()
            v = sum_reduce(src)
            ts.append((time.perf_counter() - t) * 1000)
        ts.sort()
        ms = ts[len(ts) // 2]
        res["reduce"] = {"median_ms": round(ms, 4), "min_ms": round(ts[0], 4), "GBps": round(4 * n / (ms * 1e6), 1), "value": float(v), "correct": float(v) == float(n)}
    except Exception as e:
        res["reduce"] = {"error": repr(e)[:300]}
    try:
        threads, samples = (int(x) for x in os.environ.get("MC_SAMPLES", f"{1 << 20},20000").split(","))
        seeds = ((np.arange(threads, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(1)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        st, counts = cuda.to_device(seeds), cuda.device_array(threads, np.uint32)
        km = cuda.jit(monte_carlo_pi)
        km[threads // 256, 256](st, counts, samples)
        r = events(lambda: km[threads // 256, 256](st, counts, samples), 5)
        hits = int(counts.copy_to_host().astype(np.int64).sum())
        res["monteCarlo"] = {**r, "threads": threads, "samples": samples, "gSamplesPerS": round(threads * samples / (r["median_ms"] * 1e6), 2), "pi": 4 * hits / (threads * samples)}
    except Exception as e:
        res["monteCarlo"] = {"error": repr(e)[:300]}
    try:
        threads, paths = (int(x) for x in os.environ.get("OPTION_PATHS", f"{1 << 20},1024").split(","))
        res["optionPricing"] = option_pricing(threads, paths)
    except Exception as e:
        res["optionPricing"] = {"error": repr(e)[:300]}
    return res


def events(fn, reps=20):
    ts = []
    for r in range(reps + 2):
        e0, e1 = cuda.event(), cuda.event()
        e0.record()
        fn()
        e1.record()
        e1.synchronize()
        if r >= 2:
            ts.append(cuda.event_elapsed_time(e0, e1))
    ts.sort()
    return {"median_ms": round(ts[len(ts) // 2], 4), "min_ms": round(ts[0], 4)}


def main():
    dev = cuda.get_current_device()
    out["device"] = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
    out["cc"] = list(dev.compute_capability)

    # Compile times: to PTX only (compile_ptx), first one cold.
    f32a = float32[:]
    sigs = {
        "add4": (add4, (f32a, f32a, f32a, f32a)),
        "mandel": (mandel, (numba.int32[:], numba.int64, numba.int64, numba.int64)),
        "reduceSum": (reduce_sum, (f32a, f32a)),
    }
    ct = {}
    for name, (fn, sig) in sigs.items():
        t = time.perf_counter()
        cuda.compile_ptx(fn, sig)
        ct[name] = round((time.perf_counter() - t) * 1000, 2)
    out["compilePtx_ms"] = ct

    # First launch: jit (typing + compile + link + load) + launch + sync.
    small = [cuda.to_device(np.ones(32, np.float32)) for _ in range(4)]
    t = time.perf_counter()
    k = cuda.jit(add4)
    k[1, 32](*small)
    cuda.synchronize()
    out["firstLaunch_ms"] = round((time.perf_counter() - t) * 1000, 2)

    # Launch overhead: asynchronous launches with device arrays.
    for _ in range(1000):
        k[1, 32](*small)
    cuda.synchronize()
    t = time.perf_counter()
    for _ in range(LAUNCHES):
        k[1, 32](*small)
    per = (time.perf_counter() - t) / LAUNCHES
    cuda.synchronize()
    out["launchOverhead_us"] = round(per * 1e6, 2)

    t = time.perf_counter()
    for _ in range(2000):
        k[1, 32](*small)
        cuda.synchronize()
    out["roundTrip_us"] = round((time.perf_counter() - t) / 2000 * 1e6, 2)

    # Implicit copies (host numpy arrays in, written array out).
    n1 = 1 << 20
    host = [np.full(n1, 2, np.float32) for _ in range(4)]
    k[n1 // 256, 256](*host)
    t = time.perf_counter()
    for _ in range(20):
        k[n1 // 256, 256](*host)
    out["hostArrays1Mi_ms"] = round((time.perf_counter() - t) / 20 * 1000, 3)

    N = 1 << 24
    big = [cuda.to_device(np.full(N, j + 1, np.float32)) for j in range(3)]
    big_out = cuda.device_array(N, np.float32)
    r = events(lambda: k[N // 256, 256](*big, big_out))
    chk = big_out.copy_to_host()
    out["add4"] = {"n": N, **r, "GBps": round(16 * N / (r["median_ms"] * 1e6), 1), "correct": bool(chk[0] == 6 and chk[-1] == 6)}

    W = H = 2048
    IT = 256
    km = cuda.jit(mandel)
    img = cuda.device_array(W * H, np.int32)
    km[(W // 16, H // 16), (16, 16)](img, W, H, IT)
    out["mandel"] = {"w": W, "h": H, "maxIter": IT, **events(lambda: km[(W // 16, H // 16), (16, 16)](img, W, H, IT))}
    out["mandel"]["checksum"] = int(img.copy_to_host().astype(np.int64).sum())

    kr = cuda.jit(reduce_sum)
    xs = cuda.to_device(np.full(N, 0.5, np.float32))
    total = cuda.to_device(np.zeros(1, np.float32))
    kr[N // 256, 256](xs, total)
    out["reduceSum"] = {"n": N, **events(lambda: kr[N // 256, 256](xs, total))}
    out["reduceSum"]["GBps"] = round(4 * N / (out["reduceSum"]["median_ms"] * 1e6), 1)
    del big, big_out, xs

    if os.environ.get("LOG2N"):
        try:
            out["sameRun"] = same_run(int(os.environ["LOG2N"]))
        except Exception as e:
            out["sameRun"] = {"error": repr(e)[:300]}

    print(json.dumps(out, indent=2))
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            json.dump(out, f, indent=2)


main()
