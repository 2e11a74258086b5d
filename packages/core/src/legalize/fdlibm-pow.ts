// Math.pow in f64 as V8 computes it (its port of fdlibm's e_pow.c, with JS's answers for a NaN
// exponent and for (±1) ** ±Infinity: NaN), written from the published algorithm as IR over
// simple operations (f64-kit.ts). log2|x| is carried as t1 + t2 (t1 with 21 significant bits
// at most, cleared low words), y as y1 + (y - y1), their product as p_h + p_l, then
// 2^(p_h + p_l) = 2^n e^r. Branch-free: each of fdlibm's early returns is a select over the
// general result, in fdlibm's order (the earliest return is the outermost select).

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';

/** (3/2)(log(x) - 2s - 2s³/3) ≈ s⁴ (L1 + s²(L2 + …)), s = (x - 1)/(x + 1). */
const L = [fromWords(0x3fe33333, 0x33333303), fromWords(0x3fdb6db6, 0xdb6fabff), fromWords(0x3fd55555, 0x518f264d),
  fromWords(0x3fd17460, 0xa91d4101), fromWords(0x3fcd864a, 0x93c9db65), fromWords(0x3fca7e28, 0x4a454eef)];
/** e^r's rational form, as in exp. */
const P = [fromWords(0x3fc55555, 0x5555553e), fromWords(0xbf66c16c, 0x16bebd93), fromWords(0x3f11566a, 0xaf25de2c),
  fromWords(0xbebbbd41, 0xc5d26bf1), fromWords(0x3e663769, 0x72bea4d0)];
const LG2 = fromWords(0x3fe62e42, 0xfefa39ef), LG2_H = fromWords(0x3fe62e43), LG2_L = fromWords(0xbe205c61, 0x0ca86c39);
/** -(1024 - log2(overflow threshold + ½ ulp)). */
const OVT = 8.0085662595372944372e-17;
/** 2/(3 ln 2), in full and as 24 + 53 bits. */
const CP = fromWords(0x3feec709, 0xdc3a03fd), CP_H = fromWords(0x3feec709, 0xe0000000), CP_L = fromWords(0xbe3e2fe0, 0x145b01f5);
/** 1/ln 2 in full and as 24 + 53 bits. */
const IVLN2 = fromWords(0x3ff71547, 0x652b82fe), IVLN2_H = fromWords(0x3ff71547, 0x60000000), IVLN2_L = fromWords(0x3e54ae0b, 0xf85ddf44);
/** log2(1.5) in two parts (k = 1, x reduced against 1.5). */
const DP_H = fromWords(0x3fe2b803, 0x40000000), DP_L = fromWords(0x3e4cfdeb, 0x43cfd006);
/** fdlibm's high-word tests as |x|, |y| bounds: |y| > 2^31, |y| > 2^64, |x| within 2^-20 of 1, |z| > 1/2. */
const Y_2P31 = fromWords(0x41e00001), Y_2P64 = fromWords(0x43f00001), X_BELOW1 = fromWords(0x3fefffff), X_ABOVE1 = fromWords(0x3ff00001);
const Z_HALF = fromWords(0x3fe00001);

export function pow(F: F64, x: Expr, y: Expr): Expr {
  const ax = F.abs(x), ay = F.abs(y);
  // yisint for x < 0: 0 not an integer, 1 odd, 2 even (every |y| ≥ 2^53 is even)
  const yInt = F.flagBoth(F.eq(F.floor(ay), ay), F.lt(ay, F.k(Infinity)));
  const yOdd = F.flagBoth(F.lt(ay, F.k(2 ** 53)), F.eq(F.sub(ay, F.mul(F.floor(F.mul(ay, F.k(0.5))), F.k(2))), F.k(1)));
  const yisint = F.sel(F.lt(ay, F.k(Infinity)), F.sel(F.on(yInt), F.sel(F.on(yOdd), F.k(1), F.k(2)), F.k(0)), F.k(2));
  const s = F.sel(F.lt(x, F.k(0)), F.sel(F.eq(yisint, F.k(1)), F.k(-1), F.k(1)), F.k(1));

  // log2|x| = t1 + t2: near 1 (only reached for |y| > 2^31) from log's series, else the full reduction
  const hugeY = F.keep(F.le(F.k(Y_2P31), ay));
  const near = nearOneLog2(F, ax);
  const full = log2Full(F, ax);
  const t1 = F.sel(hugeY, near.t1, full.t1), t2 = F.sel(hugeY, near.t2, full.t2);

  // y t = p_h + p_l, y split as y1 + (y - y1)
  const y1 = F.clearLow(y);
  const pl = F.add(F.mul(F.sub(y, y1), t1), F.mul(y, t2));
  const ph = F.mul(y1, t1);
  const z = F.add(pl, ph);
  const over = F.sel(F.lt(F.k(1024), z), F.k(1), F.selBoth(F.eq(z, F.k(1024)), F.lt(F.sub(z, ph), F.add(pl, F.k(OVT))), F.k(1), F.k(0)));
  const under = F.sel(F.lt(z, F.k(-1075)), F.k(1), F.selBoth(F.eq(z, F.k(-1075)), F.le(pl, F.sub(z, ph)), F.k(1), F.k(0)));
  // n = [z + ½] (|z| > ½), taken out of p_h
  const az = F.abs(z);
  const nMag = F.sel(F.le(F.k(Z_HALF), az), F.trunc(F.add(az, F.k(0.5))), F.k(0));
  const n = F.sel(F.lt(z, F.k(0)), F.neg(nMag), nMag);
  const ph2 = F.sub(ph, n);
  const t = F.clearLow(F.add(pl, ph2));
  const u = F.mul(t, F.k(LG2_H));
  const v = F.add(F.mul(F.sub(pl, F.sub(t, ph2)), F.k(LG2)), F.mul(t, F.k(LG2_L)));
  const zz = F.add(u, v);
  const w = F.sub(v, F.sub(zz, u));
  const tt = F.mul(zz, zz);
  const c = F.sub(zz, F.mul(tt, F.horner(P, tt)));
  // V8 groups fdlibm's r = z c/(c - 2) - (w + z w) as z c/((c - 2) - (w + z w)) (its compiled pow, measured)
  const r = F.div(F.mul(zz, c), F.sub(F.sub(c, F.k(2)), F.add(w, F.mul(zz, w))));
  const e = F.sub(F.k(1), F.sub(r, zz));
  // e 2^n, n in [-1075, 1024], rounded once (scalbn for a subnormal result)
  const low = F.keep(F.lt(n, F.k(-1021)));
  const twoPn = F.pow2(F.sel(low, F.add(n, F.k(64)), F.sel(F.lt(n, F.k(1024)), n, F.k(1023))));
  const scaled = F.mul(F.mul(F.mul(e, F.sel(F.eq(n, F.k(1024)), F.k(2), F.k(1))), twoPn), F.sel(low, F.k(2 ** -64), F.k(1)));
  const general = F.sel(F.on(over), F.mul(s, F.k(Infinity)), F.sel(F.on(under), F.mul(s, F.k(0)), F.mul(s, scaled)));

  // |y| > 2^31: over/underflow unless |x| is within 2^-20 of 1 (then the series above); |y| > 2^64: always
  const yPos = (): Expr => F.lt(F.k(0), y), yNeg = (): Expr => F.lt(y, F.k(0));
  const huge = F.sel(F.le(F.k(Y_2P64), ay),
    F.sel(F.lt(ax, F.k(1)), F.sel(yNeg(), F.k(Infinity), F.k(0)), F.sel(yPos(), F.k(Infinity), F.k(0))),
    F.sel(F.lt(ax, F.k(X_BELOW1)), F.sel(yNeg(), F.mul(s, F.k(Infinity)), F.mul(s, F.k(0))),
      F.sel(F.le(F.k(X_ABOVE1), ax), F.sel(yPos(), F.mul(s, F.k(Infinity)), F.mul(s, F.k(0))), general)));
  const finite = F.sel(hugeY, huge, general);
  // (x < 0) ** non-integer: NaN
  const real = F.selBoth(F.lt(x, F.k(0)), F.eq(yisint, F.k(0)), F.k(NaN), finite);
  // x = ±0, ±Infinity, ±1: |x| or 1/|x|, negated for x < 0 (-0 too) and odd y; (-1) ** non-integer is NaN
  const zx = F.sel(yNeg(), F.div(F.k(1), ax), ax);
  const specialX = F.sel(F.signBit(x), F.sel(F.eq(ax, F.k(1)), F.sel(F.eq(yisint, F.k(0)), F.k(NaN), F.sel(F.eq(yisint, F.k(1)), F.neg(zx), zx)),
    F.sel(F.eq(yisint, F.k(1)), F.neg(zx), zx)), zx);
  const xKind = F.selEither(F.eq(ax, F.k(0)), F.eq(ax, F.k(Infinity)), F.k(1), F.sel(F.eq(ax, F.k(1)), F.k(1), F.k(0)));
  const byX = F.sel(F.on(xKind), specialX, real);
  // y = ±Infinity, ±1, 2, ½ (x > 0: sqrt)
  const infY = F.sel(F.eq(ax, F.k(1)), F.k(NaN), F.sel(F.lt(F.k(1), ax), F.sel(yPos(), F.k(Infinity), F.k(0)), F.sel(yNeg(), F.k(Infinity), F.k(0))));
  const byY = F.sel(F.eq(ay, F.k(Infinity)), infY, F.sel(F.eq(y, F.k(1)), x, F.sel(F.eq(y, F.k(-1)), F.div(F.k(1), x),
    F.sel(F.eq(y, F.k(2)), F.mul(x, x), F.selBoth(F.eq(y, F.k(0.5)), F.lt(F.k(0), x), F.sqrt(x), byX)))));
  // y = ±0: 1 (even for a NaN x); else a NaN operand: NaN
  return F.sel(F.eq(y, F.k(0)), F.k(1), F.selEither(F.isNaN(x), F.isNaN(y), F.k(NaN), byY));
}

/** log2(ax) as t1 + t2 for |ax - 1| ≤ 2^-20: (t - t²/2 + t³/3 - t⁴/4)/ln 2, t = ax - 1. */
function nearOneLog2(F: F64, ax: Expr): { t1: Expr; t2: Expr } {
  const t = F.sub(ax, F.k(1));
  const w = F.mul(F.mul(t, t), F.sub(F.k(0.5), F.mul(t, F.sub(F.k(0.3333333333333333333333), F.mul(t, F.k(0.25))))));
  const u = F.mul(F.k(IVLN2_H), t);
  const v = F.sub(F.mul(t, F.k(IVLN2_L)), F.mul(w, F.k(IVLN2)));
  const t1 = F.clearLow(F.add(u, v));
  return { t1, t2: F.sub(v, F.sub(t1, u)) };
}

/**
 * log2(ax) as t1 + t2: ax = 2^n m (subnormals scaled by 2^53 first), m reduced against 1 or
 * 1.5 (k = 0, 1; m ≥ √3 is taken as m/2, one exponent up), log m from s = (m - b)/(m + b).
 */
function log2Full(F: F64, ax: Expr): { t1: Expr; t2: Expr } {
  const sub = F.keep(F.lt(ax, F.k(2 ** -1022)));
  const { e, m, top20 } = F.decompose(F.sel(sub, F.mul(ax, F.k(2 ** 53)), ax));
  const mid = F.flagBoth(F.lt(F.k(0x3988e), top20), F.lt(top20, F.k(0xbb67a))); // k = 1
  const top = F.keep(F.le(F.k(0xbb67a), top20));
  const n = F.add(F.add(e, F.sel(sub, F.k(-53), F.k(0))), F.sel(top, F.k(1), F.k(0)));
  const a = F.sel(top, F.mul(m, F.k(0.5)), m);
  const bp = F.sel(F.on(mid), F.k(1.5), F.k(1));
  const u = F.sub(a, bp);
  const v = F.div(F.k(1), F.add(a, bp));
  const ss = F.mul(u, v);
  const sh = F.clearLow(ss);
  // a + bp's high part: the double whose high word is ((ix >> 1) | 0x20000000) + 0x80000 + (k << 18)
  const half = F.floor(F.mul(top20, F.k(0.5)));
  const th = F.sel(top, F.add(F.k(1.5), F.mul(half, F.k(2 ** -20))), F.add(F.sel(F.on(mid), F.k(2.5), F.k(2)), F.mul(half, F.k(2 ** -19))));
  const tl = F.sub(a, F.sub(th, bp));
  const sl = F.mul(v, F.sub(F.sub(u, F.mul(sh, th)), F.mul(sh, tl)));
  const s2 = F.mul(ss, ss);
  const r = F.add(F.mul(F.mul(s2, s2), F.horner(L, s2)), F.mul(sl, F.add(sh, ss)));
  const s2h = F.mul(sh, sh);
  const th2 = F.clearLow(F.add(F.add(F.k(3), s2h), r));
  const tl2 = F.sub(r, F.sub(F.sub(th2, F.k(3)), s2h));
  const u2 = F.mul(sh, th2);
  const v2 = F.add(F.mul(sl, th2), F.mul(tl2, ss));
  const ph = F.clearLow(F.add(u2, v2));
  const pl = F.sub(v2, F.sub(ph, u2));
  const zh = F.mul(F.k(CP_H), ph);
  const zl = F.add(F.add(F.mul(F.k(CP_L), ph), F.mul(pl, F.k(CP))), F.sel(F.on(mid), F.k(DP_L), F.k(0)));
  const dph = F.sel(F.on(mid), F.k(DP_H), F.k(0));
  const t1 = F.clearLow(F.add(F.add(F.add(zh, zl), dph), n));
  return { t1, t2: F.sub(zl, F.sub(F.sub(F.sub(t1, n), dph), zh)) };
}
