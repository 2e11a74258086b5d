"""Random-number anchors for the Monte Carlo workloads; prints ONE JSON line.

  python3 random_anchor.py --numpy         numpy Generator(Philox): float32 uniforms
                                           and standard normals, float64 standard
                                           normals, float32 Gamma(2.5) (numpy's own
                                           Marsaglia-Tsang), one core, vectorised
  python3 random_anchor.py --numba-option  numba @njit(parallel=True) European call
                                           with np.random.standard_normal (the
                                           option-pricing example's market), and
                                           the basket call on four correlated
                                           assets (bench/suite/kernels.mjs BASKET)
                                           and the up-and-out barrier call (BARRIER)
"""
import json
import math
import sys
import time

RUNS = 5

# The markets of bench/suite/kernels.mjs BASKET and BARRIER (priced here by numba, and by
# numpy in reference_prices.py).
BASKET = {"assets": 4, "spot": 25.0, "vol": 0.2, "rate": 0.02, "rho": 0.5, "strike": 100.0}
BARRIER = {"spot": 100.0, "strike": 100.0, "barrier": 125.0, "vol": 0.2, "rate": 0.02, "steps": 64}


def basket_cholesky():
    """The Cholesky factor of BASKET's correlation matrix (every pair rho)."""
    import numpy as np

    corr = np.full((BASKET["assets"], BASKET["assets"]), BASKET["rho"])
    np.fill_diagonal(corr, 1.0)
    return np.linalg.cholesky(corr)


def barrier_step():
    """BARRIER's drift and volatility of log S per monitoring step."""
    dt = 1.0 / BARRIER["steps"]
    vol = BARRIER["vol"]
    return (BARRIER["rate"] - vol * vol / 2) * dt, vol * math.sqrt(dt)


def best_of(fn, *args):
    best, out = float("inf"), None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_numpy():
    import numpy as np

    n = 1 << 24
    rng = np.random.Generator(np.random.Philox(20261124))
    us, u = best_of(lambda: rng.random(n, dtype=np.float32))
    ns, z = best_of(lambda: rng.standard_normal(n, dtype=np.float32))
    ns64, z64 = best_of(lambda: rng.standard_normal(n))
    gs, g = best_of(lambda: rng.standard_gamma(2.5, n, dtype=np.float32))
    return {
        "anchor": "numpy-philox", "threads": 1,
        "uniform": {"draws_per_s": n / us, "mean": float(u.mean(dtype=np.float64))},
        "normal": {"draws_per_s": n / ns, "mean": float(z.mean(dtype=np.float64))},
        "normal64": {"draws_per_s": n / ns64, "mean": float(z64.mean())},
        "gamma": {"draws_per_s": n / gs, "mean": float(g.mean(dtype=np.float64)), "alpha": 2.5},
    }


def chunked_price(payoff, discount):
    """numba @njit(parallel=True): `paths` calls of the @njit `payoff` in `chunks` parallel chunks, their discounted mean."""
    import numba
    import numpy as np

    @numba.njit(parallel=True, fastmath=False)
    def price(paths, chunks):
        per = paths // chunks
        sums = np.zeros(chunks)
        for c in numba.prange(chunks):
            acc = 0.0
            for _ in range(per):
                acc += payoff()
            sums[c] = acc
        return discount * sums.sum() / (per * chunks)

    return price


def run_numba_option():
    import numba
    import numpy as np

    s0, strike, rate, sigma, years = 100.0, 105.0, 0.05, 0.2, 1.0
    drift, vol = (rate - sigma * sigma / 2) * years, sigma * math.sqrt(years)

    @numba.njit(fastmath=False)
    def payoff():
        z = np.random.standard_normal()
        return max(s0 * math.exp(drift + vol * z) - strike, 0.0)

    price = chunked_price(payoff, math.exp(-rate * years))
    t0 = time.perf_counter()
    price(1024, 64)  # compiles
    compile_s = time.perf_counter() - t0
    paths = 1 << 24
    s, p = best_of(price, paths, 1024)
    bs, bp = run_numba_basket()
    rs, rp = run_numba_barrier()
    return {"anchor": "numba-parallel-option", "threads": numba.get_num_threads(),
            "option": {"paths_per_s": paths / s, "price": p},
            "basket": {"paths_per_s": bs, "price": bp},
            "barrier": {"paths_per_s": rs, "price": rp}, "compile_s": compile_s}


def run_numba_basket():
    """The basket-option workload's job: per path four normals, z = L n, four exps (f64)."""
    import numba
    import numpy as np

    assets, spot, vol, rate, strike = (BASKET[k] for k in ("assets", "spot", "vol", "rate", "strike"))
    chol = basket_cholesky()
    drift = rate - vol * vol / 2

    @numba.njit(parallel=True, fastmath=False)
    def price(paths, chunks):
        per = paths // chunks
        sums = np.zeros(chunks)
        for c in numba.prange(chunks):
            n = np.empty(assets)
            acc = 0.0
            for _ in range(per):
                for a in range(assets):
                    n[a] = np.random.standard_normal()
                basket = 0.0
                for a in range(assets):
                    z = 0.0
                    for b in range(a + 1):
                        z += chol[a, b] * n[b]
                    basket += spot * math.exp(drift + vol * z)
                acc += max(basket - strike, 0.0)
            sums[c] = acc
        return math.exp(-rate) * sums.sum() / (per * chunks)

    return paths_per_s(price, 1 << 22)


def run_numba_barrier():
    """The barrier-option workload's job: per path up to 64 steps (a normal, an exp), stopped at the barrier (f64)."""
    import numba
    import numpy as np

    spot, strike, barrier, steps = (BARRIER[k] for k in ("spot", "strike", "barrier", "steps"))
    drift, step_vol = barrier_step()

    @numba.njit(fastmath=False)
    def payoff():
        s = spot
        for _t in range(steps):
            s *= math.exp(drift + step_vol * np.random.standard_normal())
            if s >= barrier:
                return 0.0
        return max(s - strike, 0.0)

    return paths_per_s(chunked_price(payoff, math.exp(-BARRIER["rate"])), 1 << 20)


def paths_per_s(price, paths):
    """A numba pricer's paths per second over `paths` paths in 1024 chunks (best of RUNS, after a compile), and its price."""
    price(1024, 64)  # compiles
    s, p = best_of(price, paths, 1024)
    return paths / s, p


if __name__ == "__main__":
    print(json.dumps(run_numba_option() if "--numba-option" in sys.argv else run_numpy()))
