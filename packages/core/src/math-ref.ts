// Reference implementations of the cuda.* math functions JavaScript's Math
// lacks (erf, erfc, gamma, lgamma, remainder, nextafter, copysign, fma,
// ldexp, frexp). The simulator and constant folding run them (intrinsics.ts
// embeds each function's source), so they are the oracle every target is
// tested against. Each function is self-contained (no free names but Math,
// Number and typed arrays) because its source text is what gets embedded.
// Accuracy against a 40-digit reference is measured by
// test/math-ref-accuracy.test.ts and listed in docs/language.md.

/** erf(x) (complement false) or erfc(x) (complement true), f64. */
export function erfRef(x: number, complement: boolean): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  // Double-double helpers (Dekker; no fma in JS).
  const split = (v: number): [number, number] => { const t = 134217729 * v; const hi = t - (t - v); return [hi, v - hi]; };
  const twoProd = (p: number, q: number): [number, number] => {
    const r = p * q; const [ph, pl] = split(p); const [qh, ql] = split(q);
    return [r, ((ph * qh - r) + ph * ql + pl * qh) + pl * ql];
  };
  const twoSum = (p: number, q: number): [number, number] => { const s = p + q; const v = s - p; return [s, (p - (s - v)) + (q - v)]; };
  const ddAdd = (ah: number, al: number, bh: number, bl: number): [number, number] => {
    const [s, e] = twoSum(ah, bh); const t = e + al + bl; const h = s + t; return [h, t - (h - s)];
  };
  const ddMul = (ah: number, al: number, bh: number, bl: number): [number, number] => {
    const [p, e] = twoProd(ah, bh); const t = e + ah * bl + al * bh; const h = p + t; return [h, t - (h - p)];
  };
  const ddDiv1 = (ah: number, al: number, d: number): [number, number] => {
    const q = ah / d; const [p, pe] = twoProd(q, d); const r = ((ah - p) - pe + al) / d; const h = q + r; return [h, r - (h - q)];
  };
  // 2/sqrt(pi) as a double-double.
  const TWO_RSQRTPI_H = 1.1283791670955126, TWO_RSQRTPI_L = 1.533545961316588e-17;
  if (ax < 3.5) {
    // erf by its Taylor series sum_n (-1)^n x^(2n+1) / (n! (2n+1)) in double-double: for
    // |x| < 2.5 the terms cancel by at most ~7 bits, and erfc = 1 - erf keeps ~90 bits.
    if (ax < 1e-300) return complement ? 1 - x : x * TWO_RSQRTPI_H;
    const [x2h, x2l] = twoProd(ax, ax);
    let th = ax, tl = 0; // x^(2n+1) / n!
    let sh = ax, sl = 0;
    for (let n = 1; n < 80; n++) {
      [th, tl] = ddMul(th, tl, -x2h, -x2l);
      [th, tl] = ddDiv1(th, tl, n);
      const [qh, ql] = ddDiv1(th, tl, 2 * n + 1);
      [sh, sl] = ddAdd(sh, sl, qh, ql);
      if (Math.abs(qh) < 1e-34 * Math.abs(sh)) break;
    }
    [sh, sl] = ddMul(sh, sl, TWO_RSQRTPI_H, TWO_RSQRTPI_L);
    if (!complement) return x < 0 ? -(sh + sl) : sh + sl;
    const [rh, rl] = x < 0 ? ddAdd(1, 0, sh, sl) : ddAdd(1, 0, -sh, -sl);
    return rh + rl;
  }
  // |x| >= 3.5: erfc(|x|) = exp(-x^2) / sqrt(pi) / K(x), K the continued fraction
  // x + (1/2)/(x + 1/(x + (3/2)/(x + ...))) evaluated backwards (all terms positive).
  let e: number;
  if (ax > 27.3) e = 0;
  else {
    const depth = Math.ceil(40 + 1200 / (ax * ax));
    let k = ax;
    for (let j = depth; j >= 1; j--) k = ax + (j / 2) / k;
    // exp(-x^2) with x^2 = h + l exactly: exp(-h) (1 - l).
    const [h, l] = twoProd(ax, ax);
    const RSQRTPI = 0.5641895835477563;
    // Scaled by 2^64 so that results near the underflow threshold round once;
    // exp(-h) = exp(-h/2)^2 there, as exp(-h) itself would be subnormal.
    const eh = h > 700 ? (Math.exp(-h / 2) * 18446744073709551616) * Math.exp(-h / 2) : Math.exp(-h) * 18446744073709551616;
    e = (eh * (1 - l)) * (RSQRTPI / k) / 18446744073709551616;
  }
  if (complement) return x < 0 ? 2 - e : e;
  return x < 0 ? e - 1 : 1 - e;
}

/** Gamma(x) (log false) or log|Gamma(x)| (log true), f64. */
export function gammaRef(x: number, log: boolean): number {
  if (x !== x) return NaN;
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return log ? Infinity : NaN;
  if (x === 0) return log ? Infinity : 1 / x;
  if (x < 0 && Math.floor(x) === x) return log ? Infinity : NaN;
  const split = (v: number): [number, number] => { const t = 134217729 * v; const hi = t - (t - v); return [hi, v - hi]; };
  const twoProd = (p: number, q: number): [number, number] => {
    const r = p * q; const [ph, pl] = split(p); const [qh, ql] = split(q);
    return [r, ((ph * qh - r) + ph * ql + pl * qh) + pl * ql];
  };
  const ddMul1 = (ah: number, al: number, b: number): [number, number] => {
    const [p, e] = twoProd(ah, b); const t = e + al * b; const h = p + t; return [h, t - (h - p)];
  };
  // log Gamma(1 + t) = -gamma t + sum_k>=2 (-1)^k zeta(k)/k t^k, for |t| <= 0.5.
  const C = [-0.5772156649015329, 0.8224670334241132, -0.40068563438653143, 0.27058080842778454, -0.20738555102867398, 0.1695571769974082, -0.1440498967688461, 0.12550966952474304, -0.11133426586956469, 0.1000994575127818, -0.09095401714582904, 0.083353840546109, -0.0769325164113522, 0.07143294629536133, -0.06666870588242046, 0.06250095514121304, -0.058823978658684585, 0.055555767627403614, -0.05263167937961666, 0.05000004769810169, -0.047619070330142226, 0.04545455629320467, -0.04347826605304026, 0.04166666915034121, -0.04000000119214014, 0.03846153903467518, -0.037037037312989324, 0.035714285847333355, -0.034482758684919304, 0.03333333336437758, -0.03225806453115042, 0.03125000000727597, -0.030303030306558044, 0.029411764707594344, -0.02857142857226011, 0.027777777778181998, -0.027027027027223673, 0.02631578947377995, -0.025641025641072283, 0.025000000000022737, -0.024390243902450117, 0.023809523809529224, -0.023255813953491015, 0.02272727272727402, -0.022222222222222855, 0.021739130434782917, -0.021276595744681003, 0.02083333333333341, -0.02040816326530616, 0.020000000000000018, -0.019607843137254912, 0.019230769230769235, -0.01886792452830189, 0.01851851851851852, -0.01818181818181818, 0.017857142857142856, -0.017543859649122806, 0.017241379310344827, -0.01694915254237288, 0.016666666666666666, -0.01639344262295082, 0.016129032258064516, -0.015873015873015872];
  const L = (t: number): number => { let s = 0; for (let k = C.length - 1; k >= 0; k--) s = (s + C[k]) * t; return s; };
  const sinpi = (v: number): number => {
    let r = v - 2 * Math.round(v / 2); // exact, in [-1, 1]
    if (r > 0.5) r = 1 - r; else if (r < -0.5) r = -1 - r;
    return Math.sin(Math.PI * r);
  };
  if (log) {
    if (x > 0 && x < 0.5) return L(x) - Math.log(x);
    if (x >= 0.5 && x <= 1.5) return L(x - 1) + 0; // + 0: lgamma(1) is +0, as in C (L(0) is -0)
    if (x > 1.5 && x <= 2.5) return Math.log1p(x - 2) + L(x - 2);
    if (x > 170) {
      // Stirling: (x - 1/2) log x - x + log(2 pi)/2 + 1/(12x) - 1/(360x^3) + 1/(1260x^5).
      if (x > 1e17) return x * (Math.log(x) - 1);
      const r = 1 / x, r2 = r * r;
      return (x - 0.5) * Math.log(x) - x + 0.9189385332046728 + r * (1 / 12 - r2 * (1 / 360 - r2 / 1260));
    }
    if (x < -170) {
      // Gamma(x) Gamma(-x) = -pi / (x sin(pi x)), and -x is exact.
      if (x <= -4503599627370496) return Infinity;
      return Math.log(Math.PI / Math.abs(x * sinpi(x))) - gammaRef(-x, true);
    }
    if (x < 0 && x > -1e-300) return -Math.log(-x); // Gamma(x) ~ 1/x
    return Math.log(Math.abs(gammaRef(x, false)));
  }
  if (x > 171.62437695630272) return Infinity;
  // Gamma(x) = 1/x - gamma + O(x): below 1e-300 the rest is under 1e-300 of an ulp
  // (and the double-double steps below would overflow splitting 1/x).
  if (x < 0 && x > -1e-300) return 1 / x;
  if (x > 0 && x < 0.5) return Math.exp(L(x)) / x;
  if (x >= 0.5 && x <= 1.5) return Math.exp(L(x - 1));
  // Gamma(x) = Gamma(y) * prod (y + k) upwards, or Gamma(y) / prod (x + k) for x < 0.5,
  // with y in [0.5, 1.5]; x + k and y + k are exact, the product is double-double,
  // rescaled by 2^-600 when large so it cannot overflow.
  const n = x > 1.5 ? Math.floor(x - 0.5) : -Math.floor(x - 0.5);
  const y = x > 1.5 ? x - n : x + n;
  const g = Math.exp(L(y - 1));
  let ph = x > 1.5 ? g : 1, pl = 0, scale = 0;
  for (let k = 0; k < n; k++) {
    [ph, pl] = ddMul1(ph, pl, (x > 1.5 ? y : x) + k);
    if (Math.abs(ph) > 1e270) { ph *= 2 ** -600; pl *= 2 ** -600; scale += 600; }
  }
  if (x > 1.5) return (ph + pl) * 2 ** scale;
  // g / (ph + pl) with one correction step.
  const q = g / ph;
  const [m, me] = twoProd(q, ph);
  const q2 = q + ((g - m) - me - q * pl) / ph;
  return scale ? (q2 * 2 ** -(scale - 300)) * 2 ** -300 : q2;
}

/** IEEE remainder: x - n y with n the integer nearest x / y (ties to even); exact. */
export function remainderRef(x: number, y: number): number {
  if (x !== x || y !== y || !Number.isFinite(x) || y === 0) return NaN;
  if (!Number.isFinite(y)) return x;
  const ay = Math.abs(y);
  // x mod 2|y| is exact (JS %); then at most two exact subtractions (Sterbenz).
  let r = ay <= 8.98846567431158e307 ? Math.abs(x % (2 * ay)) : Math.abs(x);
  let odd = false;
  if (r >= ay) { r -= ay; odd = true; }
  if (2 * r > ay || (2 * r === ay && odd)) r -= ay;
  return x < 0 || 1 / x < 0 ? -r : r;
}

/** The next float after x toward y, in f64 (single false) or f32 (single true). */
export function nextafterRef(x: number, y: number, single: boolean): number {
  if (x !== x || y !== y) return NaN;
  if (x === y) return y;
  if (x === 0) return y > 0 ? (single ? 1.401298464324817e-45 : 5e-324) : (single ? -1.401298464324817e-45 : -5e-324);
  const step = (y > x) === (x > 0) ? 1 : -1;
  if (single) {
    const f = new Float32Array([x]), i = new Int32Array(f.buffer);
    i[0] += step;
    return f[0];
  }
  const f = new Float64Array([x]), i = new BigInt64Array(f.buffer);
  i[0] += BigInt(step);
  return f[0];
}

/** copysign(x, y): |x| with the sign of y as JS sees it (y < 0 or -0); a NaN y counts as positive. */
export function copysignRef(x: number, y: number): number {
  return y < 0 || (y === 0 && 1 / y < 0) ? -Math.abs(x) : Math.abs(x);
}

/** fma: a * b + c rounded once, to f64 (single false) or f32 (single true); exact via BigInt. */
export function fmaRef(a: number, b: number, c: number, single: boolean): number {
  if (a !== a || b !== b || c !== c) return NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) {
    const p = a * b; // Infinity, NaN (0 * Inf) or finite when only c is infinite
    return p + c;
  }
  if (a === 0 || b === 0 || c === 0) {
    const p = a * b; // exact when a or b is 0
    if (p === 0) return p + c; // IEEE's sign rules for zero sums
    if (c === 0) return single ? Math.fround(p) : p; // exact product (f32: 48 bits) rounded once
  }
  // a b + c = M 2^E exactly, then round to nearest even at the target's precision.
  const dec = (v: number): [bigint, number] => {
    const f = new Float64Array([v]), u = new BigUint64Array(f.buffer);
    const bits = u[0], ex = Number((bits >> 52n) & 0x7ffn);
    const mant = bits & 0xfffffffffffffn;
    const m = ex === 0 ? mant : mant | 0x10000000000000n;
    return [v < 0 ? -m : m, (ex === 0 ? 1 : ex) - 1075];
  };
  const [ma, ea] = dec(a), [mb, eb] = dec(b), [mc, ec] = dec(c);
  let mp = ma * mb, ep = ea + eb, mq = mc, eq = ec;
  const E = Math.min(ep, eq);
  mp <<= BigInt(ep - E); mq <<= BigInt(eq - E);
  const M = mp + mq;
  if (M === 0n) return 0; // exact cancellation of nonzero terms is +0
  const neg = M < 0n, A = neg ? -M : M;
  const prec = single ? 24 : 53, emin = single ? -149 : -1074;
  const q = Math.max(A.toString(2).length + E - prec, emin);
  let keep = A;
  if (q > E) {
    const sh = BigInt(q - E), rem = A & ((1n << sh) - 1n), half = 1n << (sh - 1n);
    keep = A >> sh;
    if (rem > half || (rem === half && (keep & 1n) === 1n)) keep += 1n;
  }
  const r = q > E ? Number(keep) * 2 ** q : Number(A) * 2 ** E;
  const out = single && r >= 2 ** 128 ? Infinity : r;
  return neg ? -out : out;
}

/** ldexp(x, n) = x 2^n rounded once, f64 (single false) or f32 (single true). */
export function ldexpRef(x: number, n: number, single: boolean): number {
  if (single) { const k = Math.max(-300, Math.min(300, n)); return Math.fround(x * 2 ** k); }
  let y = x, k = n;
  if (k > 1023) { y *= 2 ** 1023; k -= 1023; if (k > 1023) { y *= 2 ** 1023; k -= 1023; if (k > 1023) k = 1023; } }
  else if (k < -1022) {
    // Steps of 2^-969 keep y normal until the last multiplication, which rounds once.
    y *= 2 ** -969; k += 969;
    if (k < -1022) { y *= 2 ** -969; k += 969; if (k < -1022) k = -1022; }
  }
  return y * 2 ** k;
}

/** frexp's mantissa (exponent false: in [0.5, 1) with x's sign; x itself for 0, NaN, ±Infinity) or exponent (0 for those). */
export function frexpRef(x: number, exponent: boolean): number {
  if (x === 0 || !Number.isFinite(x)) return exponent ? 0 : x;
  let a = Math.abs(x), e = 0;
  if (a < 2.2250738585072014e-308) { a *= 18014398509481984; e = -54; } // 2^54: subnormals become normal
  let k = Math.floor(Math.log2(a));
  if (2 ** k > a) k--;
  else if (2 ** (k + 1) <= a) k++;
  if (exponent) return k + 1 + e;
  const m = a / 2 ** k / 2;
  return x < 0 ? -m : m;
}
