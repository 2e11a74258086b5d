// Math.sin and Math.cos in f64 as V8 computes them (its port of fdlibm: s_sin.c, s_cos.c,
// e_rem_pio2.c, k_rem_pio2.c, k_sin.c, k_cos.c), written from the published algorithms as IR
// over simple operations (f64-kit.ts), with fdlibm's constants and order of operations.
// Branch-free for |x| < 2^19 π ≈ 1.6e6 (fdlibm's small and medium reductions: π/2 in three
// 33-bit parts, a second and third step where the first cancels); beyond, fdlibm reduces with
// the digits of 2/π (fdlibm-rem-pio2-huge.ts: statements under an `if` on that range only),
// and the same kernels finish: every finite argument gets V8's bits.

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';

const S = [fromWords(0xbfc55555, 0x55555549), fromWords(0x3f811111, 0x1110f8a6), fromWords(0xbf2a01a0, 0x19c161d5),
  fromWords(0x3ec71de3, 0x57b1fe7d), fromWords(0xbe5ae5e6, 0x8a2b9ceb), fromWords(0x3de5d93a, 0x5acfd57c)];
const C = [fromWords(0x3fa55555, 0x5555554c), fromWords(0xbf56c16c, 0x16c15177), fromWords(0x3efa01a0, 0x19cb1590),
  fromWords(0xbe927e4f, 0x809c52ad), fromWords(0x3e21ee9e, 0xbdb4b1c4), fromWords(0xbda8fae9, 0xbe8838d4)];
const INV_PIO2 = fromWords(0x3fe45f30, 0x6dc9c883);
/** π/2 as PIO2_1 + PIO2_2 + PIO2_3 (33 bits each) and the tails PIO2_nT = π/2 - (PIO2_1 + … + PIO2_n). */
const PIO2_1 = fromWords(0x3ff921fb, 0x54400000), PIO2_1T = fromWords(0x3dd0b461, 0x1a626331);
const PIO2_2 = fromWords(0x3dd0b461, 0x1a600000), PIO2_2T = fromWords(0x3ba3198a, 0x2e037073);
const PIO2_3 = fromWords(0x3ba3198a, 0x2e000000), PIO2_3T = fromWords(0x397b839a, 0x252049c1);
/** fdlibm's high-word thresholds as |x| bounds: below (the high word is at most the one named). */
const PIO4_END = fromWords(0x3fe921fc), THREE_PIO4 = fromWords(0x4002d97c), MEDIUM_END = fromWords(0x413921fc);
const PIO2_HW = fromWords(0x3ff921fb), PIO2_HW_END = fromWords(0x3ff921fc);
const TINY = fromWords(0x3e400000), COS_MID = fromWords(0x3fd33333), COS_QX_FIXED = fromWords(0x3fe90001);

export function fdlibmTrig(F: F64, fn: 'sin' | 'cos', x: Expr): Expr {
  const t = F.abs(x);
  const small = (): Expr => F.lt(t, F.k(PIO4_END));
  const { y0, y1, q } = reduce(F, x, t);
  const X = F.sel(small(), x, y0), Y = F.sel(small(), F.k(0), y1);
  const z = F.mul(X, X);
  // __kernel_sin(X, Y, iy): iy = 0 (|x| ≤ π/4, Y = 0) and iy = 1 (reduced) round differently.
  const v = F.mul(z, X);
  const r = F.add(F.k(S[1]), F.mul(z, F.horner(S.slice(2), z)));
  const sinReduced = F.sub(X, F.sub(F.sub(F.mul(z, F.sub(F.mul(F.k(0.5), Y), F.mul(v, r))), Y), F.mul(v, F.k(S[0]))));
  const sinPlain = F.add(X, F.mul(v, F.add(F.k(S[0]), F.mul(z, r))));
  const aX = F.abs(X);
  const tiny = (): Expr => F.lt(aX, F.k(TINY));
  const ksin = F.sel(tiny(), X, F.sel(small(), sinPlain, sinReduced));
  // __kernel_cos(X, Y).
  const rc = F.mul(z, F.horner(C, z));
  const zrxy = F.sub(F.mul(z, rc), F.mul(X, Y));
  const cosNear = F.sub(F.k(1), F.sub(F.mul(F.k(0.5), z), zrxy));
  // qx: |X|/4 with its low word cleared (X in [0.3, 0.78]: exponent -2 or -1), or 0.28125.
  const scale = F.sel(F.lt(aX, F.k(0.5)), F.k(2 ** 22), F.k(2 ** 21));
  const qx = F.sel(F.lt(aX, F.k(COS_QX_FIXED)), F.div(F.floor(F.mul(aX, scale)), F.mul(scale, F.k(4))), F.k(0.28125));
  const cosFar = F.sub(F.sub(F.k(1), qx), F.sub(F.sub(F.mul(F.k(0.5), z), qx), zrxy));
  const kcos = F.sel(tiny(), F.k(1), F.sel(F.lt(aX, F.k(COS_MID)), cosNear, cosFar));
  // The quadrant: sin is ksin, kcos, -ksin, -kcos for q = 0..3; cos is one quadrant on.
  const qq = fn === 'sin' ? q : F.sel(F.eq(q, F.k(3)), F.k(0), F.add(q, F.k(1)));
  const odd = F.sub(qq, F.mul(F.floor(F.mul(qq, F.k(0.5))), F.k(2)));
  const base = F.sel(F.eq(odd, F.k(1)), kcos, ksin);
  const signed = F.sel(F.lt(qq, F.k(2)), base, F.neg(base));
  const reduced = F.sel(small(), fn === 'sin' ? ksin : kcos, signed);
  // ±Infinity and NaN: NaN (x - x).
  return F.sel(F.lt(t, F.k(Infinity)), reduced, F.sub(x, x));
}

/** __ieee754_rem_pio2 for π/4 < |x| < ∞: the medium reduction, or the huge one beyond 2^19 π. */
function reduce(F: F64, x: Expr, t: Expr): { y0: Expr; y1: Expr; q: Expr } {
  const medium = remPio2(F, x, t);
  const huge = F.hugeRemPio2(x, MEDIUM_END);
  const far = (): Expr => F.le(F.k(MEDIUM_END), t);
  // q = n mod 4 (n in [-7, 7])
  const hq = F.sub(huge.n, F.mul(F.floor(F.mul(huge.n, F.k(0.25))), F.k(4)));
  return { y0: F.sel(far(), huge.y0, medium.y0), y1: F.sel(far(), huge.y1, medium.y1), q: F.sel(far(), hq, medium.q) };
}

/**
 * __ieee754_rem_pio2 for π/4 < |x| < 2^19 π: x = n π/2 + y0 + y1, q = n mod 4 (garbage
 * elsewhere; callers select). Computed on t = |x| and negated for x < 0, as fdlibm does.
 */
function remPio2(F: F64, x: Expr, t: Expr): { y0: Expr; y1: Expr; q: Expr } {
  // |x| < 3π/4: n = 1, with π/2 in 33 + 53 bits, or 33 + 33 + 53 next to π/2 itself.
  const z1 = F.sub(t, F.k(PIO2_1));
  const atPio2 = F.flagBoth(F.le(F.k(PIO2_HW), t), F.lt(t, F.k(PIO2_HW_END)));
  const z2 = F.sel(F.on(atPio2), F.sub(z1, F.k(PIO2_2)), z1);
  const tail = F.sel(F.on(atPio2), F.k(PIO2_2T), F.k(PIO2_1T));
  const a0 = F.sub(z2, tail), a1 = F.sub(F.sub(z2, a0), tail);
  // Medium: n = round(t 2/π); r - w with w = n PIO2_1T; a second step (PIO2_2) when y0 lost more
  // than 16 bits to cancellation, a third (PIO2_3) beyond 49; fdlibm skips the test for n < 32
  // unless t's high word is that of n π/2.
  const fn = F.trunc(F.add(F.mul(t, F.k(INV_PIO2)), F.k(0.5)));
  const r1 = F.sub(t, F.mul(fn, F.k(PIO2_1)));
  const w1 = F.mul(fn, F.k(PIO2_1T));
  const y0a = F.sub(r1, w1);
  const j = F.expField(t);
  const quick = F.flagBoth(F.lt(fn, F.k(32)), F.highWordsDiffer(t, F.mul(fn, F.k(Math.PI / 2))));
  const second = F.flagBoth(F.off(quick), F.fieldGapOver(j, F.expField(y0a), 16));
  const w2a = F.mul(fn, F.k(PIO2_2));
  const r2 = F.sub(r1, w2a);
  const w2 = F.sub(F.mul(fn, F.k(PIO2_2T)), F.sub(F.sub(r1, r2), w2a));
  const y0b = F.sub(r2, w2);
  const third = F.flagBoth(F.on(second), F.fieldGapOver(j, F.expField(y0b), 49));
  const w3a = F.mul(fn, F.k(PIO2_3));
  const r3 = F.sub(r2, w3a);
  const w3 = F.sub(F.mul(fn, F.k(PIO2_3T)), F.sub(F.sub(r2, r3), w3a));
  const y0c = F.sub(r3, w3);
  const r = F.sel(F.on(third), r3, F.sel(F.on(second), r2, r1)), w = F.sel(F.on(third), w3, F.sel(F.on(second), w2, w1));
  const m0 = F.sel(F.on(third), y0c, F.sel(F.on(second), y0b, y0a));
  const m1 = F.sub(F.sub(r, m0), w);
  const lowN = (): Expr => F.lt(t, F.k(THREE_PIO4));
  const n = F.sel(lowN(), F.k(1), fn);
  const p0 = F.sel(lowN(), a0, m0), p1 = F.sel(lowN(), a1, m1);
  const neg = (): Expr => F.lt(x, F.k(0));
  // q = (±n) mod 4
  const n4 = F.sub(n, F.mul(F.floor(F.mul(n, F.k(0.25))), F.k(4)));
  const q = F.sel(neg(), F.sel(F.eq(n4, F.k(0)), F.k(0), F.sub(F.k(4), n4)), n4);
  return { y0: F.sel(neg(), F.neg(p0), p0), y1: F.sel(neg(), F.neg(p1), p1), q };
}

const T = [fromWords(0x3fd55555, 0x55555563), fromWords(0x3fc11111, 0x1110fe7a), fromWords(0x3faba1ba, 0x1bb341fe),
  fromWords(0x3f9664f4, 0x8406d637), fromWords(0x3f8226e3, 0xe96e8493), fromWords(0x3f6d6d22, 0xc9560328),
  fromWords(0x3f57dbc8, 0xfee08315), fromWords(0x3f4344d8, 0xf2f26501), fromWords(0x3f3026f7, 0x1a8d1068),
  fromWords(0x3f147e88, 0xa03792a6), fromWords(0x3f12b80f, 0x32f0a7e9), fromWords(0xbef375cb, 0xdb605373),
  fromWords(0x3efb2a70, 0x74bf7ad4)];
const PIO4 = fromWords(0x3fe921fb, 0x54442d18), PIO4_LO = fromWords(0x3c81a626, 0x33145c07);
const TAN_FAR = fromWords(0x3fe59428), TAN_TINY = fromWords(0x3e300000);

/**
 * Math.tan (s_tan.c, k_tan.c): the reduced argument's tangent (iy = 1, n even) or -1/tan
 * (iy = -1), near π/4 through tan(π/4 - x); -1/w computed from w's high part as fdlibm does.
 */
export function fdlibmTan(F: F64, x: Expr): Expr {
  const t = F.abs(x);
  const small = (): Expr => F.lt(t, F.k(PIO4_END));
  const { y0, y1, q } = reduce(F, x, t);
  const X = F.sel(small(), x, y0), Y = F.sel(small(), F.k(0), y1);
  const iy = F.sel(small(), F.k(1), F.sel(F.eq(F.sub(q, F.mul(F.floor(F.mul(q, F.k(0.5))), F.k(2))), F.k(1)), F.k(-1), F.k(1)));
  const aX = F.abs(X);
  const nearPio4 = (): Expr => F.le(F.k(TAN_FAR), aX);
  const negX = (): Expr => F.lt(X, F.k(0));
  // near π/4: x = (π/4 - |x|) + (π/4_lo - ±y), y = 0
  const xs = F.sel(negX(), F.neg(X), X), ys = F.sel(negX(), F.neg(Y), Y);
  const x1 = F.sel(nearPio4(), F.add(F.sub(F.k(PIO4), xs), F.sub(F.k(PIO4_LO), ys)), X);
  const yy = F.sel(nearPio4(), F.k(0), Y);
  const z = F.mul(x1, x1), w = F.mul(z, z);
  const r0 = F.horner([T[1], T[3], T[5], T[7], T[9], T[11]], w);
  const v = F.mul(z, F.horner([T[2], T[4], T[6], T[8], T[10], T[12]], w));
  const s = F.mul(z, x1);
  const r = F.add(F.add(yy, F.mul(z, F.add(F.mul(s, F.add(r0, v)), yy))), F.mul(F.k(T[0]), s));
  const ww = F.add(x1, r);
  const far = F.mul(F.sel(negX(), F.k(-1), F.k(1)), F.sub(iy, F.mul(F.k(2), F.sub(x1, F.sub(F.div(F.mul(ww, ww), F.add(ww, iy)), r)))));
  /** -1/(a + b) accurately, with w = a + b: from w's and -1/w's high parts. */
  const negRecip = (wv: Expr, a: Expr, b: Expr): Expr => {
    const zh = F.clearLow(wv);
    const vv = F.sub(b, F.sub(zh, a));
    const aa = F.div(F.k(-1), wv);
    const th = F.clearLow(aa);
    return F.add(th, F.mul(aa, F.add(F.add(F.k(1), F.mul(th, zh)), F.mul(th, vv))));
  };
  const plain = F.sel(F.eq(iy, F.k(1)), ww, negRecip(F.sel(F.eq(ww, F.k(0)), F.k(1), ww), x1, r));
  const wt = F.add(X, Y);
  const tiny = F.sel(F.eq(X, F.k(0)), F.sel(F.eq(iy, F.k(-1)), F.div(F.k(1), aX), X),
    F.sel(F.eq(iy, F.k(1)), X, negRecip(F.sel(F.eq(wt, F.k(0)), F.k(1), wt), X, Y)));
  const ktan = F.sel(F.lt(aX, F.k(TAN_TINY)), tiny, F.sel(nearPio4(), far, plain));
  return F.sel(F.lt(t, F.k(Infinity)), ktan, F.sub(x, x));
}
