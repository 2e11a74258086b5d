"""The basket-option workload's reference price (bench/suite/kernels.mjs BASKET_PRICE): numpy's
Generator(Philox), f64, 2^27 paths, z = L n by the Cholesky factor as the kernel does,
vectorised in chunks (~15 s on one core).
  python3 bench/anchors/basket_reference.py
printed on 2026-12-02: price 7.28226 stderr 0.00093 (BASKET_PRICE, 7.2828 ± 0.0009, came from another seed)
"""
import math
import time

import numpy as np

# bench/suite/kernels.mjs BASKET
assets, spot, vol, rate, rho, strike = 4, 25.0, 0.2, 0.02, 0.5, 100.0
corr = np.full((assets, assets), rho)
np.fill_diagonal(corr, 1.0)
chol = np.linalg.cholesky(corr)
drift = rate - vol * vol / 2
rng = np.random.Generator(np.random.Philox(20261202))
n_total, chunk = 1 << 27, 1 << 20
s1 = s2 = 0.0
t0 = time.time()
for _ in range(n_total // chunk):
    z = rng.standard_normal((chunk, assets)) @ chol.T
    pay = np.maximum((spot * np.exp(drift + vol * z)).sum(axis=1) - strike, 0.0)
    s1 += pay.sum()
    s2 += (pay * pay).sum()
m = s1 / n_total
v = s2 / n_total - m * m
disc = math.exp(-rate)
print(f"price {disc * m:.5f} stderr {disc * math.sqrt(v / n_total):.5f} secs {time.time() - t0:.0f}")
