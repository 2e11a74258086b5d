// fdlibm's reduction of a huge argument (|x| ≥ 2^19 π) by π/2, as V8 runs it (e_rem_pio2.c's
// last case and k_rem_pio2.c with prec = 2), written from the method as IR statements: x's 53
// bits as three 24-bit digits times the 24-bit digits of 2/π from the one window the exponent
// selects (a const array), the product's digits distilled from the last up (all exact in f64),
// the integer part n and the fraction (taken as 1 - fraction when that is above 1/2), more
// digits of 2/π when the leading ones cancel (the recompute loop), then the fraction times
// π/2 in 24-bit parts, summed in fdlibm's order into y0 + y1. The statements run under an
// `if` on the huge range only; the caller selects their y0, y1, n there.

import type { ArrayRef, Expr, Stmt } from '../ir/nodes.js';
import type { RewriteContext } from './rewrite.js';
import type { Build } from './build.js';
import type { ScalarType } from '../types.js';

/** 2/π in 24-bit digits (fdlibm's two_over_pi: 66 digits, 1584 bits), and π/2 in 24-bit parts (PIo2). */
export const { TWO_OVER_PI, PIO2_PARTS } = piDigits();

/** Digit arrays: fdlibm's 20 (the recompute adds at most a few digits to the first 5). */
const DIGITS = 20;

export interface HugeReduction { y0: Expr; y1: Expr; n: Expr }

/**
 * Emits (through cx.before) `if (2^19 π ≤ |x| < ∞) { … }` computing x = n π/2 + y0 + y1 with
 * n in [-7, 7] (fdlibm returns ±(n mod 8)); returns fresh reads of the three locals.
 */
export function hugeRemPio2(B: Build, cx: RewriteContext, leaf: Expr, lowEnd: number): HugeReduction {
  const x = (): Expr => ({ ...leaf });
  const loc = B.loc;
  const f64 = (v: number): Expr => B.k('f64', v);
  const local = (): number => cx.fresh('f64').id;
  const get = (id: number): Expr => ({ kind: 'local', id, type: 'f64', loc });
  const set = (id: number, value: Expr): Stmt => ({ kind: 'assign', local: id, value, loc });
  const add = (a: Expr, b: Expr): Expr => B.bin('add', 'f64', a, b);
  const sub = (a: Expr, b: Expr): Expr => B.bin('sub', 'f64', a, b);
  const mul = (a: Expr, b: Expr): Expr => B.bin('mul', 'f64', a, b);
  const cmp = (op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Expr, b: Expr): Expr => B.bin(op, 'f64', a, b);
  const floor = (a: Expr): Expr => B.math('floor', 'f64', a);
  const trunc = (a: Expr): Expr => B.math('trunc', 'f64', a);
  const index = (i: Expr): Expr => B.convert('i32', i);
  const load = (array: ArrayRef, i: Expr): Expr => ({ kind: 'load', array, index: index(i), type: 'f64', loc });
  const store = (array: ArrayRef, i: Expr, value: Expr): Stmt => ({ kind: 'store', array, index: index(i), value, loc });
  const iff = (cond: Expr, then: Stmt[], els: Stmt[] = []): Stmt => ({ kind: 'if', cond, then, else: els, loc });
  const brk: Stmt = { kind: 'break', loc };
  /** while (cond) { body; update } */
  const loop = (cond: Expr | undefined, body: Stmt[], update: Stmt[] = []): Stmt => ({ kind: 'loop', ...(cond ? { cond } : {}), body, update, loc });
  const u64 = (v: bigint): Expr => ({ kind: 'const', type: 'u64' as ScalarType, value: v, loc });
  const bits = (v: Expr): Expr => ({ kind: 'bitcast', type: 'u64', x: v, loc });
  const fromBits = (u: Expr): Expr => ({ kind: 'bitcast', type: 'f64', x: u, loc });
  /** 2^e for an integral f64 e in [-1022, 1023], exactly (its exponent field e + 1023). */
  const pow2 = (e: Expr): Expr => fromBits(B.bin('shl', 'u64', bits(add(e, f64(2 ** 52 + 1023))), u64(52n)));

  const table = cx.constArray('two_over_pi', 'f64', [0, 0, ...TWO_OVER_PI]); // two zeros: digit -1 and -2 read as 0
  const parts = cx.constArray('pio2_parts', 'f64', PIO2_PARTS);
  const iq = cx.localArray('rem_pio2_iq', 'f64', DIGITS + 1);
  const qv = cx.localArray('rem_pio2_q', 'f64', DIGITS + 1);
  const fq = cx.localArray('rem_pio2_fq', 'f64', DIGITS + 1);

  const y0 = local(), y1 = local(), n = local();
  const ax = local(), e0 = local(), x0 = local(), x1 = local(), x2 = local(), z = local(), jv = local(), q0 = local();
  const jz = local(), i = local(), j = local(), k = local(), fw = local(), ih = local(), carry = local(), d = local();
  const two24 = (): Expr => f64(2 ** 24), twon24 = (): Expr => f64(2 ** -24);
  /** The product's digit i (of weight 2^(q0 - 24 i)): Σ x_j · 2/π digit (jv + i - j), exact (< 2^50). */
  const product = (at: () => Expr): Expr => {
    const digit = (shift: number): Expr => load(table, add(add(get(jv), at()), f64(2 - shift)));
    return add(add(mul(get(x0), digit(0)), mul(get(x1), digit(1))), mul(get(x2), digit(2)));
  };
  const iqAt = (at: Expr): Expr => load(iq, at);

  const body: Stmt[] = [
    set(ax, B.math('abs', 'f64', x())),
    // e0 = ilogb(x) - 23; |x| 2^-e0 in [2^23, 2^24), split into three 24-bit integers
    set(e0, sub(B.convert('f64', B.bin('shr', 'u64', bits(get(ax)), u64(52n))), f64(1046))),
    set(z, mul(get(ax), pow2(B.un('neg', get(e0))))),
    set(x0, trunc(get(z))), set(z, mul(sub(get(z), get(x0)), two24())),
    set(x1, trunc(get(z))), set(x2, mul(sub(get(z), get(x1)), two24())),
    // the window of 2/π: digits from jv on (those before make multiples of 8); q0 the scale of digit 0
    set(jv, B.sel(cmp('lt', get(e0), f64(3)), f64(0), floor(mul(sub(get(e0), f64(3)), f64(1 / 24))))),
    set(q0, sub(get(e0), mul(f64(24), add(get(jv), f64(1))))),
    set(jz, f64(4)),
    loop(undefined, [
      // distill the product's digits 0..jz into iq[] from the last one up; z keeps digit 0 and the carry
      set(z, product(() => get(jz))), set(i, f64(0)), set(j, get(jz)),
      loop(cmp('gt', get(j), f64(0)), [
        set(fw, trunc(mul(twon24(), get(z)))),
        store(iq, get(i), sub(get(z), mul(two24(), get(fw)))),
        set(z, add(product(() => sub(get(j), f64(1))), get(fw))),
      ], [set(i, add(get(i), f64(1))), set(j, sub(get(j), f64(1)))]),
      // n: the integer part mod 8; z: what is left of the fraction in digit 0
      set(z, mul(get(z), pow2(get(q0)))),
      set(z, sub(get(z), mul(f64(8), floor(mul(get(z), f64(0.125)))))),
      set(n, trunc(get(z))), set(z, sub(get(z), get(n))),
      set(ih, f64(0)),
      iff(cmp('gt', get(q0), f64(0)), [
        // digit jz-1 holds q0 bits of the integer part
        set(d, floor(mul(iqAt(sub(get(jz), f64(1))), pow2(sub(get(q0), f64(24)))))),
        set(n, add(get(n), get(d))),
        store(iq, sub(get(jz), f64(1)), sub(iqAt(sub(get(jz), f64(1))), mul(get(d), pow2(sub(f64(24), get(q0)))))),
        set(ih, floor(mul(iqAt(sub(get(jz), f64(1))), pow2(sub(get(q0), f64(23)))))),
      ], [iff(cmp('eq', get(q0), f64(0)), [set(ih, floor(mul(iqAt(sub(get(jz), f64(1))), f64(2 ** -23))))],
        [iff(cmp('ge', get(z), f64(0.5)), [set(ih, f64(2))])])]),
      // a fraction above 1/2: n + 1 and the fraction 1 - fraction
      iff(cmp('gt', get(ih), f64(0)), [
        set(n, add(get(n), f64(1))), set(carry, f64(0)), set(i, f64(0)),
        loop(cmp('lt', get(i), get(jz)), [
          set(d, iqAt(get(i))),
          iff(cmp('eq', get(carry), f64(0)),
            [iff(cmp('ne', get(d), f64(0)), [set(carry, f64(1)), store(iq, get(i), sub(two24(), get(d)))])],
            [store(iq, get(i), sub(f64(2 ** 24 - 1), get(d)))]),
        ], [set(i, add(get(i), f64(1)))]),
        iff(cmp('gt', get(q0), f64(0)), [
          // keep digit jz-1's 24 - q0 fraction bits
          set(d, iqAt(sub(get(jz), f64(1)))),
          store(iq, sub(get(jz), f64(1)), sub(get(d), mul(floor(mul(get(d), pow2(sub(get(q0), f64(24))))), pow2(sub(f64(24), get(q0)))))),
        ]),
        iff(cmp('eq', get(ih), f64(2)), [
          set(z, sub(f64(1), get(z))),
          iff(cmp('ne', get(carry), f64(0)), [set(z, sub(get(z), pow2(get(q0))))]),
        ]),
      ]),
      // the leading digits cancelled: take k more digits of 2/π and distill again
      iff(cmp('eq', get(z), f64(0)), [
        set(d, f64(0)), set(i, sub(get(jz), f64(1))),
        loop(cmp('ge', get(i), f64(4)), [set(d, add(get(d), iqAt(get(i))))], [set(i, sub(get(i), f64(1)))]),
        iff(cmp('eq', get(d), f64(0)), [
          set(k, f64(1)),
          loop(B.sel(cmp('le', get(k), f64(4)), cmp('eq', iqAt(sub(f64(4), get(k))), f64(0)), B.k('bool', false)), [], [set(k, add(get(k), f64(1)))]),
          set(jz, add(get(jz), get(k))),
          { kind: 'continue', loc },
        ]),
      ]),
      brk,
    ]),
    // drop leading zero digits (or make the rest of digit 0 a digit of its own)
    iff(cmp('eq', get(z), f64(0)), [
      set(jz, sub(get(jz), f64(1))), set(q0, sub(get(q0), f64(24))),
      loop(cmp('eq', iqAt(get(jz)), f64(0)), [set(jz, sub(get(jz), f64(1))), set(q0, sub(get(q0), f64(24)))]),
    ], [
      // z < 1, so z 2^-q0 < 2^21: one digit (fdlibm's split at 2^24 never happens here)
      store(iq, get(jz), mul(get(z), pow2(B.un('neg', get(q0))))),
    ]),
    // the digits as doubles, then times π/2's 24-bit parts: fq[jz - i] = Σ_k PIo2[k] q[i + k], k ≤ 4
    set(fw, pow2(get(q0))), set(i, get(jz)),
    loop(cmp('ge', get(i), f64(0)), [
      store(qv, get(i), mul(get(fw), iqAt(get(i)))),
      set(fw, mul(get(fw), twon24())),
    ], [set(i, sub(get(i), f64(1)))]),
    set(i, get(jz)),
    loop(cmp('ge', get(i), f64(0)), [
      set(fw, f64(0)), set(k, f64(0)),
      loop(B.sel(cmp('le', get(k), f64(4)), cmp('le', get(k), sub(get(jz), get(i))), B.k('bool', false)), [
        set(fw, add(get(fw), mul(load(parts, get(k)), load(qv, add(get(i), get(k)))))),
      ], [set(k, add(get(k), f64(1)))]),
      store(fq, sub(get(jz), get(i)), get(fw)),
    ], [set(i, sub(get(i), f64(1)))]),
    // y0: the sum from the smallest part up; y1: what it left out
    set(fw, f64(0)), set(i, get(jz)),
    loop(cmp('ge', get(i), f64(0)), [set(fw, add(get(fw), load(fq, get(i))))], [set(i, sub(get(i), f64(1)))]),
    set(y0, get(fw)),
    set(fw, sub(load(fq, f64(0)), get(fw))), set(i, f64(1)),
    loop(cmp('le', get(i), get(jz)), [set(fw, add(get(fw), load(fq, get(i))))], [set(i, add(get(i), f64(1)))]),
    set(y1, get(fw)),
    // n mod 8; the sign of 1 - fraction, then of x
    set(n, sub(get(n), mul(f64(8), floor(mul(get(n), f64(0.125)))))),
    iff(cmp('gt', get(ih), f64(0)), [set(y0, B.un('neg', get(y0))), set(y1, B.un('neg', get(y1)))]),
    iff(cmp('lt', x(), f64(0)), [set(y0, B.un('neg', get(y0))), set(y1, B.un('neg', get(y1))), set(n, B.un('neg', get(n)))]),
  ];
  const huge = B.sel(cmp('le', f64(lowEnd), B.math('abs', 'f64', x())), cmp('lt', B.math('abs', 'f64', x()), f64(Infinity)), B.k('bool', false));
  cx.before(iff(huge, body));
  return { y0: get(y0), y1: get(y1), n: get(n) };
}

/**
 * π from Machin's formula (π = 16 atan(1/5) - 4 atan(1/239)) in fixed point with BigInt, then
 * 2/π's first 66 24-bit digits after the point and π/2's first five 24-bit parts as doubles.
 */
function piDigits(): { TWO_OVER_PI: number[]; PIO2_PARTS: number[] } {
  const BITS = 1700n, one = 1n << BITS;
  const atanInv = (m: bigint): bigint => {
    let sum = 0n, term = one / m, k = 1n, sign = 1n;
    const m2 = m * m;
    while (term !== 0n) { sum += sign * (term / k); term /= m2; k += 2n; sign = -sign; }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n); // π 2^BITS, good to ~BITS - 10 bits
  const twoOverPi = (one * one * 2n) / pi; // 2/π 2^BITS
  const mask = (1n << 24n) - 1n;
  const TWO_OVER_PI = Array.from({ length: 66 }, (_, i) => Number((twoOverPi >> (BITS - 24n * BigInt(i + 1))) & mask));
  const halfPi = pi / 2n; // π/2 2^BITS, in [1, 2): its parts have weights 2^-23, 2^-47, ...
  const PIO2_PARTS = Array.from({ length: 5 }, (_, i) => Number((halfPi >> (BITS - 23n - 24n * BigInt(i))) & mask) * 2 ** (-23 - 24 * i));
  return { TWO_OVER_PI, PIO2_PARTS };
}
