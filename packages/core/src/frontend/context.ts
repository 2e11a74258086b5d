// The state of one lowering round and the services every lowering file uses:
// the IR being built (params, locals, arrays), lexical scopes, the frame of
// each inlined function, the statement lists being emitted, and diagnostics.
// The lowering itself is free functions over a LowerContext (statements.ts,
// expressions.ts, operators.ts, arrays.ts, builtins.ts, math.ts, inline.ts).

import type * as acorn from 'acorn';
import type { ArrayRef, Expr, KernelArray, Loc, Local, Param, Stmt } from '../ir/nodes.js';
import { CompileError } from '../errors.js';
import type { ParamType, ScalarType } from '../types.js';
import { is64 } from '../types.js';
import { BIGINT_MIX } from './int64.js';
import type { ParsedFunction } from './source.js';
import type { ScalarVal, Val } from './values.js';
import { convertValue, literalType } from './values.js';
import type { Contribution } from './local-types.js';
import { joinContributions, joinOrFirst } from './local-types.js';
import { coerce, operandType } from './typing.js';
import { constExpr } from './ir-build.js';
import { describeVal } from './diagnostics.js';

/** An acorn node with its type-specific fields. */
export type N = acorn.Node & Record<string, any>;

export type LocalBinding = { kind: 'local'; id: number; key: string; mutable: boolean; name: string; /** a `const` declared with a constant number */ constValue?: number };
export type Binding = LocalBinding | { kind: 'param'; index: number; type: ScalarType } | { kind: 'val'; val: Val };

/** State of an inlined device function's copy. */
export interface DeviceFrame {
  /** The local holding the result, and its type key. */
  result: number;
  resultKey: string;
  /** A bool local set by `return`: code after a statement that may return runs only while it is false. */
  done: number;
  /** Loop depth at the call: a return inside deeper loops breaks out of them. */
  loopDepth: number;
  /** The assignments of returned values, converted to the result's type once every return is seen (`item`: element of an array return). */
  returns: { stmt: Stmt & { kind: 'assign' }; value: ScalarVal; item?: number }[];
  /** `return [a, b]`: one result local per element, made at the first such return; `scalar`: a plain return was seen. */
  items?: { id: number; key: string }[];
  scalar?: boolean;
  /** The function's node and name (names and keys of the element locals). */
  fnNode: N;
  fnName: string;
}

/** Per-function lowering frame: the kernel itself or an inlined device function. */
export interface Frame {
  parsed: ParsedFunction;
  globals: Record<string, unknown>;
  /**
   * Which inlined copy this is: the kernel is 'k', a call adds '>' and the call
   * node's id. Local types are keyed by it, so each call of a device function is
   * typed by its own arguments (numba types a device function per signature).
   */
  instance: string;
  device?: DeviceFrame;
  /** Arrays whose later accesses in this function (and those it calls) are proven in bounds (thread-check.ts), by arrayKey. */
  inBounds?: Set<string>;
  /** Where this device function was called, in the caller's file. */
  callLoc?: Loc;
}

/** A key naming an array of the kernel (global parameter or kernel array). */
export const arrayKey = (r: ArrayRef): string => (r.space === 'global' ? `g${r.param}` : `${r.space}${r.id}`);

export interface LowerInput {
  parsed: ParsedFunction;
  globals: Record<string, unknown>;
  paramTypes: ParamType[];
  float: 'f32' | 'f64';
  /** Bounds checks on (the default): multi-dimensional subscripts are then checked each against its extent. */
  boundscheck?: boolean;
}

/** Stable ids of AST nodes (a parsed function's AST is kept, so ids hold across fixed-point rounds). */
const nodeIds = new WeakMap<object, number>();
let nextNodeId = 0;
export function nodeId(node: object): number {
  let id = nodeIds.get(node);
  if (id === undefined) { id = ++nextNodeId; nodeIds.set(node, id); }
  return id;
}

export class LowerContext {
  readonly float: 'f32' | 'f64';
  readonly params: Param[] = [];
  readonly locals: Local[] = [];
  readonly arrays: KernelArray[] = [];
  /** Everything assigned to each user local, by type key: joined into its type for the next round. */
  private readonly contributions = new Map<string, { name: string; node: N; frame: Frame; cs: Contribution[] }>();
  scopes: Map<string, Binding>[] = [];
  readonly frames: Frame[] = [];
  /** Statements being emitted; expressions with effects append to the innermost. */
  private readonly out: Stmt[][] = [];
  loopDepth = 0;
  hasBarrier = false;
  /** A warp collective was emitted (frontend/warp.ts). */
  hasWarp = false;
  /** The log buffer's hidden parameters and console.log sites, once the kernel logs (console.ts). */
  log?: { params: [number, number, number]; sites: import('../ir/nodes.js').LogSite[] };
  /** Syntax nodes inlined so far (device function bodies, once per call). */
  inlinedNodes = 0;
  /** The first type error of this round, thrown only if the round turns out to be the settled one. */
  typeError?: CompileError;
  /** The expression being lowered as a whole statement's value (nothing else is read after it): see wholeValue. */
  private whole?: N;
  /** Temps assigned once and never again (effect results): reading them later gives the same value, no copy needed. */
  private readonly assignedOnce = new Set<number>();
  /** The locals typed by inference (newLocal), by key: settledWith compares their types with the inferred ones. */
  private readonly keyedLocals: { id: number; key: string }[] = [];

  constructor(readonly input: LowerInput, private readonly knownTypes: Map<string, ScalarType>) {
    this.float = input.float;
  }

  get frame(): Frame { return this.frames[this.frames.length - 1]; }

  /** Is an access of `ref` here proven in bounds by an enclosing function's check (thread-check.ts)? */
  provenInBounds(ref: ArrayRef): boolean {
    const key = arrayKey(ref);
    return this.frames.some((f) => f.inBounds?.has(key));
  }

  // ---------------------------------------------------------------- diagnostics

  loc(node: N): Loc {
    return this.frame.parsed.locAt(node.start);
  }

  fail(node: N | undefined, construct: string, message: string): never {
    throw this.error(node, construct, message);
  }

  private error(node: N | undefined, construct: string, message: string): CompileError {
    return new CompileError(construct, message, this.input.parsed.name, this.frame.parsed.source, node?.loc ? this.loc(node) : undefined);
  }

  /**
   * A check that depends on the types of locals: recorded, not thrown, because
   * this round may still see provisional types; the caller carries on with a
   * fallback, and lowerKernel throws it if this round is the settled one.
   */
  typeFail(node: N, construct: string, message: string): void {
    this.typeError ??= this.error(node, construct, message);
  }

  /** v as a scalar, or a CompileError saying what it is instead. */
  scalar(v: Val, node: N, what: string): ScalarVal {
    if (v.k === 'scalar') return v;
    const desc = describeVal(v);
    return this.fail(node, desc, `${what} must be a number or boolean, got ${desc}`);
  }

  /** The common type of two operands; an i32/u32 mix is a (settled-round) type error. */
  operandType(node: N, op: string, a: ScalarVal, b: ScalarVal, compare = false): ScalarType {
    const r = operandType(a, b, compare, this.float);
    // Carry on as u32: a provisional i32 is usually a local whose u32 value is not yet seen.
    if (r.mix === 'bigint-number') this.typeFail(node, 'BigInt and number mixed', `${BIGINT_MIX} (${op}; convert with BigInt(x) / i64(x), or Number(b))`);
    else if (r.mix === 'i64-u64') this.typeFail(node, 'i64/u64 mix', `${op} mixes i64 and u64 operands; convert one explicitly (BigInt.asIntN(64, x) gives i64, BigInt.asUintN(64, x) gives u64)`);
    else if (r.mix) this.typeFail(node, 'i32/u32 mix', `operator ${op} mixes i32 and u32 operands; convert one explicitly (\`x | 0\` gives i32, \`x >>> 0\` gives u32)`);
    return r.type;
  }

  // ---------------------------------------------------------------- scopes & locals

  lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) return b;
    }
    return undefined;
  }

  declare(name: string, b: Binding, node: N): void {
    const s = this.scopes[this.scopes.length - 1];
    if (s.has(name)) this.fail(node, 'redeclaration', `'${name}' is declared twice in the same scope`);
    s.set(name, b);
  }

  /** A user-declared local; its type comes from the previous fixed-point round or its first value. */
  newLocal(name: string, node: N, first: Contribution | undefined, mutable: boolean): LocalBinding {
    // By inlined copy and AST node: never by file/line/offset, which two device
    // functions can share (one line, `new Function`, a bundle).
    const key = `${this.frame.instance}/${nodeId(node)}:${name}`;
    let type = this.knownTypes.get(key);
    if (!type) type = first ? joinOrFirst(first, this.float) : 'i32';
    const id = this.locals.length;
    this.locals.push({ id, name, type });
    this.keyedLocals.push({ id, key });
    if (!this.contributions.has(key)) this.contributions.set(key, { name, node, frame: this.frame, cs: [] });
    return { kind: 'local', id, key, mutable, name };
  }

  /** Records a value assigned to a local (or returned into a result): its type joins the local's. */
  contribute(key: string, v: ScalarVal): void {
    this.contributions.get(key)!.cs.push({ type: v.e.type, lit: v.lit, big: v.big });
  }

  /** What has been assigned to a local so far in this round. */
  contributionsOf(key: string): Contribution[] {
    return this.contributions.get(key)!.cs;
  }

  /** A compiler temporary: exactly one type, no inference. */
  temp(type: ScalarType, name = 'tmp'): number {
    const id = this.locals.length;
    this.locals.push({ id, name: `${name}.${id}`, type });
    return id;
  }

  readLocal(b: LocalBinding): ScalarVal {
    return { k: 'scalar', e: { kind: 'local', id: b.id, type: this.locals[b.id].type } };
  }

  /**
   * Did every inferred local end this round with the type the round infers for it? Then a round
   * given those types would lower the same IR (the types are a round's only input besides the
   * kernel), so this one is the settled round: no confirming round needed.
   */
  settledWith(inferred: Map<string, ScalarType>): boolean {
    return this.keyedLocals.every(({ id, key }) => inferred.get(key) === this.locals[id].type);
  }

  /** The joined type of every declared local, for the next fixed-point round (and the first i32/u32 mix, if any). */
  inferredTypes(): { types: Map<string, ScalarType>; conflict?: () => never } {
    const m = new Map<string, ScalarType>();
    let conflict: (() => never) | undefined;
    for (const [key, { name, node, frame, cs }] of this.contributions) {
      const j = joinContributions(cs, this.float);
      if (!j.ok) {
        conflict ??= () => {
          this.frames.push(frame);
          if (is64(j.types[0]) || is64(j.types[1])) this.fail(node, 'BigInt and number mixed', `local '${name}' is assigned both ${j.types[0]} and ${j.types[1]} values; ${is64(j.types[0]) && is64(j.types[1]) ? 'convert one explicitly (BigInt.asIntN(64, x) gives i64, BigInt.asUintN(64, x) gives u64)' : 'a kernel local holds BigInts or numbers, not both (convert with BigInt(x) or Number(b))'}`);
          this.fail(node, 'i32/u32 mix', `local '${name}' is assigned both ${j.types[0]} and ${j.types[1]} values; convert one explicitly (\`x | 0\` gives i32, \`x >>> 0\` gives u32)`);
        };
      }
      m.set(key, j.ok ? j.type : j.types[0]);
    }
    return { types: m, conflict };
  }

  // ---------------------------------------------------------------- emitting

  emit(s: Stmt): void { this.out[this.out.length - 1].push(s); }

  /** The statements f emits, collected instead of emitted. */
  collect(f: () => void): Stmt[] {
    this.out.push([]);
    f();
    return this.out.pop()!;
  }

  /** Is any statement list open (false only outside the function body)? */
  get emitting(): boolean { return this.out.length > 0; }

  /** Where the next emitted statement goes: pass to spillBefore or dropSince. */
  mark(): number {
    return this.out[this.out.length - 1].length;
  }

  /** Drops what was emitted since mark (a lowering attempt that turned out not to apply). */
  dropSince(mark: number): void {
    this.out[this.out.length - 1].length = mark;
  }

  /** When lowering b emitted statements, `a` (already computed) must be read before them. */
  spillBefore(a: ScalarVal, mark: number): ScalarVal {
    const cur = this.out[this.out.length - 1];
    if (cur.length === mark || a.lit !== undefined || a.e.kind === 'const' || a.e.kind === 'param' || a.e.kind === 'special') return a;
    if (a.e.kind === 'local' && this.assignedOnce.has(a.e.id)) return a;
    const t = this.temp(a.e.type);
    cur.splice(mark, 0, { kind: 'assign', local: t, value: a.e });
    return { k: 'scalar', e: { kind: 'local', id: t, type: a.e.type } };
  }

  /**
   * f lowers `node` as the entire value of a statement (an expression
   * statement, a declaration's initialiser, `x = …` to a local): an atomic there
   * stays in the statement; anywhere else it becomes a statement of its own
   * (effect), so that the operands before it are read first.
   */
  wholeValue<T>(node: N, f: () => T): T {
    const saved = this.whole;
    this.whole = node;
    try { return f(); } finally { this.whole = saved; }
  }

  /**
   * An expression with an effect (an atomic): unless it is a statement's whole
   * value it is evaluated here, once, into a temp. Like every operand that emits
   * a statement, the operands before it are then copied first (spillBefore), so
   * `a[0] + cuda.atomic.add(a, 0, 1)` reads a[0] before the add on every target,
   * whatever order a backend evaluates an expression in.
   */
  effect(e: Expr, node: N): Expr {
    if (node === this.whole || !this.emitting) return e;
    const t = this.temp(e.type, 'old');
    this.assignedOnce.add(t);
    this.emit({ kind: 'assign', local: t, value: e, loc: this.loc(node) });
    return { kind: 'local', id: t, type: e.type };
  }

  /** Evaluate once: copy non-trivial expressions into a temp so they can be read twice. */
  stable(e: Expr): Expr {
    if (e.kind === 'const' || e.kind === 'param' || e.kind === 'special') return e;
    const t = this.temp(e.type);
    this.emit({ kind: 'assign', local: t, value: e });
    return { kind: 'local', id: t, type: e.type };
  }

  /** An abstract literal: typed by its natural type until an operand gives it another. `node` is where it was written. */
  lit(v: number | boolean, node?: N): ScalarVal {
    const t = literalType(v, this.float);
    return { k: 'scalar', e: constExpr(t, convertValue(v, t)), lit: v, at: node && { node, frame: this.frame } };
  }

  /**
   * v converted to t as an operand of t's arithmetic (typing.ts coerce). An
   * integer literal JS holds exactly (a safe integer) that f32 cannot hold is
   * refused there: `x + 16777217` would silently add 16777216. Conversions that
   * are JS's own rounding (stores into f32 arrays, Math.fround, f32(x)) use
   * coerce directly.
   */
  coerce(v: ScalarVal, t: ScalarType): Expr {
    const x = v.lit;
    if (t === 'f32' && typeof x === 'number' && Number.isSafeInteger(x) && Math.fround(x) !== x && v.at) {
      const { node, frame } = v.at;
      this.frames.push(frame);
      try {
        this.typeFail(node, `inexact integer ${x}`, `the integer literal ${x} is not exact in f32: this f32 arithmetic would use ${Math.fround(x)}${this.float === 'f32' ? ' (the default float is f32)' : ''}. Compute in f64 (\`{ float: 'f64' }\` or f64(x)) where the target has f64, use 32-bit integer arithmetic (u32(…), … >>> 0, … | 0), or write Math.fround(${x}) to accept the rounding`);
      } finally { this.frames.pop(); }
    }
    return coerce(v, t);
  }
}
