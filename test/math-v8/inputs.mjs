// Inputs for the f64 Math functions, shared by the measurement (measure.mjs) and the
// exact-bits tests: random over wide and narrow ranges, near 0, near multiples of π/2,
// huge, subnormal and special values. Deterministic (a seeded generator).

export const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1, -1, 2, -2, 0.5, -0.5, Number.MIN_VALUE, -Number.MIN_VALUE,
  2 ** -1022, -(2 ** -1022), 2 ** -1023 * 1.5, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300, 1e300, 2 ** -28, 2 ** -54, 3, 10, 100, 700, 710, -745, 1e-8];

/** The f64 whose high 32 bits are `hi` and low 32 bits zero. */
function fromHighWord(hi) {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi);
  return v.getFloat64(0);
}

/** Distance in units in the last place (0 for two NaNs; +0 vs -0 is Infinity). */
export function ulpDistance(a, b) {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return Object.is(a, b) ? 0 : Infinity;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const dv = new DataView(new ArrayBuffer(8));
  const ordered = (v) => { dv.setFloat64(0, v); const i = dv.getBigInt64(0); return i < 0n ? -(i & 0x7fffffffffffffffn) : i; };
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

/** A seeded uniform generator in [0, 1). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

/** Where each function's interesting inputs lie (narrow ranges), besides the shared wide ones. */
const NARROW = {
  exp: [[-1, 1], [-745.2, 709.8], [-0.36, 0.36]], expm1: [[-1, 1], [-40, 709.8], [-0.36, 0.36]],
  log: [[0.5, 2], [0.9, 1.1], [0, 1e6]], log1p: [[-0.9999, 1], [-0.3, 0.42], [0, 1e6]], log2: [[0.5, 2], [0, 1e6]], log10: [[0.5, 2], [0, 1e6]],
  sin: [[-7, 7], [-1e5, 1e5], [-0.8, 0.8]], cos: [[-7, 7], [-1e5, 1e5], [-0.8, 0.8]], tan: [[-7, 7], [-1e5, 1e5], [-0.8, 0.8]],
  asin: [[-1, 1], [-0.5, 0.5], [0.97, 1]], acos: [[-1, 1], [-0.5, 0.5], [0.97, 1]], atan: [[-3, 3], [-1e6, 1e6], [-0.5, 0.5]],
  sinh: [[-1, 1], [-30, 30], [-710.5, 710.5]], cosh: [[-1, 1], [-30, 30], [-710.5, 710.5]], tanh: [[-1, 1], [-30, 30], [-0.06, 0.06]],
  asinh: [[-2, 2], [-1e6, 1e6]], acosh: [[1, 2], [1, 1e6]], atanh: [[-1, 1], [-0.5, 0.5]],
  cbrt: [[-10, 10], [-1e6, 1e6]],
  atan2: [[-10, 10]], pow: [[0, 4]], hypot: [[-10, 10]],
};

/** A number spread over the whole f64 range (sign, exponent and mantissa uniform). */
function wide(r) {
  const e = Math.floor(r() * 2098) - 1074;
  const v = (1 + r()) * 2 ** e;
  return r() < 0.5 ? -v : v;
}

/** n inputs for `fn` (pairs for atan2, pow, hypot: [x[], y[]]). */
export function inputs(fn, n = 20000, seed = 1) {
  const r = rng(seed + fn.length * 7919 + fn.charCodeAt(0));
  const one = () => {
    const xs = [...SPECIAL];
    const near = (v) => { for (const k of [-2, -1, 0, 1, 2]) xs.push(v + k * Math.abs(v) * 2 ** -52); };
    const q = Math.floor(n / 8);
    for (let i = 0; i < q; i++) xs.push(wide(r));
    for (const [lo, hi] of NARROW[fn] ?? [[-10, 10]]) for (let i = 0; i < q; i++) xs.push(lo + (hi - lo) * r());
    for (let i = 0; i < q / 2; i++) xs.push((r() - 0.5) * 2 ** (-60 * r())); // near 0
    for (let i = 0; i < q / 4; i++) xs.push((r() - 0.5) * 2 ** -1020 * r()); // subnormal
    for (let i = 0; i < q / 4; i++) xs.push((r() - 0.5) * 2 ** (1024 * r())); // huge
    for (let k = -64; k <= 64; k++) near((k * Math.PI) / 4);
    for (const k of [1e3, 1e5, 1e6, 1e7, 1e9, 1e15]) near((k * Math.PI) / 2);
    for (let k = -30; k <= 30; k++) { near(k * Math.LN2); near((k + 0.5) * Math.LN2); }
    // fdlibm exp's range tests (high words 0x3fd62e43: k = 0 below, 0x3ff0a2b2: k = ±1 below)
    for (const hi of [0x3fd62e43, 0x3ff0a2b2]) for (const sign of [1, -1]) near(sign * fromHighWord(hi));
    // exp's scaling by 2^k at its ends: k = 1024 (y 2^1023, then 2) and k < -1021 (y 2^(k + 1000), then 2^-1000)
    for (let k = 1018; k <= 1024; k++) { near(k * Math.LN2); near((k - 0.5) * Math.LN2); near(-(k + 2) * Math.LN2); near(-(k + 2.5) * Math.LN2); }
    for (let i = 0; i < q / 40; i++) { xs.push(709.09 + 0.7 * r()); xs.push(-745.2 + 37 * r()); }
    // multiples of π/2 below 2^20 (the reduction's cancellation: fdlibm's second and third steps)
    for (let i = 0; i < q / 20; i++) near(Math.round(r() * 2 ** (20 * r())) * (Math.PI / 2));
    while (xs.length < n) xs.push(wide(r));
    return xs.slice(0, n);
  };
  if (fn === 'atan2' || fn === 'pow' || fn === 'hypot') {
    const a = one(), b = one();
    // shuffle b so specials meet every kind of partner
    for (let i = b.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [b[i], b[j]] = [b[j], b[i]]; }
    if (fn === 'pow') for (let i = 0; i < a.length; i += 3) b[i] = (r() - 0.5) * 20; // moderate exponents
    if (fn === 'pow') for (let i = 1; i < a.length; i += 3) a[i] = Math.abs(a[i]);
    if (fn === 'pow') powHardCases(a, b, r);
    // every pair of special values
    SPECIAL.forEach((u, i) => SPECIAL.forEach((v, j) => { const at = 2 * (i * SPECIAL.length + j) + 1; if (at < a.length) { a[at] = u; b[at] = v; } }));
    return [a, b];
  }
  return [one()];
}

/**
 * pow's hard cases, written over every 6th pair from the 5th on: results next to the overflow and
 * underflow thresholds (y log2 x near 1024 and -1075, subnormal results), x within 2^-20 of 1 with
 * |y| past 2^31 and 2^64, integral y (odd ones with negative x), subnormal x, huge and tiny y.
 */
function powHardCases(a, b, r) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const kinds = [
    () => { const x = 0.5 + 4 * r(); return [x, (pick([1024, -1022, -1074, -1075, 1023.9]) + (r() - 0.5) * 1e-6) / Math.log2(x)]; },
    () => [1 + (r() - 0.5) * 2 ** (-20 - 30 * r()), (r() < 0.5 ? -1 : 1) * 2 ** (31 + 40 * r())],
    () => [-(0.5 + 20 * r()), (r() < 0.5 ? -1 : 1) * (2 * Math.floor(r() * 300) + 1)],
    () => [-(0.5 + 20 * r()), (r() < 0.5 ? -1 : 1) * 2 * Math.floor(r() * 300)],
    () => [(r() < 0.5 ? -1 : 1) * r() * 2 ** -1022, (r() - 0.5) * 4],
    () => [1 + r() * 30, (r() < 0.5 ? -1 : 1) * Math.floor(r() * 60)],
    () => [r() * 4, (r() < 0.5 ? -1 : 1) * 2 ** (40 + 1000 * r())],
    () => [r() * 4, (r() - 0.5) * 2 ** (-60 * r())],
    () => [pick([2, 10, 0.5, 3, 7]), Math.floor((r() - 0.5) * 2200)],
  ];
  for (let i = 4; i < a.length; i += 6) [a[i], b[i]] = pick(kinds)(); // even places: the special pairs are at odd ones
}

export const F64_FNS = ['exp', 'log', 'sin', 'cos', 'pow', 'expm1', 'log1p', 'log2', 'log10', 'tan', 'asin', 'acos', 'atan', 'atan2',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'cbrt', 'hypot'];
