// The JS meaning of the operations a backend does not render natively
// (native.ts), written once as IR over simpler operations. Each result keeps
// the original's meaning under ir/semantics.ts (the simulator runs it: test/legalize)
// and uses only operations every backend renders directly: wrapping
// arithmetic, comparisons, `select` (branch-free, for the CPU lane vectoriser),
// integer division by a safe divisor, shifts by counts in [0, 31], float → u32
// of values in [0, 2^32), Math.floor/trunc/abs and C's pow (and, for the f32
// erf/gamma library, ldexp, frexp and copysign; for the f64 library, sqrt, `bitcast` to u64 and u64 shifts and masks).

import type { Expr, Stmt } from '../ir/nodes.js';
import { isFloat, type ElemType } from '../types.js';
import type { NativeOp } from './native.js';
import type { RewriteContext, Rule } from './rewrite.js';
import { Build } from './build.js';
import { F32 } from './f32-kit.js';
import { erfGammaF32 } from './erf-gamma-f32.js';
import { F64 } from './f64-kit.js';
import { asTree, fdlibmF64, isFdlibmFn } from './fdlibm.js';

const INT_MIN = -2147483648;

export function legalRule(native: ReadonlySet<NativeOp>): Rule {
  const lacks = (op: NativeOp): boolean => !native.has(op);
  const rule: Rule = (e, cx) => {
    switch (e.kind) {
      case 'binary': {
        const int = e.opType === 'i32' || e.opType === 'u32';
        if (int && (e.op === 'truncdiv' || e.op === 'floordiv' || e.op === 'rem') && lacks('int-division')) return intDivision(e, cx);
        if (int && (e.op === 'shl' || e.op === 'shr' || e.op === 'ushr') && lacks('shift-count')) return shiftCount(e);
        if (isFloat(e.opType) && (e.op === 'min' || e.op === 'max') && lacks('float-minmax')) return floatMinMax(e, cx);
        // JS float `%` is the exact fmod: the target's library function where its own `%` is not exact.
        if (isFloat(e.opType) && e.op === 'rem' && lacks('float-rem')) return new Build(e.loc).math('fmod', e.opType, e.a, e.b);
        return undefined;
      }
      case 'convert': {
        if (!isFloat(e.x.type)) return undefined;
        if (e.type === 'bool' && lacks('truthiness')) return truthiness(e, cx);
        if ((e.type === 'i32' || e.type === 'u32') && lacks('float-to-int')) return floatToInt(e, cx);
        return undefined;
      }
      case 'math': {
        if (!isFloat(e.type) && e.fn === 'sign' && lacks('math-sign')) return intSign(e, cx);
        if (e.fn === 'umulhi' && lacks('umulhi')) return umulhi(e, cx);
        if (!isFloat(e.type)) return undefined;
        if (e.fn === 'round' && lacks('math-round')) return round(e, cx);
        if (e.fn === 'sign' && lacks('math-sign')) return floatSign(e, cx);
        if ((e.fn === 'erf' || e.fn === 'erfc' || e.fn === 'gamma' || e.fn === 'lgamma') && e.type === 'f32' && lacks('math-erf-gamma')) {
          return erfGammaF32(new F32(new Build(e.loc), cx.share), e.fn, cx.share(e.args[0]));
        }
        if (e.type === 'f64' && isFdlibmFn(e.fn) && lacks('math-f64-v8') && !(e.ulp && ULP_FNS.has(e.fn) && !lacks('math-f64-ulp'))) return asTree(fdlibmF64(new F64(new Build(e.loc), (v) => v, cx), e.fn, e.args.map((a) => cx.share(a))), cx.share);
        // f32 (and f64 where the target has V8's bits): the target's pow with JS's NaN cases
        if (e.fn === 'pow' && lacks('math-pow')) return pow(e, cx);
        return undefined;
      }
      case 'atomic': {
        if (isFloat(e.type) && (e.op === 'min' || e.op === 'max') && lacks('atomic-float-minmax')) return atomicFloatMinMax(e, cx, lacks('float-minmax'));
        return undefined;
      }
      default: return undefined;
    }
  };
  if (lacks('narrow-store')) rule.storeValue = narrowStoreValue;
  return rule;
}

/** ToInt8/ToUint8/ToInt16/ToUint16 of the i32 a store writes into an 8/16-bit array: the element's value. */
function narrowStoreValue(v: Expr, elem: ElemType): Expr | undefined {
  const B = new Build(v.loc), k = (n: number): Expr => B.k('i32', n);
  switch (elem) {
    case 'i8': return B.bin('shr', 'i32', B.bin('shl', 'i32', v, k(24)), k(24));
    case 'i16': return B.bin('shr', 'i32', B.bin('shl', 'i32', v, k(16)), k(16));
    case 'u8': return B.bin('and', 'i32', v, k(0xff));
    case 'u16': return B.bin('and', 'i32', v, k(0xffff));
    default: return undefined;
  }
}

type Binary = Expr & { kind: 'binary' };
type Convert = Expr & { kind: 'convert' };
/** The f64 functions a target's 'math-f64-ulp' covers (for calls marked `ulp`). */
const ULP_FNS: ReadonlySet<string> = new Set(['exp', 'log', 'sin', 'cos']);

type MathCall = Expr & { kind: 'math' };
type Atomic = Expr & { kind: 'atomic' };

/**
 * JS integer division and remainder: x / 0 and x % 0 give 0, INT_MIN / -1 wraps
 * to INT_MIN, INT_MIN % -1 is 0, floor division rounds toward -Infinity. The
 * divisor reaching the division is never 0 or (signed) -1, so no target traps.
 * It is guarded inline, never through a local: the CPU lane vectoriser computes
 * an expression for every lane but assigns a local only in the active ones.
 */
function intDivision(e: Binary, cx: RewriteContext): Expr | undefined {
  const t = e.opType, B = new Build(e.loc);
  const unsignedFloor = t === 'u32' && e.op === 'floordiv';
  if (e.b.kind === 'const' && e.b.value !== 0 && !(t === 'i32' && e.b.value === -1)) {
    // A safe constant divisor: only the rounding of a signed floor division needs work.
    if (e.op !== 'floordiv' || unsignedFloor) return unsignedFloor ? { ...e, op: 'truncdiv' } : undefined;
  }
  const a = cx.share(e.a), b = cx.share(e.b);
  // Each use builds its own node: the IR is a tree (verifyIR).
  const zero = (): Expr => B.bin('eq', t, b, B.k(t, 0));
  if (t === 'u32') {
    const d = B.sel(zero(), B.k(t, 1), b);
    const op = e.op === 'rem' ? 'rem' : 'truncdiv'; // unsigned floor is trunc
    return B.sel(zero(), B.k(t, 0), B.bin(op, t, a, d));
  }
  const minusOne = (): Expr => B.bin('eq', t, b, B.k(t, -1));
  const d = (): Expr => B.sel(B.either(zero(), minusOne()), B.k(t, 1), b);
  if (e.op === 'rem') return B.sel(B.either(zero(), minusOne()), B.k(t, 0), B.bin('rem', t, a, d()));
  let q = B.bin('truncdiv', t, a, d());
  if (e.op === 'floordiv') {
    // Round toward -Infinity: one less when the remainder is nonzero and its sign differs from the divisor's.
    const r = cx.share(B.bin('rem', t, a, d()));
    const adjust = B.both(B.bin('ne', t, r, B.k(t, 0)), B.bin('lt', t, B.bin('xor', t, r, d()), B.k(t, 0)));
    q = B.bin('sub', t, q, B.sel(adjust, B.k(t, 1), B.k(t, 0)));
  }
  // x / -1 is -x, wrapping (INT_MIN stays INT_MIN), for trunc and floor alike.
  return B.sel(minusOne(), B.un('neg', a), B.sel(zero(), B.k(t, 0), q));
}

/** JS shifts use the count mod 32. */
function shiftCount(e: Binary): Expr {
  const B = new Build(e.loc);
  const n = e.b;
  if (n.kind === 'const') {
    const v = Number(n.value) & 31;
    return { ...e, b: B.k(n.type, v) };
  }
  // `and` is an i32 operation; ushr's count is u32 (i32 <-> u32 keeps the bits).
  const masked = n.type === 'i32' ? B.bin('and', 'i32', n, B.k('i32', 31)) : B.convert('u32', B.bin('and', 'i32', B.convert('i32', n), B.k('i32', 31)));
  return { ...e, b: masked };
}

/** Math.min/max: NaN if either is NaN; min(-0, +0) is -0, max(-0, +0) is +0. */
function floatMinMax(e: Binary, cx: RewriteContext): Expr {
  const withConstant = constantMinMax(e, cx);
  if (withConstant) return withConstant;
  const t = e.opType, B = new Build(e.loc);
  const a = cx.share(e.a), b = cx.share(e.b);
  const first = e.op === 'min' ? 'lt' : 'gt', second = e.op === 'min' ? 'gt' : 'lt';
  // Equal and nonzero: either operand. Otherwise (both zeros, or a NaN) arithmetic
  // gives JS's answer: -0 + -0 = -0 else +0 for max, -((-a) - b) the mirror for min; NaN propagates.
  const sameNonzero = B.both(B.bin('eq', t, a, b), B.bin('ne', t, a, B.k(t, 0)));
  const zerosOrNaN = e.op === 'max' ? B.bin('add', t, a, b) : B.un('neg', B.bin('sub', t, B.un('neg', a), b));
  return B.sel(B.bin(first, t, a, b), a, B.sel(B.bin(second, t, a, b), b, B.sel(sameNonzero, a, zerosOrNaN)));
}

/**
 * Math.min/max with a constant operand c (not NaN; Math.max(x, 0), clamps) as one comparison and
 * one select: x itself wherever it is the answer (a NaN x included: every comparison with it is
 * false), else c. Zeros: max(x, +0) is +0 for x = ±0 (x <= 0 picks c), max(x, -0) keeps x = ±0
 * (either is the answer: +0 beats -0, and -0 is c); min mirrors it. The general form costs three
 * comparisons, three selects and an add.
 */
function constantMinMax(e: Binary, cx: RewriteContext): Expr | undefined {
  const isConst = (x: Expr): boolean => x.kind === 'const' && typeof x.value === 'number' && !Number.isNaN(x.value);
  const [c, x] = isConst(e.b) ? [e.b, e.a] : isConst(e.a) ? [e.a, e.b] : [];
  if (!c || !x) return undefined;
  const t = e.opType, B = new Build(e.loc), v = (c as { value: number }).value;
  // max: c wins where x < c, and for c = +0 at x = -0 too; min: where x > c, and for c = -0 at x = +0.
  const op = e.op === 'max' ? (Object.is(v, 0) ? 'le' : 'lt') : (Object.is(v, -0) ? 'ge' : 'gt');
  const shared = cx.share(x);
  return B.sel(B.bin(op, t, shared, B.k(t, v)), B.k(t, v), shared);
}

/**
 * Atomic Math.min/max on a float element as a compare-and-swap loop over the
 * target's float `cas` (which compares values, as JS's === does):
 *
 *   o = a[i]; loop { n = min(o, v); if (n is o: Object.is) break;
 *                    g = cas(a[i], o, n); ok = g == o; o = g; if (ok) break }
 *
 * and the old element is o. A NaN in memory never reaches the cas (min(NaN, v) is
 * NaN, the same value), so the loop ends. A cas that succeeds on a zero of the other
 * sign (g = -0, o = +0 or the reverse) writes the right value: min/max of the two
 * zeros with v differ only when v is a zero that leaves o as it is, and then the
 * loop has already stopped.
 */
function atomicFloatMinMax(e: Atomic, cx: RewriteContext, legaliseMinMax: boolean): Expr {
  const t = e.type, B = new Build(e.loc);
  const index = cx.share(e.index), v = cx.share(e.value);
  const o = cx.fresh(t), n = cx.fresh(t), g = cx.fresh(t), ok = cx.fresh('bool');
  const set = (l: Expr & { kind: 'local' }, value: Expr): Stmt => ({ kind: 'assign', local: l.id, value, loc: e.loc });
  const exit = (c: Expr): Stmt => ({ kind: 'if', cond: c, then: [{ kind: 'break', loc: e.loc }], else: [], loc: e.loc });
  // o and v are leaves: the min/max rule below needs no statements of its own.
  const m = B.bin(e.op === 'min' ? 'min' : 'max', t, o, v) as Binary;
  const next = legaliseMinMax ? floatMinMax(m, cx) : m;
  // Object.is(n, o): equal and, for zeros, of the same sign (1/x is ±Infinity); or both NaN.
  const same = B.either(B.both(B.bin('eq', t, n, o), B.either(B.bin('ne', t, n, B.k(t, 0)), B.bin('eq', t, B.bin('div', t, B.k(t, 1), n), B.bin('div', t, B.k(t, 1), o)))),
    B.both(B.isNaN(n), B.isNaN(o)));
  const cas: Expr = { kind: 'atomic', op: 'cas', array: e.array, index, expected: o, value: n, type: t, loc: e.loc };
  cx.before(set(o, { kind: 'load', array: e.array, index, type: t, loc: e.loc }));
  cx.before({
    kind: 'loop', loc: e.loc, update: [],
    body: [set(n, next), exit(same), set(g, cas), set(ok, B.bin('eq', t, g, o)), set(o, g), exit(ok)],
  });
  return o;
}

/** JS truthiness of a number: not ±0 and not NaN. */
function truthiness(e: Convert, cx: RewriteContext): Expr {
  const t = e.x.type, B = new Build(e.loc);
  const x = cx.share(e.x);
  return B.both(B.bin('eq', t, x, x), B.bin('ne', t, x, B.k(t, 0)));
}

/**
 * ToUint32 (and ToInt32, its bits): truncate, reduce mod 2^32, NaN and ±Infinity
 * give 0. |trunc(x)| - floor(|trunc(x)| / 2^32) * 2^32 is exact in f32 and f64 alike
 * (a multiple of the operand's ulp below 2^32), so only values in [0, 2^32) are
 * converted; a negative x negates the result with u32 wrapping.
 */
function floatToInt(e: Convert, cx: RewriteContext): Expr {
  const t = e.x.type, B = new Build(e.loc);
  const x = cx.share(e.x);
  const m = cx.share(B.math('abs', t, B.math('trunc', t, x)));
  const low = B.bin('sub', t, m, B.bin('mul', t, B.math('floor', t, B.bin('mul', t, m, B.k(t, 2 ** -32))), B.k(t, 2 ** 32)));
  const u = cx.share(B.convert('u32', low));
  const signed = B.sel(B.bin('lt', t, x, B.k(t, 0)), B.bin('sub', 'u32', B.k('u32', 0), u), u);
  const finite = B.bin('lt', t, B.math('abs', t, x), B.k(t, Infinity));
  const r = B.sel(finite, signed, B.k('u32', 0));
  return e.type === 'u32' ? r : B.convert('i32', r);
}

/** Math.round: floor(x + 0.5) without the addition's rounding error; (-0.5, -0] gives -0. */
function round(e: MathCall, cx: RewriteContext): Expr {
  const t = e.type, B = new Build(e.loc);
  const x = cx.share(e.args[0]);
  const f = cx.share(B.math('floor', t, x));
  const r = cx.share(B.sel(B.bin('ge', t, B.bin('sub', t, x, f), B.k(t, 0.5)), B.bin('add', t, f, B.k(t, 1)), f));
  // A zero result takes x's sign: x * 0 is -0 exactly for x in [-0.5, -0].
  return B.sel(B.bin('eq', t, r, B.k(t, 0)), B.bin('mul', t, x, B.k(t, 0)), r);
}

/** Math.sign on floats: ±1, and x itself for ±0 and NaN. */
function floatSign(e: MathCall, cx: RewriteContext): Expr {
  const t = e.type, B = new Build(e.loc);
  const x = cx.share(e.args[0]);
  return B.sel(B.bin('gt', t, x, B.k(t, 0)), B.k(t, 1), B.sel(B.bin('lt', t, x, B.k(t, 0)), B.k(t, -1), x));
}

/** Math.sign on integers (the frontend wraps the result back to the integer type). */
function intSign(e: MathCall, cx: RewriteContext): Expr {
  const t = e.type, B = new Build(e.loc);
  const x = cx.share(e.args[0]);
  if (t === 'u32') return B.sel(B.bin('ne', t, x, B.k(t, 0)), B.k(t, 1), B.k(t, 0));
  return B.sel(B.bin('gt', t, x, B.k(t, 0)), B.k(t, 1), B.sel(B.bin('lt', t, x, B.k(t, 0)), B.k(t, -1), B.k(t, 0)));
}

/**
 * cuda.umulhi without a 64-bit product: x = xh * 2^16 + xl and y likewise; the four
 * 16x16-bit products are exact in u32 and the carries out of the low word are
 * summed in `mid` (at most 3 * (2^16 - 1), no overflow).
 */
function umulhi(e: MathCall, cx: RewriteContext): Expr {
  const B = new Build(e.loc), u = 'u32' as const;
  const hi = (v: Expr): Expr => B.bin('ushr', u, v, B.k(u, 16));
  // v & 0xffff (`and` is an i32 operation): v - (v >>> 16) * 2^16.
  const lo = (v: Expr, h: Expr): Expr => B.bin('sub', u, v, B.bin('mul', u, h, B.k(u, 65536)));
  const halves = (v: Expr): [Expr, Expr] => {
    const s = cx.share(v), h = cx.share(hi(s));
    return [h, cx.share(lo(s, h))];
  };
  const [xh, xl] = halves(e.args[0]), [yh, yl] = halves(e.args[1]);
  const lh = cx.share(B.bin('mul', u, xl, yh)), hl = cx.share(B.bin('mul', u, xh, yl));
  const lhHi = cx.share(hi(lh)), hlHi = cx.share(hi(hl));
  const mid = B.bin('add', u, B.bin('add', u, hi(B.bin('mul', u, xl, yl)), lo(lh, lhHi)), lo(hl, hlHi));
  const sum = (...xs: Expr[]): Expr => xs.reduce((a, b) => B.bin('add', u, a, b));
  return sum(B.bin('mul', u, xh, yh), lhHi, hlHi, hi(mid));
}

/** JS Math.pow differs from C's pow: x ** NaN is NaN even for x = 1, and (±1) ** ±Infinity is NaN. */
function pow(e: MathCall, cx: RewriteContext): Expr {
  const t = e.type, B = new Build(e.loc);
  const a = cx.share(e.args[0]), b = cx.share(e.args[1]);
  const oneToInf = B.both(B.bin('eq', t, B.math('abs', t, a), B.k(t, 1)), B.bin('eq', t, B.math('abs', t, b), B.k(t, Infinity)));
  return B.sel(B.either(B.isNaN(b), oneToInf), B.k(t, NaN), B.math('pow', t, a, b));
}
