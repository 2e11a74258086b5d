#!/usr/bin/env python3
# Fits the polynomials of core's f32 erf/erfc/gamma/lgamma library
# (packages/core/src/legalize/erf-gamma-f32.ts and f32-kit.ts): weighted least
# squares on Chebyshev nodes at 40 digits (mpmath), each coefficient rounded to
# f32 in turn (lowest first) and the remaining ones refitted around it. Prints
# each table with its worst weighted error on a fine grid. Usage:
#   python3 scripts/fit-erf-gamma-f32.py [name ...]
import sys
import mpmath as mp
import numpy as np

mp.mp.dps = 40
def f32(v): return float(np.float32(float(v)))

def fit(f, lo, hi, deg, weight, n=260):
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    xs = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (k + 0.5) / n) for k in range(n)]
    ys = [f(x) for x in xs]
    ws = [weight(x, y) for x, y in zip(xs, ys)]
    c = []
    while len(c) <= deg:
        m = deg + 1 - len(c)
        A, b = mp.matrix(n, m), mp.matrix(n, 1)
        for i, x in enumerate(xs):
            for j in range(m): A[i, j] = x ** (j + len(c)) * ws[i]
            b[i] = (ys[i] - sum(mp.mpf(c[j]) * x ** j for j in range(len(c)))) * ws[i]
        c.append(f32(mp.qr_solve(A, b)[0][0]))
    grid = [lo + (hi - lo) * k / 2000 for k in range(2001)]
    err = max(abs((sum(mp.mpf(cj) * x ** j for j, cj in enumerate(c)) - f(x)) * weight(x, f(x))) for x in grid)
    return c, float(err)

absw = lambda x, y: 1
relw = lambda x, y: 1 / abs(y)
G = lambda a: mp.erfc(a) * mp.exp(a * a)             # erfcx
F = lambda u: G(1 / mp.sqrt(u)) / mp.sqrt(u)         # a erfcx(a), u = 1/a²
q2 = lambda s: (1 - mp.euler) if s == 0 else mp.loggamma(2 + s) / s
def r2(s): return (mp.zeta(2) - 1) / 2 if s == 0 else (q2(s) - (1 - mp.euler)) / s

TABLES = {
    'ERF_P': (lambda u: 2 / mp.sqrt(mp.pi) - 1 if u == 0 else mp.erf(mp.sqrt(u)) / mp.sqrt(u) - 1, 0, 1, 7, absw),
    'ERFCX_NEAR': (lambda v: G(1 + v), -0.5, 0.5, 9, relw),
    'ERFCX_FAR_1_4': (F, mp.mpf(1) / 16, 1 / mp.mpf(2.25), 10, relw),
    'ERFCX_FAR_4_10': (F, 1 / mp.mpf(10.25) ** 2, mp.mpf(1) / 16, 8, relw),
    'LGAMMA2_R': (r2, -1, 0.5, 13, lambda x, y: (abs(x) + 1e-3) / (abs(q2(x)) + 0.05)),
    'EXP_P': (lambda r: mp.mpf(0.5) if r == 0 else (mp.exp(r) - 1 - r) / r ** 2, -0.36, 0.36, 5, absw),
    'LOG_Q': (lambda u: mp.mpf(2) / 3 if u == 0 else (2 * mp.atanh(mp.sqrt(u)) - 2 * mp.sqrt(u)) / (mp.sqrt(u) * u), 0, 0.0295, 4, absw),
    'SINPI_R': (lambda u: mp.mpf(1) if u == 0 else mp.sin(mp.pi * mp.sqrt(u)) / (mp.pi * mp.sqrt(u)), 0, 0.25, 5, relw),
}

for name in sys.argv[1:] or TABLES:
    f, lo, hi, deg, w = TABLES[name]
    c, e = fit(f, lo, hi, deg, w)
    print(f'{name} (worst weighted error {e:.3g}): {c}')
