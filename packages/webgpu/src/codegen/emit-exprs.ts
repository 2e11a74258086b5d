// The WGSL emitter's expressions, with JavaScript's meaning: operands in
// evaluation order (pre-lines for lazily evaluated arms and atomics), f32 values
// the driver's optimiser cannot fold through (nb_opq), conversions and operators
// as legalisation (core) left them. Also the stores and atomics, whose operands
// are expressions.
//
// No Node-only imports here: a browser build uses this file as is.

import type { ArrayRef, AtomicExpr, BinaryOp, Expr, ScalarType } from '@numbat/core';
import { MemoryEmitter } from './emit-memory.js';
import { MATH_LOWERING } from './math.js';
import { f32Bits, literal, WGSL_TYPE } from './names.js';

export abstract class ExprEmitter extends MemoryEmitter {
  protected store(r: ArrayRef, index: Expr, value: Expr, inBounds = false): void {
    const info = this.arr(r);
    const helperIx = info.storage === 'packedAtomic';
    if (this.opts.boundscheck && !inBounds) {
      // JS evaluates (and here checks) the index before the value.
      const i = this.tmp('i');
      this.line(`let ${i} = ${this.expr(index)};`);
      this.line(`if (${this.inBounds(r, i, index.type)}) {`);
      this.depth++;
      const v = this.expr(value);
      const ix = helperIx && index.type === 'i32' ? `bitcast<u32>(${i})` : i;
      this.line(this.storeAt(info, ix, v));
      this.depth--;
      this.line('}');
      return;
    }
    const [ix, v] = this.seq([index, value]);
    this.line(this.storeAt(info, helperIx && index.type === 'i32' ? `bitcast<u32>(${ix})` : ix, v));
  }

  protected atomic(e: AtomicExpr): string {
    const info = this.arr(e.array);
    const t = e.type;
    if (e.array.space === 'local') return this.fail('atomic on local array', `numbat internal error: atomic on local array '${info.user}'`, e.loc);
    const result = this.tmp();
    // Index first (JS order), then the operands.
    const i = this.tmp('i');
    this.line(`let ${i} = ${this.expr(e.index)};`);
    const ixU = e.index.type === 'i32' ? `bitcast<u32>(${i})` : i;
    this.line(`var ${result}: ${WGSL_TYPE[t]};`);
    let close = false;
    if (this.opts.boundscheck) {
      this.line(`if (${this.inBounds(e.array, i, e.index.type)}) {`);
      this.depth++;
      close = true;
    }
    const operands = e.expected ? this.seq([e.expected, e.value]) : this.seq([e.value]);
    this.line(`${result} = ${this.atomicCall(info, e, ixU, operands)};`);
    if (close) { this.depth--; this.line('}'); }
    return result;
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Emits several operands in order. When a later operand needs pre-lines, an
   * earlier operand that reads memory is first saved in a `let`, so that the
   * pre-lines (an atomic, say) cannot change what it reads.
   */
  protected seq(es: Expr[], rtConst = false): string[] {
    const parts = es.map((e) => this.capture(() => this.expr(e, rtConst)));
    const out: string[] = [];
    parts.forEach(([s, lines], k) => {
      this.flush(lines);
      const laterLines = parts.slice(k + 1).some(([, l]) => l.length > 0);
      if (laterLines && readsMemory(es[k])) {
        const t = this.tmp();
        this.line(`let ${t} = ${s};`);
        out.push(t);
      } else out.push(s);
    });
    return out;
  }

  protected expr(e: Expr, rtConst = false): string {
    const savedLoc = this.loc;
    if (e.loc) this.loc = e.loc;
    try {
      return this.exprInner(e, rtConst);
    } finally {
      this.loc = savedLoc;
    }
  }

  protected exprInner(e: Expr, rtConst: boolean): string {
    // Operations on constants only would be const-evaluated by WGSL, where an
    // overflow or NaN is a shader-creation error: pass constants through an
    // identity function so that they are run-time values with JS's results.
    const rt = isConstTree(e) && e.kind !== 'const';
    switch (e.kind) {
      case 'const': return typeof e.value === 'bigint' ? this.fail('64-bit integers', 'numbat internal error: a 64-bit constant reached the WGSL emitter') : this.constant(e.type, e.value, rtConst);
      case 'param': {
        const slot = this.layout.scalars.find((s) => s.param === e.index)!;
        return slot.type === 'bool' ? `(nb_a.${slot.field} != 0u)` : `nb_a.${slot.field}`;
      }
      case 'local': return this.localNames[e.id];
      case 'special': return special(e.reg, 'xyz'[e.dim]);
      case 'unary': {
        const [x] = this.seq([e.x], rt);
        if (e.op === 'neg') return e.type === 'f32' ? `${this.helpers.use('nb_neg')}(${x})` : `(-${x})`;
        return e.op === 'not' ? `(!${x})` : `(~${x})`;
      }
      case 'binary': {
        const [a, b0] = this.seq([e.a, e.b], rt);
        const exact = e.opType === 'f32' && !this.opts.fastmath;
        // x - x, x / x, x == x, x <= x … are folded by drivers that assume no NaN/Infinity
        // (the operands may be one value under two names, or two equal expressions the
        // driver merges, like (a + 1) - (a + 1)): hide the right operand, always.
        const b = exact && OPAQUE_RIGHT.has(e.op) ? this.opaque(b0) : b0;
        if (e.op === 'div' && exact && !safeDivisor(e.b)) return this.opaque(`${this.helpers.use('nb_div')}(${a}, ${b})`);
        if (e.opType === 'bool' && ORDERED.has(e.op)) {
          // JS compares booleans as numbers (false < true); WGSL has no ordered bool comparison.
          return this.binary(e.op, 'u32', `select(0u, 1u, ${a})`, `select(0u, 1u, ${b})`);
        }
        const r = this.binary(e.op, e.opType, a, b);
        return exact && FLOAT_ARITH.has(e.op) ? this.opaque(r) : r;
      }
      case 'logical': {
        const a = this.expr(e.a, rt);
        const [b, lines] = this.capture(() => this.expr(e.b, rt));
        if (!lines.length) return `(${a} ${e.op === 'and' ? '&&' : '||'} ${b})`;
        // The right operand needs statements: evaluate it only when JS would.
        const t = this.tmp();
        this.line(`var ${t} = ${a};`);
        this.line(`if (${e.op === 'and' ? t : `!${t}`}) {`);
        this.flush(lines, 1);
        this.line(`  ${t} = ${b};`);
        this.line('}');
        return t;
      }
      case 'cond': {
        const c = this.expr(e.c, rt);
        const [a, la] = this.capture(() => this.expr(e.a, rt));
        const [b, lb] = this.capture(() => this.expr(e.b, rt));
        const effects = this.opts.boundscheck ? (hasLoadOrAtomic(e.a) || hasLoadOrAtomic(e.b)) : false;
        if (!la.length && !lb.length && !effects) return `select(${b}, ${a}, ${c})`;
        const t = this.tmp();
        this.line(`var ${t}: ${WGSL_TYPE[e.type]};`);
        this.line(`if (${c}) {`);
        this.flush(la, 1);
        this.line(`  ${t} = ${a};`);
        this.line('} else {');
        this.flush(lb, 1);
        this.line(`  ${t} = ${b};`);
        this.line('}');
        return t;
      }
      case 'select': {
        const [c, a, b] = this.seq([e.c, e.a, e.b], rt);
        return `select(${b}, ${a}, ${c})`;
      }
      case 'convert': {
        const [x] = this.seq([e.x], rt);
        const r = this.convert(e.x.type, e.type, x);
        // An integer the driver knows (a local still 0) would make `f32(0) / y` foldable to 0.
        return hidesIntToFloat(e, this.opts.fastmath) ? this.opaque(r) : r;
      }
      case 'bitcast': {
        // f32 <-> i32/u32 only: WGSL has no f64 or 64-bit integers
        const [x] = this.seq([e.x], rt);
        return `bitcast<${WGSL_TYPE[e.type]}>(${x})`;
      }
      case 'load': {
        const info = this.arr(e.array);
        const [idx] = this.seq([e.index]);
        const packed = info.storage === 'packed' || info.storage === 'packedAtomic';
        return this.loadAt(info, this.index(e.array, idx, e.index.type, packed, e.inBounds));
      }
      case 'length': {
        const info = this.arr(e.array);
        return `i32(${info.len})`;
      }
      case 'math': {
        const args = this.seq(e.args, rt);
        return MATH_LOWERING[e.fn](args, e.type, this.helpers, this.opts.fastmath ?? false);
      }
      case 'atomic': return this.atomic(e);
    }
  }

  protected constant(t: ScalarType, v: number | boolean, rtConst: boolean): string {
    const lit = literal(t, v);
    if (lit === undefined) {
      if (t !== 'f32') return this.fail('f64 value', 'numbat internal error: constant without a WGSL literal');
      const bits = `${this.helpers.use('nb_f32_bits')}(0x${f32Bits(Number(v)).toString(16)}u)`;
      return this.opts.fastmath ? bits : this.opaque(bits);
    }
    // f32 constants are opaque (no x * 0 → 0, x / 0 dropped, constant reassociation).
    if (t === 'f32' && !this.opts.fastmath) return this.opaque(lit);
    if (!rtConst || t === 'bool') return lit;
    const fn = `nb_rt_${t}`;
    if (!this.generated.has(fn)) this.generated.set(fn, `fn ${fn}(x: ${t}) -> ${t} { return x; }`);
    return `${fn}(${lit})`;
  }

  /** A value the driver's optimiser cannot see through (see nb_opq). */
  protected opaque(x: string): string {
    return `${this.helpers.use('nb_opq')}(${x})`;
  }

  protected binary(op: BinaryOp, t: ScalarType, a: string, b: string): string {
    const int = t === 'i32' || t === 'u32';
    const h = (name: string): string => `${this.helpers.use(name)}(${a}, ${b})`;
    switch (op) {
      case 'add': return `(${a} + ${b})`;
      case 'sub': return `(${a} - ${b})`;
      case 'mul': return `(${a} * ${b})`;
      case 'div': return `(${a} / ${b})`;
      // Integer divisors are never 0 or (signed) -1 here, shift counts are in [0, 31]: legalisation (core) made them so.
      // A float `%` arrives as a call of nb_fmod (core's 'float-rem' rule: WGSL's `%` is inexact).
      case 'rem': return int ? `(${a} % ${b})` : this.fail('operator', 'numbat internal error: a float % reached the WGSL emitter (legalisation writes it as fmod)');
      case 'truncdiv': return `(${a} / ${b})`;
      case 'floordiv': return this.fail('operator', 'numbat internal error: floordiv reached the WGSL emitter (legalisation writes it as truncdiv)');
      case 'and': return `(${a} & ${b})`;
      case 'or': return `(${a} | ${b})`;
      case 'xor': return `(${a} ^ ${b})`;
      case 'shl': return `(${a} << bitcast<u32>(${b}))`;
      case 'shr': return `(${a} >> bitcast<u32>(${b}))`;
      case 'ushr': return `(${a} >> ${b})`;
      case 'eq': return `(${a} == ${b})`;
      case 'ne': return `(${a} != ${b})`;
      case 'lt': return `(${a} < ${b})`;
      case 'le': return `(${a} <= ${b})`;
      case 'gt': return `(${a} > ${b})`;
      case 'ge': return `(${a} >= ${b})`;
      // Integers only: float min/max are legalised into selects.
      case 'min': return `min(${a}, ${b})`;
      case 'max': return `max(${a}, ${b})`;
      // A new BinaryOp is a build error here (op is `never`), not a run-time failure.
      default: return this.fail('operator', `numbat internal error: unknown binary op ${op satisfies never}`);
    }
  }

  /** f32 reaching an integer conversion is in [0, 2^32), f32 reaching bool is a number: legalisation (core) made it so. */
  protected convert(from: ScalarType, to: ScalarType, x: string): string {
    if (from === to) return x;
    if (to === 'bool') return from === 'f32' ? `(${x} != 0.0f)` : from === 'i32' ? `(${x} != 0i)` : `(${x} != 0u)`;
    if (from === 'bool') return to === 'i32' ? `select(0i, 1i, ${x})` : to === 'u32' ? `select(0u, 1u, ${x})` : `select(0.0f, 1.0f, ${x})`;
    switch (to) {
      case 'i32': return from === 'u32' ? `bitcast<i32>(${x})` : `i32(${x})`;
      case 'u32': return from === 'i32' ? `bitcast<u32>(${x})` : `u32(${x})`;
      case 'f32': return `f32(${x})`;
      case 'f64': return this.fail('conversion to f64', 'numbat internal error: f64 conversion reached the WGSL emitter');
      // Core refuses 64-bit integers on webgpu (caps.i64 absent) before this point.
      case 'i64': case 'u64': return this.fail('64-bit integers', `numbat internal error: a conversion to ${to} reached the WGSL emitter`);
      // A new ScalarType is a build error here (to is `never`), not a run-time failure.
      default: return this.fail('conversion', `numbat internal error: unknown conversion to ${to satisfies never}`);
    }
  }
}

/** f32 operations whose results pass through nb_opq. */
const FLOAT_ARITH = new Set(['add', 'sub', 'mul', 'div']);

/** f32 operations whose right operand passes through nb_opq (it may be the left one). */
const OPAQUE_RIGHT = new Set(['sub', 'div', 'eq', 'ne', 'lt', 'le', 'gt', 'ge']);

const ORDERED = new Set(['lt', 'le', 'gt', 'ge']);

/** i32/u32/bool → f32 conversions pass through nb_opq (drivers fold `0.0 / y`, `0.0 * y` to 0). */
function hidesIntToFloat(e: Expr, fastmath: boolean | undefined): boolean {
  return !fastmath && e.kind === 'convert' && e.type === 'f32' && e.x.type !== 'f32';
}

/** A constant divisor in the range where WGSL's division is exact enough (|y| in [2^-126, 2^126]). */
function safeDivisor(e: Expr): boolean {
  if (e.kind !== 'const') return false;
  const v = Math.abs(Number(e.value));
  return v >= 1.1754943508222875e-38 && v <= 8.507059173023462e37;
}

function special(reg: string, c: string): string {
  switch (reg) {
    case 'threadIdx': return `i32(nb_lid.${c})`;
    case 'blockIdx': return `nb_bid.${c}`;
    case 'blockDim': return `i32(nb_b${c})`;
    default: return `i32(nb_a.grid_${c})`;
  }
}

function isConstTree(e: Expr): boolean {
  switch (e.kind) {
    case 'const': return true;
    case 'unary': case 'convert': return isConstTree(e.x);
    case 'binary': return isConstTree(e.a) && isConstTree(e.b);
    case 'math': return e.args.every(isConstTree);
    default: return false;
  }
}

function readsMemory(e: Expr): boolean {
  return hasLoadOrAtomic(e);
}

function hasLoadOrAtomic(e: Expr): boolean {
  switch (e.kind) {
    case 'load': case 'atomic': return true;
    case 'unary': case 'convert': return hasLoadOrAtomic(e.x);
    case 'binary': case 'logical': return hasLoadOrAtomic(e.a) || hasLoadOrAtomic(e.b);
    case 'cond': case 'select': return hasLoadOrAtomic(e.c) || hasLoadOrAtomic(e.a) || hasLoadOrAtomic(e.b);
    case 'math': return e.args.some(hasLoadOrAtomic);
    default: return false;
  }
}
