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
import { fold } from '../ir/fold.js';

/** 2/π in 24-bit digits (fdlibm's two_over_pi: 66 digits, 1584 bits), and π/2 in 24-bit parts (PIo2). */
export const { TWO_OVER_PI, PIO2_PARTS } = piDigits();

/**
 * Digits kept after the integer part: fdlibm starts with 4 and adds at most 4 per recompute
 * (the fraction of x 2/π is never below 2^-62 for a double, so one recompute suffices); 12
 * leaves room for two.
 */
const DIGITS = 12;

export interface HugeReduction { y0: Expr; y1: Expr; n: Expr }

/**
 * Emits (through cx.before) `if (lowEnd ≤ |x| < ∞) { … }` computing x = n π/2 + y0 + y1 with
 * n in [-7, 7] (fdlibm returns ±(n mod 8)); returns fresh reads of the three locals. No
 * arrays of the thread's own (a cpu lane group keeps none): fdlibm's digit arrays, indexed
 * from the bottom digit jz, are scalars here indexed from the top (the digit below the
 * integer part is dig[0]), with fdlibm's loops unrolled over DIGITS and a select where a
 * digit is past jz.
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
  const sel = (c: Expr, a: Expr, b: Expr): Expr => B.sel(c, a, b);
  const floor = (a: Expr): Expr => B.math('floor', 'f64', a);
  const trunc = (a: Expr): Expr => B.math('trunc', 'f64', a);
  const load = (array: ArrayRef, i: Expr): Expr => ({ kind: 'load', array, index: B.convert('i32', i), type: 'f64', loc });
  const iff = (cond: Expr, then: Stmt[], els: Stmt[] = []): Stmt => ({ kind: 'if', cond, then, else: els, loc });
  const u64 = (v: bigint): Expr => ({ kind: 'const', type: 'u64' as ScalarType, value: v, loc });
  const bits = (v: Expr): Expr => ({ kind: 'bitcast', type: 'u64', x: v, loc });
  const fromBits = (u: Expr): Expr => ({ kind: 'bitcast', type: 'f64', x: u, loc });
  /** 2^e for an integral f64 e in [-1022, 1023], exactly (its exponent field e + 1023). */
  const pow2 = (e: Expr): Expr => fromBits(B.bin('shl', 'u64', bits(add(e, f64(2 ** 52 + 1023))), u64(52n)));
  /** Constant-folded (a rule's statements are not folded for it). */
  const folded = (st: Stmt): Stmt => (st.kind === 'assign' ? { ...st, value: fold(st.value) } : st.kind === 'if' ? { ...st, cond: fold(st.cond), then: st.then.map(folded), else: st.else.map(folded) } : st);
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  const table = cx.constArray('two_over_pi', 'f64', [0, 0, ...TWO_OVER_PI]); // two zeros: digits -1 and -2 read as 0
  const y0 = local(), y1 = local(), n = local();
  const ax = local(), e0 = local(), x0 = local(), x1 = local(), x2 = local(), z = local(), jv = local(), q0 = local();
  const redo = local(), jz = local(), fw = local(), ih = local(), carry = local(), d = local(), k = local(), first = local();
  const dig = range(DIGITS).map(() => local());
  /** win[m] = 2/π digit jv + m - 2 (0 before the first): the window the product reads, loaded once. */
  const win = range(DIGITS + 3).map(() => local());
  /** E: the final digits (see below); E[e] has weight 2^(q0 + 24 - 24 e). */
  const E = DIGITS + 2;
  const ext = range(E).map(() => local());
  const fq = range(E).map(() => local());
  const two24 = (): Expr => f64(2 ** 24), twon24 = (): Expr => f64(2 ** -24);
  /** The product's digit j (weight 2^(q0 - 24 j)): Σ x_i · 2/π digit (jv + j - i), exact (< 2^50). */
  const product = (j: number): Expr => {
    const digit = (i: number): Expr => get(win[j + 2 - i]);
    return add(add(mul(get(x0), digit(0)), mul(get(x1), digit(1))), mul(get(x2), digit(2)));
  };
  /** dig[t] is one of the jz digits. */
  const active = (t: number): Expr => cmp('lt', f64(t), get(jz));
  /** One pass of k_rem_pio2 with jz digits below the integer part (from `recompute:` to the recompute test). */
  const pass = (): Stmt[] => [
    // distill the product's digits jz..1 (from the last up, carrying) into dig[jz-1..0]; z keeps digit 0
    set(carry, f64(0)),
    ...[...range(DIGITS)].reverse().flatMap((t) => [
      set(z, sel(active(t), add(product(t + 1), get(carry)), f64(0))),
      set(carry, trunc(mul(twon24(), get(z)))),
      set(dig[t], sub(get(z), mul(two24(), get(carry)))),
    ]),
    set(z, add(product(0), get(carry))),
    // n: the integer part mod 8; z: what is left of the fraction in digit 0
    set(z, mul(get(z), pow2(get(q0)))),
    set(z, sub(get(z), mul(f64(8), floor(mul(get(z), f64(0.125)))))),
    set(n, trunc(get(z))), set(z, sub(get(z), get(n))),
    // q0 > 0: dig[0] holds q0 bits of the integer part; ih: the fraction is at least 1/2
    set(d, sel(cmp('gt', get(q0), f64(0)), floor(mul(get(dig[0]), pow2(sub(get(q0), f64(24))))), f64(0))),
    set(n, add(get(n), get(d))),
    set(dig[0], sub(get(dig[0]), mul(get(d), pow2(sub(f64(24), get(q0)))))),
    set(ih, sel(cmp('ge', get(q0), f64(0)), floor(mul(get(dig[0]), pow2(sub(get(q0), f64(23))))),
      sel(cmp('ge', get(z), f64(0.5)), f64(2), f64(0)))),
    // above 1/2: n + 1, and the fraction becomes 1 - fraction (digits from the last up, borrowing)
    iff(cmp('gt', get(ih), f64(0)), [
      set(n, add(get(n), f64(1))), set(carry, f64(0)),
      ...[...range(DIGITS)].reverse().flatMap((t) => [
        set(d, get(dig[t])),
        set(dig[t], sel(active(t), sel(cmp('eq', get(carry), f64(0)), sel(cmp('ne', get(d), f64(0)), sub(two24(), get(d)), get(d)),
          sub(f64(2 ** 24 - 1), get(d))), get(d))),
        set(carry, sel(active(t), sel(cmp('ne', get(d), f64(0)), f64(1), get(carry)), get(carry))),
      ]),
      // q0 > 0: dig[0] keeps its 24 - q0 fraction bits
      set(d, sel(cmp('gt', get(q0), f64(0)), floor(mul(get(dig[0]), pow2(sub(get(q0), f64(24))))), f64(0))),
      set(dig[0], sub(get(dig[0]), mul(get(d), pow2(sub(f64(24), get(q0)))))),
      set(z, sel(cmp('eq', get(ih), f64(2)), sub(sub(f64(1), get(z)), sel(cmp('ne', get(carry), f64(0)), pow2(get(q0)), f64(0))), get(z))),
    ]),
    // first: the first nonzero digit (jz if none)
    set(first, get(jz)),
    ...[...range(DIGITS)].reverse().map((t) => set(first, sel(cmp('ne', get(dig[t]), f64(0)), sel(active(t), f64(t), get(first)), get(first)))),
    // recompute when nothing is left in digit 0 and dig[0..jz-5] are zero: k more digits, k - 1
    // the zeros among the last four (fdlibm's iq[jk-1..0])
    set(k, sub(add(get(first), f64(5)), get(jz))),
    set(redo, sel(cmp('eq', get(z), f64(0)), sel(cmp('gt', get(k), f64(0)), f64(1), f64(0)), f64(0))),
  ].map(folded);
  const body: Stmt[] = [
    set(ax, B.math('abs', 'f64', x())),
    // e0 = ilogb(x) - 23; |x| 2^-e0 in [2^23, 2^24), split into three 24-bit integers
    set(e0, sub(B.convert('f64', B.bin('shr', 'u64', bits(get(ax)), u64(52n))), f64(1046))),
    set(z, mul(get(ax), pow2(B.un('neg', get(e0))))),
    set(x0, trunc(get(z))), set(z, mul(sub(get(z), get(x0)), two24())),
    set(x1, trunc(get(z))), set(x2, mul(sub(get(z), get(x1)), two24())),
    // the window of 2/π: digits from jv on (those before make multiples of 8); q0 the scale of digit 0
    set(jv, sel(cmp('lt', get(e0), f64(3)), f64(0), floor(mul(sub(get(e0), f64(3)), f64(1 / 24))))),
    set(q0, sub(get(e0), mul(f64(24), add(get(jv), f64(1))))),
    ...range(DIGITS + 3).map((m) => set(win[m], load(table, add(get(jv), f64(m))))),
    set(jz, f64(4)),
    // fdlibm's recompute loop (the fraction of x 2/π is above 2^-62 for every double: one
    // recompute gives the digits it needs, DIGITS leaves room for a second)
    {
      kind: 'loop', loc, update: [], body: [
        ...pass(),
        iff(sel(cmp('eq', get(redo), f64(1)), cmp('le', add(get(jz), get(k)), f64(DIGITS)), B.k('bool', false)),
          [set(jz, add(get(jz), get(k)))], [{ kind: 'break', loc }]),
      ],
    },
    // E[2 + t] = dig[t]; E[1] the rest of digit 0 (z 2^-q0, below 2^(-q0)), split as fdlibm
    // does when it reaches 2^24 (q0 < -24, |x| < 2^23): its top in E[0]
    set(fw, mul(get(z), pow2(B.un('neg', get(q0))))),
    set(ext[0], trunc(mul(get(fw), twon24()))),
    set(ext[1], sub(get(fw), mul(get(ext[0]), two24()))),
    ...range(DIGITS).map((t) => set(ext[t + 2], get(dig[t]))),
    // skip leading zero digits (fdlibm's chop): first = index in E of the first nonzero one
    set(first, sel(cmp('ne', get(z), f64(0)), sel(cmp('ne', get(ext[0]), f64(0)), f64(0), f64(1)), add(get(first), f64(2)))),
    // E[first..jz + 1] as doubles, shifted down to E[0..jz + 1 - first] (by 8, 4, 2, 1 digits), weights kept
    ...range(E).map((e) => set(ext[e], mul(get(ext[e]), pow2(sub(get(q0), f64(24 * e - 24)))))),
    set(d, get(first)),
    ...[8, 4, 2, 1].flatMap((by) => [
      ...range(E).map((e) => set(ext[e], sel(cmp('ge', get(d), f64(by)), e + by < E ? get(ext[e + by]) : f64(0), get(ext[e])))),
      set(d, sel(cmp('ge', get(d), f64(by)), sub(get(d), f64(by)), get(d))),
    ]),
    // J = jz + 1 - first: fq[m] = Σ_{k ≤ min(4, m)} PIo2[k] E[m - k] for m ≤ J
    set(d, sub(add(get(jz), f64(1)), get(first))),
    ...range(E).map((m) => set(fq[m], range(Math.min(4, m) + 1).reduce<Expr>((acc, j) => add(acc, mul(f64(PIO2_PARTS[j]), get(ext[m - j]))), f64(0)))),
    // y0: the sum from the smallest part up; y1: what it left out
    set(fw, f64(0)),
    ...[...range(E)].reverse().map((m) => set(fw, sel(cmp('le', f64(m), get(d)), add(get(fw), get(fq[m])), get(fw)))),
    set(y0, get(fw)),
    set(fw, sub(get(fq[0]), get(fw))),
    ...range(E).slice(1).map((m) => set(fw, sel(cmp('le', f64(m), get(d)), add(get(fw), get(fq[m])), get(fw)))),
    set(y1, get(fw)),
    // n mod 8; the sign of 1 - fraction, then of x
    set(n, sub(get(n), mul(f64(8), floor(mul(get(n), f64(0.125)))))),
    set(y0, sel(cmp('gt', get(ih), f64(0)), B.un('neg', get(y0)), get(y0))),
    set(y1, sel(cmp('gt', get(ih), f64(0)), B.un('neg', get(y1)), get(y1))),
    set(y0, sel(cmp('lt', x(), f64(0)), B.un('neg', get(y0)), get(y0))),
    set(y1, sel(cmp('lt', x(), f64(0)), B.un('neg', get(y1)), get(y1))),
    set(n, sel(cmp('lt', x(), f64(0)), B.un('neg', get(n)), get(n))),
  ];
  const huge = sel(cmp('le', f64(lowEnd), B.math('abs', 'f64', x())), cmp('lt', B.math('abs', 'f64', x()), f64(Infinity)), B.k('bool', false));
  cx.before({ kind: 'if', cond: huge, then: body, else: [], loc, rare: true });
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
