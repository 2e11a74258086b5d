"""Reference prices of the bench's basket and barrier workloads (bench/suite/kernels.mjs
BASKET_PRICE, BARRIER_PRICE): numpy's Generator(Philox), f64, vectorised in chunks, on
random_anchor.py's BASKET and BARRIER markets.

  python3 bench/anchors/reference_prices.py basket    2^27 paths, z = L n as the kernel does (~15 s on one core)
  python3 bench/anchors/reference_prices.py barrier   2^26 paths of 64 monitored steps (~3.5 min)

printed on 2026-12-02: basket price 7.28226 stderr 0.00093 (BASKET_PRICE, 7.2828 ± 0.0009, came
from another seed); barrier price 2.42346 stderr 0.00062 knocked 0.2355
"""
import math
import sys
import time

import numpy as np

from random_anchor import BARRIER, BASKET, barrier_step, basket_cholesky


def basket_chunk(rng, n):
    """n paths' payoffs of the basket call (none knocked out)."""
    spot, vol, rate, strike = (BASKET[k] for k in ("spot", "vol", "rate", "strike"))
    z = rng.standard_normal((n, BASKET["assets"])) @ basket_cholesky().T
    return np.maximum((spot * np.exp(rate - vol * vol / 2 + vol * z)).sum(axis=1) - strike, 0.0), 0


def barrier_chunk(rng, n):
    """n paths' payoffs of the up-and-out call, and how many were knocked out."""
    drift, vol = barrier_step()
    x = np.cumsum(drift + vol * rng.standard_normal((n, BARRIER["steps"])), axis=1)
    alive = x.max(axis=1) < math.log(BARRIER["barrier"] / BARRIER["spot"])
    return np.where(alive, np.maximum(BARRIER["spot"] * np.exp(x[:, -1]) - BARRIER["strike"], 0.0), 0.0), (~alive).sum()


def reference(chunk_payoffs, n_total, chunk, rate):
    """The discounted mean payoff over n_total paths, its standard error, and the fraction knocked out."""
    rng = np.random.Generator(np.random.Philox(20261202))
    s1 = s2 = 0.0
    knocked = 0
    for _ in range(n_total // chunk):
        pay, k = chunk_payoffs(rng, chunk)
        s1 += pay.sum()
        s2 += (pay * pay).sum()
        knocked += k
    m = s1 / n_total
    v = s2 / n_total - m * m
    disc = math.exp(-rate)
    return disc * m, disc * math.sqrt(v / n_total), knocked / n_total


if __name__ == "__main__":
    t0 = time.time()
    if sys.argv[1:] == ["basket"]:
        price, stderr, _ = reference(basket_chunk, 1 << 27, 1 << 20, BASKET["rate"])
        print(f"price {price:.5f} stderr {stderr:.5f} secs {time.time() - t0:.0f}")
    elif sys.argv[1:] == ["barrier"]:
        price, stderr, knocked = reference(barrier_chunk, 1 << 26, 1 << 19, BARRIER["rate"])
        print(f"price {price:.5f} stderr {stderr:.5f} knocked {knocked:.4f} secs {time.time() - t0:.0f}")
    else:
        sys.exit("usage: python3 reference_prices.py basket|barrier")
