// AST → typed IR. One pass over the kernel's acorn AST that resolves names,
// types every expression (JS semantics, abstract literals), inlines device
// functions and refuses what the kernel language does not have. Local types are
// found by running the pass to a fixed point (see local-types.ts).

import type * as acorn from 'acorn';
import type { ArrayRef, Expr, KernelArray, KernelIR, Loc, Local, Param, SourceInfo, Stmt } from '../ir/nodes.js';
import type { BinaryOp } from '../ir/ops.js';
import { COMPARE_OPS } from '../ir/ops.js';
import { CompileError } from '../errors.js';
import { DTYPE_NAMES, ELEM_TYPES, elemTypeOfTypedArray, isDType, isFloat, isInt, loadType } from '../types.js';
import type { ElemType, ParamType, ScalarType } from '../types.js';
import { isCudaMathFn, isMathFn, MATH_CONSTANTS, MATH_DECLS, mathSignature } from '../intrinsics.js';
import { DeviceFunction, isDeviceFunction } from '../device-function.js';
import type { FnNode, ParsedFunction } from './source.js';
import type { ArrayVal, ScalarVal, Val } from './values.js';
import { constExpr, convertValue, literalFits, literalType } from './values.js';
import type { Contribution } from './local-types.js';
import { joinContributions } from './local-types.js';
import { resolveHostValue, BUILTIN_NAMES } from './names.js';

type N = acorn.Node & Record<string, any>;

type Binding =
  | { kind: 'local'; id: number; key: string; mutable: boolean; name: string }
  | { kind: 'param'; index: number }
  | { kind: 'val'; val: Val };

/** Per-function lowering frame: the kernel itself or an inlined device function. */
interface Frame {
  parsed: ParsedFunction;
  globals: Record<string, unknown>;
  /**
   * Which inlined copy this is: the kernel is 'k', a call adds '>' and the call
   * node's id. Local types are keyed by it, so each call of a device function is
   * typed by its own arguments (numba types a device function per signature).
   */
  instance: string;
  device?: { result: number; resultKey: string; done: number; loopDepth: number; returns: { stmt: Stmt & { kind: 'assign' }; value: ScalarVal }[] };
}

export interface LowerInput {
  parsed: ParsedFunction;
  globals: Record<string, unknown>;
  paramTypes: ParamType[];
  float: 'f32' | 'f64';
  /** Bounds checks on (the default): multi-dimensional subscripts are then checked each against its extent. */
  boundscheck?: boolean;
}

const MAX_FIXPOINT = 10;
/**
 * Device functions are inlined at every call, so nested calls multiply: a
 * function calling the next twice, 16 deep, would be 65536 copies. Past this
 * many syntax nodes of inlined code the kernel is refused (the largest library
 * kernels, Philox random numbers, inline a few thousand).
 */
export const MAX_INLINED_NODES = 50_000;

export function lowerKernel(input: LowerInput): KernelIR {
  let types = new Map<string, ScalarType>();
  for (let iter = 0; ; iter++) {
    const l = new Lowerer(input, types);
    const ir = l.run();
    const { types: next, conflict } = l.inferredTypes();
    // Type errors count only once the types have settled: a round's guess (a local
    // not yet assigned is i32, a device function's result is i32 until its returns
    // are seen) may cause a passing one. The settled round saw the final types.
    if (sameTypes(types, next) || iter >= MAX_FIXPOINT) {
      if (l.typeError) throw l.typeError;
      if (conflict) conflict();
      return ir;
    }
    types = next;
  }
}

/** Stable ids of AST nodes (a parsed function's AST is kept, so ids hold across fixed-point rounds). */
const nodeIds = new WeakMap<object, number>();
let nextNodeId = 0;
function nodeId(node: object): number {
  let id = nodeIds.get(node);
  if (id === undefined) { id = ++nextNodeId; nodeIds.set(node, id); }
  return id;
}

function sameTypes(a: Map<string, ScalarType>, b: Map<string, ScalarType>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

class Lowerer {
  private readonly float: 'f32' | 'f64';
  private readonly params: Param[] = [];
  private readonly locals: Local[] = [];
  private readonly arrays: KernelArray[] = [];
  private readonly contributions = new Map<string, { name: string; node: N; frame: Frame; cs: Contribution[] }>();
  private readonly localKeyType = new Map<string, ScalarType>();
  private scopes: Map<string, Binding>[] = [];
  private frames: Frame[] = [];
  /** Statements being emitted; expressions with effects append to the innermost. */
  private out: Stmt[][] = [];
  private loopDepth = 0;
  private hasBarrier = false;
  /** Syntax nodes inlined so far (device function bodies, once per call). */
  private inlinedNodes = 0;
  private readonly kernelSource: SourceInfo;
  /** The first type error of this round, thrown only if the round turns out to be the settled one. */
  typeError?: CompileError;

  constructor(private readonly input: LowerInput, private readonly knownTypes: Map<string, ScalarType>) {
    this.float = input.float;
    this.kernelSource = input.parsed.source;
  }

  run(): KernelIR {
    const { parsed, paramTypes } = this.input;
    const frame: Frame = { parsed, globals: this.input.globals, instance: 'k' };
    this.frames.push(frame);
    const fn = parsed.node as N;
    if (fn.async || fn.generator) this.fail(fn, fn.async ? 'async function' : 'generator', 'kernels cannot be async or generators');
    if (fn.params.length !== paramTypes.length) {
      this.fail(fn, 'arguments', `kernel '${parsed.name}' takes ${fn.params.length} parameter(s) but was given ${paramTypes.length} argument(s)`);
    }
    const scope = new Map<string, Binding>();
    fn.params.forEach((p: N, i: number) => {
      if (p.type !== 'Identifier') this.fail(p, 'parameter pattern', 'kernel parameters must be plain names (no defaults, destructuring or rest)');
      const t = paramTypes[i];
      this.params.push({ name: p.name, type: t, written: false, atomic: false });
      if (t.kind === 'array') scope.set(p.name, { kind: 'val', val: { k: 'array', ref: { space: 'global', param: i }, elem: t.elem, name: p.name } });
      else scope.set(p.name, { kind: 'param', index: i });
    });
    this.scopes.push(scope);
    const body = this.lowerFunctionBody(fn);
    return {
      name: parsed.name, params: this.params, locals: this.locals, arrays: this.arrays, body,
      float: this.float, hasBarrier: this.hasBarrier, source: this.kernelSource,
    };
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
          this.fail(node, 'i32/u32 mix', `local '${name}' is assigned both ${j.types[0]} and ${j.types[1]} values; convert one explicitly (\`x | 0\` gives i32, \`x >>> 0\` gives u32)`);
        };
      }
      m.set(key, j.ok ? j.type : j.types[0]);
    }
    return { types: m, conflict };
  }

  // ---------------------------------------------------------------- errors

  private get frame(): Frame { return this.frames[this.frames.length - 1]; }

  private loc(node: N): Loc {
    return this.frame.parsed.locAt(node.start);
  }

  fail(node: N, construct: string, message: string): never {
    throw this.error(node, construct, message);
  }

  private error(node: N, construct: string, message: string): CompileError {
    return new CompileError(construct, message, this.input.parsed.name, this.frame.parsed.source, node?.loc ? this.loc(node) : undefined);
  }

  /**
   * A check that depends on the types of locals: recorded, not thrown, because
   * this round may still see provisional types; the caller carries on with a
   * fallback, and lowerKernel throws it if this round is the settled one.
   */
  private typeFail(node: N, construct: string, message: string): void {
    this.typeError ??= this.error(node, construct, message);
  }

  // ---------------------------------------------------------------- scopes & locals

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) return b;
    }
    return undefined;
  }

  private declare(name: string, b: Binding, node: N): void {
    const s = this.scopes[this.scopes.length - 1];
    if (s.has(name)) this.fail(node, 'redeclaration', `'${name}' is declared twice in the same scope`);
    s.set(name, b);
  }

  /** A user-declared local; its type comes from the previous fixed-point round or its first value. */
  private newLocal(name: string, node: N, first: Contribution | undefined, mutable: boolean): Binding & { kind: 'local' } {
    // By inlined copy and AST node: never by file/line/offset, which two device
    // functions can share (one line, `new Function`, a bundle).
    const key = `${this.frame.instance}/${nodeId(node)}:${name}`;
    let type = this.knownTypes.get(key);
    if (!type) type = first ? joinOrFirst(first, this.float) : 'i32';
    const id = this.locals.length;
    this.locals.push({ id, name, type });
    this.localKeyType.set(key, type);
    if (!this.contributions.has(key)) this.contributions.set(key, { name, node, frame: this.frame, cs: [] });
    return { kind: 'local', id, key, mutable, name };
  }

  private contribute(b: Binding & { kind: 'local' }, v: ScalarVal): void {
    this.contributions.get(b.key)!.cs.push({ type: v.e.type, lit: v.lit });
  }

  /** A compiler temporary: exactly one type, no inference. */
  private temp(type: ScalarType, name = 'tmp'): number {
    const id = this.locals.length;
    this.locals.push({ id, name: `${name}.${id}`, type });
    return id;
  }

  private emit(s: Stmt): void { this.out[this.out.length - 1].push(s); }

  private collect(f: () => void): Stmt[] {
    this.out.push([]);
    try { f(); } finally { /* popped below */ }
    return this.out.pop()!;
  }

  // ---------------------------------------------------------------- statements

  private lowerFunctionBody(fn: N): Stmt[] {
    if (fn.body.type !== 'BlockStatement') {
      // Arrow function with an expression body.
      return this.collect(() => {
        const v = this.expr(fn.body);
        if (this.frame.device) this.setResult(fn.body, v);
      });
    }
    return this.collect(() => this.block(fn.body.body));
  }

  private block(stmts: N[]): void {
    this.scopes.push(new Map());
    for (let i = 0; i < stmts.length; i++) {
      this.stmt(stmts[i]);
      // In an inlined device function, code after a statement that may return runs only if it did not.
      const dev = this.frame.device;
      if (dev && i < stmts.length - 1 && mayReturn(stmts[i])) {
        const rest = stmts.slice(i + 1);
        const then = this.collect(() => this.block(rest));
        this.emit({ kind: 'if', cond: { kind: 'unary', op: 'not', type: 'bool', x: { kind: 'local', id: dev.done, type: 'bool' } }, then, else: [] });
        break;
      }
    }
    this.scopes.pop();
  }

  private stmt(node: N): void {
    switch (node.type) {
      case 'VariableDeclaration': return this.varDecl(node);
      case 'ExpressionStatement': return this.exprStmt(node.expression);
      case 'BlockStatement': return this.block(node.body);
      case 'EmptyStatement': return;
      case 'IfStatement': {
        const cond = this.condition(node.test);
        const then = this.collect(() => this.block([node.consequent]));
        const els = node.alternate ? this.collect(() => this.block([node.alternate])) : [];
        this.emit({ kind: 'if', cond, then, else: els, loc: this.loc(node) });
        return;
      }
      case 'ForStatement': return this.forStmt(node);
      case 'WhileStatement': return this.loop(node, node.test, node.body, null, false);
      case 'DoWhileStatement': return this.loop(node, node.test, node.body, null, true);
      case 'BreakStatement':
      case 'ContinueStatement':
        if (node.label) this.fail(node, 'labelled break/continue', 'labelled break/continue is not supported');
        if (this.loopDepth === 0 || (this.frame.device && this.loopDepth <= this.frame.device.loopDepth)) this.fail(node, node.type === 'BreakStatement' ? 'break' : 'continue', 'break/continue outside a loop');
        this.emit({ kind: node.type === 'BreakStatement' ? 'break' : 'continue', loc: this.loc(node) });
        return;
      case 'ReturnStatement': return this.returnStmt(node);
      case 'FunctionDeclaration': return this.fail(node, 'nested function', 'functions declared inside a kernel (closures) are not supported; declare a device function with cuda.jit(fn, { device: true }) and pass it in options.globals');
      case 'ClassDeclaration': return this.fail(node, 'class', 'classes are not supported in kernels');
      case 'TryStatement': return this.fail(node, 'try/catch', 'try/catch is not supported in kernels');
      case 'ThrowStatement': return this.fail(node, 'throw', 'throw is not supported in kernels');
      case 'SwitchStatement': return this.fail(node, 'switch', 'switch is not supported in kernels; use if/else');
      case 'ForOfStatement': case 'ForInStatement': return this.fail(node, node.type === 'ForOfStatement' ? 'for...of' : 'for...in', `${node.type === 'ForOfStatement' ? 'for...of' : 'for...in'} is not supported; use an indexed for loop`);
      case 'LabeledStatement': return this.fail(node, 'label', 'labelled statements are not supported');
      case 'WithStatement': return this.fail(node, 'with', 'with is not supported');
      case 'DebuggerStatement': return;
      default: return this.fail(node, node.type, `${describe(node)} is not supported in kernels`);
    }
  }

  private varDecl(node: N): void {
    const mutable = node.kind !== 'const';
    for (const d of node.declarations as N[]) {
      if (d.id.type === 'ArrayPattern') {
        const v = d.init ? this.expr(d.init) : undefined;
        if (!v || v.k !== 'tuple') this.fail(d, 'array destructuring', 'array destructuring only works on cuda.grid(n) / cuda.gridsize(n)');
        d.id.elements.forEach((el: N | null, i: number) => {
          if (!el) return;
          if (el.type !== 'Identifier') this.fail(el, 'destructuring pattern', 'only plain names can be destructured');
          if (i >= v.items.length) this.fail(el, 'destructuring', `cuda.grid gives ${v.items.length} values`);
          this.declareScalar(el.name, el, v.items[i], mutable);
        });
        continue;
      }
      if (d.id.type !== 'Identifier') this.fail(d.id, 'destructuring pattern', 'object destructuring is not supported in kernels');
      const name = d.id.name as string;
      if (!d.init) {
        const b = this.newLocal(name, d.id, undefined, true);
        this.declare(name, b, d.id);
        continue;
      }
      if (d.init.type === 'CallExpression') d.init.__declName = name;
      const v = this.expr(d.init);
      if (v.k === 'scalar') this.declareScalar(name, d.id, v, mutable);
      else if (v.k === 'array' || v.k === 'devfn' || v.k === 'dtype' || v.k === 'ns') {
        if (mutable && v.k === 'array' && v.ref.space === 'global') {
          // `let a = x` aliasing a parameter array is fine as long as it is never reassigned.
        }
        this.declare(name, { kind: 'val', val: v }, d.id);
      } else if (v.k === 'tuple') this.fail(d, 'tuple', 'cuda.grid(n) with n > 1 gives a tuple: destructure it, `const [x, y] = cuda.grid(2)`');
      else this.fail(d.init, 'host value', `'${name}' would hold a value kernels cannot use`);
    }
  }

  private declareScalar(name: string, node: N, v: ScalarVal, mutable: boolean): void {
    const b = this.newLocal(name, node, { type: v.e.type, lit: v.lit }, mutable);
    this.declare(name, b, node);
    this.assignLocal(b, v, node);
  }

  private assignLocal(b: Binding & { kind: 'local' }, v: ScalarVal, node: N): void {
    this.contribute(b, v);
    const type = this.locals[b.id].type;
    this.emit({ kind: 'assign', local: b.id, value: this.coerce(v, type, node), loc: this.loc(node) });
  }

  private forStmt(node: N): void {
    this.scopes.push(new Map());
    if (node.init) {
      if (node.init.type === 'VariableDeclaration') this.varDecl(node.init);
      else this.exprStmt(node.init);
    }
    this.loop(node, node.test, node.body, node.update, false);
    this.scopes.pop();
  }

  private loop(node: N, test: N | null, body: N, update: N | null, doWhile: boolean): void {
    let cond: Expr | undefined;
    let condStmts: Stmt[] = [];
    if (test && !doWhile) {
      condStmts = this.collect(() => { cond = this.condition(test); });
    }
    this.loopDepth++;
    let bodyStmts = this.collect(() => this.block([body]));
    let updateStmts = update ? this.collect(() => this.exprStmt(update)) : [];
    this.loopDepth--;
    if (doWhile && test) {
      let c!: Expr;
      const s = this.collect(() => { c = this.condition(test); });
      updateStmts = [...updateStmts, ...s, { kind: 'if', cond: not(c), then: [{ kind: 'break' }], else: [] }];
    }
    if (condStmts.length) {
      // The condition has effects (a device call, i++): test it inside the loop.
      bodyStmts = [...condStmts, { kind: 'if', cond: not(cond!), then: [{ kind: 'break' }], else: [] }, ...bodyStmts];
      cond = undefined;
    }
    this.emit({ kind: 'loop', cond, body: bodyStmts, update: updateStmts, loc: this.loc(node) });
    const dev = this.frame.device;
    if (dev && mayReturn(body) && this.loopDepth > dev.loopDepth) {
      this.emit({ kind: 'if', cond: { kind: 'local', id: dev.done, type: 'bool' }, then: [{ kind: 'break' }], else: [] });
    }
  }

  private returnStmt(node: N): void {
    const dev = this.frame.device;
    if (!dev) {
      if (node.argument) this.fail(node, 'return value', 'kernels cannot return a value; write results into an array argument');
      this.emit({ kind: 'return', loc: this.loc(node) });
      return;
    }
    if (node.argument) this.setResult(node.argument, this.expr(node.argument));
    this.emit({ kind: 'assign', local: dev.done, value: constExpr('bool', true) });
    if (this.loopDepth > dev.loopDepth) this.emit({ kind: 'break' });
  }

  private setResult(node: N, v: Val): void {
    const dev = this.frame.device!;
    const s = this.scalar(v, node, 'a device function return value');
    this.contributions.get(dev.resultKey)!.cs.push({ type: s.e.type, lit: s.lit });
    // Converted to the result's type once every return of this copy is seen (see inline).
    const stmt: Stmt & { kind: 'assign' } = { kind: 'assign', local: dev.result, value: s.e };
    dev.returns.push({ stmt, value: s });
    this.emit(stmt);
  }

  private exprStmt(e: N): void {
    if (e.type === 'SequenceExpression') { for (const x of e.expressions) this.exprStmt(x); return; }
    if (e.type === 'AssignmentExpression') return this.assignment(e);
    if (e.type === 'UpdateExpression') { this.update(e, false); return; }
    const v = this.expr(e);
    if (v.k === 'scalar' && v.e.kind === 'atomic') this.emit({ kind: 'expr', expr: v.e, loc: this.loc(e) });
  }

  // ---------------------------------------------------------------- assignment

  private assignment(node: N): void {
    const op: string = node.operator;
    const target = node.left;
    if (target.type === 'Identifier') {
      const b = this.lookup(target.name);
      if (!b) this.fail(target, 'assignment to unknown name', `'${target.name}' is not declared in the kernel`);
      if (b.kind === 'param') this.fail(target, 'write to scalar parameter', `cannot assign to parameter '${target.name}': scalar parameters are read-only in kernels; copy it into a local (let ${target.name}2 = ${target.name})`);
      if (b.kind !== 'local') this.fail(target, 'assignment', `cannot assign to '${target.name}'`);
      if (!b.mutable) this.fail(target, 'assignment to const', `'${target.name}' is const`);
      if (op === '=') {
        this.assignLocal(b, this.scalar(this.expr(node.right), node.right, 'the assigned value'), node);
        return;
      }
      // `x += e`: x is read before e's effects.
      const mark = this.mark();
      const old = this.readLocal(b);
      const sv = this.scalar(this.expr(node.right), node.right, 'the assigned value');
      this.assignLocal(b, this.binary(node, op.slice(0, -1), this.spillBefore(old, mark), sv), node);
      return;
    }
    if (target.type === 'MemberExpression' && target.computed) {
      // JS order: the index, then (compound) the old element, then the right side.
      const { arr, index } = this.element(target);
      if (op === '=') {
        const mark = this.mark();
        const value = this.scalar(this.expr(node.right), node.right, 'the stored value');
        this.store(arr, this.spillBefore({ k: 'scalar', e: index }, mark).e, value, node);
        return;
      }
      const idx = this.stable(index);
      const mark = this.mark();
      const old: ScalarVal = { k: 'scalar', e: this.loadExpr(arr, idx, target) };
      const rhs = this.scalar(this.expr(node.right), node.right, 'the operand');
      this.store(arr, idx, this.binary(node, op.slice(0, -1), this.spillBefore(old, mark), rhs), node);
      return;
    }
    if (target.type === 'MemberExpression') this.fail(target, 'property assignment', `cannot assign to property '${target.property.name}'`);
    this.fail(target, 'assignment target', 'unsupported assignment target');
  }

  private store(arr: ArrayVal, index: Expr, value: ScalarVal, node: N): void {
    if (arr.ref.space === 'const') this.fail(node, 'write to constant array', `'${arr.name}' is a constant array from globals and cannot be written`);
    if (arr.ref.space === 'global') this.params[arr.ref.param].written = true;
    this.emit({ kind: 'store', array: arr.ref, index, value: this.coerce(value, loadType(arr.elem), node), loc: this.loc(node) });
  }

  /** i++ / --i; in expression context returns the old (postfix) or new (prefix) value. */
  private update(node: N, wantValue: boolean): ScalarVal {
    const delta = node.operator === '++' ? 1 : -1;
    const arg = node.argument;
    const one: ScalarVal = { k: 'scalar', e: constExpr('i32', 1), lit: 1 };
    if (arg.type === 'Identifier') {
      const b = this.lookup(arg.name);
      if (b?.kind === 'param') this.fail(arg, 'write to scalar parameter', `cannot modify parameter '${arg.name}': scalar parameters are read-only in kernels`);
      if (!b || b.kind !== 'local') this.fail(arg, 'update', `cannot modify '${arg.name}'`);
      if (!b.mutable) this.fail(arg, 'assignment to const', `'${arg.name}' is const`);
      const old = this.readLocal(b);
      let oldTemp: ScalarVal | undefined;
      if (wantValue && !node.prefix) {
        const t = this.temp(old.e.type);
        this.emit({ kind: 'assign', local: t, value: old.e });
        oldTemp = { k: 'scalar', e: { kind: 'local', id: t, type: old.e.type } };
      }
      this.assignLocal(b, this.binary(node, delta > 0 ? '+' : '-', oldTemp ?? old, one), node);
      return oldTemp ?? this.readLocal(b);
    }
    if (arg.type === 'MemberExpression' && arg.computed) {
      const { arr, index } = this.element(arg);
      const idx = this.stable(index);
      const t = this.temp(loadType(arr.elem));
      this.emit({ kind: 'assign', local: t, value: this.loadExpr(arr, idx, arg) });
      const old: ScalarVal = { k: 'scalar', e: { kind: 'local', id: t, type: loadType(arr.elem) } };
      const nv = this.binary(node, delta > 0 ? '+' : '-', old, one);
      this.store(arr, idx, nv, node);
      return node.prefix ? { k: 'scalar', e: this.loadExpr(arr, idx, arg) } : old;
    }
    this.fail(node, 'update', `cannot apply ${node.operator} here`);
  }

  /** Evaluate once: copy non-trivial expressions into a temp so they can be read twice. */
  private stable(e: Expr): Expr {
    if (e.kind === 'const' || e.kind === 'param' || e.kind === 'special') return e;
    const t = this.temp(e.type);
    this.emit({ kind: 'assign', local: t, value: e });
    return { kind: 'local', id: t, type: e.type };
  }

  private readLocal(b: Binding & { kind: 'local' }): ScalarVal {
    return { k: 'scalar', e: { kind: 'local', id: b.id, type: this.locals[b.id].type } };
  }

  // ---------------------------------------------------------------- expressions

  expr(node: N): Val {
    switch (node.type) {
      case 'Literal': {
        const v = node.value;
        if (typeof v === 'number' || typeof v === 'boolean') return this.lit(v);
        if (typeof v === 'string') this.fail(node, 'string literal', 'strings are not supported in kernels');
        if (node.regex) this.fail(node, 'regular expression', 'regular expressions are not supported in kernels');
        if (typeof v === 'bigint') this.fail(node, 'bigint literal', 'BigInt (i64) is not supported yet');
        return this.fail(node, 'null', 'null is not supported in kernels');
      }
      case 'Identifier': return this.identifier(node);
      case 'ThisExpression': return this.fail(node, 'this', '`this` is not available in kernels');
      case 'TemplateLiteral': return this.fail(node, 'template string', 'strings are not supported in kernels');
      case 'ObjectExpression': return this.fail(node, 'object literal', 'objects are not supported in kernels');
      case 'ArrayExpression': return this.fail(node, 'array literal', 'array literals are not supported in kernels; use cuda.local.array(n, dtype)');
      case 'FunctionExpression': case 'ArrowFunctionExpression': return this.fail(node, 'closure', 'functions (closures) cannot be created inside kernels; use a device function passed in options.globals');
      case 'NewExpression': return this.fail(node, 'new', '`new` is not supported in kernels (no allocation); use cuda.local.array or cuda.shared.array');
      case 'AwaitExpression': return this.fail(node, 'await', 'await is not supported in kernels');
      case 'SequenceExpression': {
        // (0, ns.cuda) is how tsc's CommonJS output calls imported functions.
        for (const x of node.expressions.slice(0, -1)) if (x.type !== 'Literal') this.exprStmt(x);
        return this.expr(node.expressions[node.expressions.length - 1]);
      }
      case 'ParenthesizedExpression': return this.expr(node.expression);
      case 'TSAsExpression': case 'TSNonNullExpression': return this.expr(node.expression);
      case 'MemberExpression': return this.member(node);
      case 'CallExpression': return this.call(node);
      case 'UnaryExpression': return this.unary(node);
      case 'BinaryExpression': {
        const special = this.intDivision(node, null);
        if (special) return special;
        const a = this.scalar(this.expr(node.left), node.left, `the left operand of ${node.operator}`);
        const mark = this.out[this.out.length - 1].length;
        const b = this.scalar(this.expr(node.right), node.right, `the right operand of ${node.operator}`);
        return this.binary(node, node.operator, this.spillBefore(a, mark), b);
      }
      case 'LogicalExpression': return this.logical(node, false);
      case 'ConditionalExpression': return this.conditional(node);
      case 'AssignmentExpression': return this.fail(node, 'assignment expression', 'assignments cannot be used as values; write them as separate statements');
      case 'UpdateExpression': return this.update(node, true);
      case 'ChainExpression': return this.fail(node, 'optional chaining', 'optional chaining (?.) is not supported in kernels');
      default: return this.fail(node, node.type, `${describe(node)} is not supported in kernels`);
    }
  }

  /**
   * Arguments left to right, as JS evaluates them: an earlier argument is read
   * (copied into a temp) before the statements a later one emits (`x++`, a
   * device call), exactly as binary operators do with spillBefore.
   */
  private valsInOrder(nodes: N[]): Val[] {
    const vals: Val[] = [];
    const marks: number[] = [];
    for (const n of nodes) {
      vals.push(this.expr(n));
      marks.push(this.out[this.out.length - 1].length);
    }
    // Backwards, so inserting a temp never moves an earlier argument's mark.
    for (let i = vals.length - 2; i >= 0; i--) {
      const v = vals[i];
      if (v.k === 'scalar') vals[i] = this.spillBefore(v, marks[i]);
    }
    return vals;
  }

  private scalarsInOrder(nodes: N[], what: string): ScalarVal[] {
    const vals = this.valsInOrder(nodes);
    return vals.map((v, i) => this.scalar(v, nodes[i], what));
  }

  /** Where the next emitted statement goes: pass to spillBefore. */
  private mark(): number {
    return this.out[this.out.length - 1].length;
  }

  /** When lowering b emitted statements, `a` (already computed) must be read before them. */
  private spillBefore(a: ScalarVal, mark: number): ScalarVal {
    const cur = this.out[this.out.length - 1];
    if (cur.length === mark || a.lit !== undefined || a.e.kind === 'const' || a.e.kind === 'param' || a.e.kind === 'special') return a;
    const t = this.temp(a.e.type);
    cur.splice(mark, 0, { kind: 'assign', local: t, value: a.e });
    return { k: 'scalar', e: { kind: 'local', id: t, type: a.e.type } };
  }

  lit(v: number | boolean): ScalarVal {
    return { k: 'scalar', e: constExpr(literalType(v, this.float), convertValue(v, literalType(v, this.float))), lit: v };
  }

  private identifier(node: N): Val {
    const name: string = node.name;
    const b = this.lookup(name);
    if (b) {
      if (b.kind === 'local') return this.readLocal(b);
      if (b.kind === 'param') {
        const p = this.params[b.index];
        return { k: 'scalar', e: { kind: 'param', index: b.index, type: (p.type as { type: ScalarType }).type } };
      }
      return b.val;
    }
    const globals = this.frame.globals;
    if (Object.prototype.hasOwnProperty.call(globals, name)) return this.hostValue(globals[name], node, name);
    if (name === 'Infinity') return this.lit(Infinity);
    if (name === 'NaN') return this.lit(NaN);
    if (name === 'undefined') this.fail(node, 'undefined', 'undefined is not a kernel value');
    if (BUILTIN_NAMES.has(name)) return resolveHostValue(name);
    return this.fail(node, `unknown identifier '${name}'`, `'${name}' is not defined in the kernel: kernels can use their parameters and locals, cuda, Math, the dtype names and what options.globals provides (add { globals: { ${name} } })`);
  }

  /** A value captured from options.globals: frozen into the kernel. */
  private hostValue(v: unknown, node: N, name: string): Val {
    if (typeof v === 'number' || typeof v === 'boolean') return this.lit(v);
    if (isDeviceFunction(v)) return { k: 'devfn', fn: v };
    if (isDType(v)) return { k: 'dtype', elem: v.__dtype };
    const ta = elemTypeOfTypedArray(v);
    if (ta || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
      const values = Array.from(v as ArrayLike<number>);
      const elem: ElemType = ta ?? (values.every((x) => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647) ? 'i32' : this.float);
      if (values.length > 65536) this.fail(node, 'large constant array', `global '${name}' has ${values.length} elements; constant tables are limited to 65536 (pass it as an argument instead)`);
      const existing = this.arrays.find((a) => a.space === 'const' && a.name === name);
      const id = existing?.id ?? this.arrays.length;
      if (!existing) this.arrays.push({ id, name, space: 'const', elem, shape: [values.length], size: values.length, values, atomic: false });
      return { k: 'array', ref: { space: 'const', id }, elem, name };
    }
    if (typeof v === 'function') {
      if (typeof (v as { configure?: unknown }).configure === 'function') this.fail(node, 'kernel call', `'${name}' is a kernel; kernels cannot call kernels (make it a device function with { device: true })`);
      this.fail(node, 'host function', `'${name}' is a plain JavaScript function; kernels can only call device functions: cuda.jit(${name}, { device: true })`);
    }
    const known = resolveHostValue(undefined, v);
    if (known) return known;
    if (typeof v === 'object' && v !== null) return { k: 'host', value: v };
    return this.fail(node, 'global value', `global '${name}' has a type kernels cannot use (${typeof v})`);
  }

  private member(node: N): Val {
    if (node.computed) {
      const { arr, index } = this.element(node);
      return { k: 'scalar', e: this.loadExpr(arr, index, node) };
    }
    const prop: string = node.property.name;
    // `__vi_import_0__.cuda`, `core_1.cuda`: a transpiler's import namespace.
    // Its members resolve as the bare name would: a builtin, or a global of
    // that name (`utils_1.clamp` with globals { clamp }).
    if (node.object.type === 'Identifier' && !this.lookup(node.object.name) && !Object.prototype.hasOwnProperty.call(this.frame.globals, node.object.name) && !BUILTIN_NAMES.has(node.object.name)) {
      if (Object.prototype.hasOwnProperty.call(this.frame.globals, prop)) return this.hostValue(this.frame.globals[prop], node, prop);
      if (BUILTIN_NAMES.has(prop)) return resolveHostValue(prop);
    }
    const obj = this.expr(node.object);
    switch (obj.k) {
      case 'array':
        if (prop === 'length') {
          // Global arrays and the dynamic shared array (shape 0, sized by the launch's sharedMem) have a run-time length.
          const dynamicShared = obj.ref.space === 'shared' && this.arrays[obj.ref.id].size === 0;
          if (obj.ref.space === 'global' || dynamicShared) return { k: 'scalar', e: { kind: 'length', array: obj.ref, type: 'i32' } };
          return this.lit(obj.shape ? obj.shape[0] : this.arrays[(obj.ref as { id: number }).id].size);
        }
        return this.fail(node, `array property '${prop}'`, `arrays in kernels only have .length (not .${prop})`);
      case 'ns': {
        const path = `${obj.path}.${prop}`;
        if (obj.path === 'Math') {
          if (prop in MATH_CONSTANTS) return this.lit(MATH_CONSTANTS[prop]);
          if (isMathFn(prop) || prop === 'min' || prop === 'max' || prop === 'fround') return { k: 'ns', path };
          if (prop === 'random') this.fail(node, 'Math.random', 'Math.random is not available in kernels; use numbat random (Philox) states or a hash of the thread index');
          return this.fail(node, `Math.${prop}`, `Math.${prop} is not supported in kernels`);
        }
        const reg = /^cuda\.(threadIdx|blockIdx|blockDim|gridDim)$/.exec(obj.path);
        if (reg) {
          const dim = ['x', 'y', 'z'].indexOf(prop);
          if (dim < 0) this.fail(node, `${obj.path}.${prop}`, `${obj.path} has .x, .y and .z`);
          return { k: 'scalar', e: { kind: 'special', reg: reg[1] as 'threadIdx', dim: dim as 0 | 1 | 2, type: 'i32' } };
        }
        if (KNOWN_PATHS.has(path) || (obj.path === 'cuda' && isCudaMathFn(prop))) return { k: 'ns', path };
        return this.fail(node, path, `${path} is not supported in kernels`);
      }
      case 'host': {
        const v = (obj.value as Record<string, unknown>)[prop];
        if (v === undefined) this.fail(node, `unknown property '${prop}'`, `the global object has no property '${prop}'`);
        return this.hostValue(v, node, prop);
      }
      case 'scalar': return this.fail(node, `property '${prop}' of a number`, `numbers have no property '${prop}' in kernels`);
      default: return this.fail(node, `property '${prop}'`, `'.${prop}' is not supported here`);
    }
  }

  /** arr[i], or t[y][x] on a 2-D/3-D shared or local array (flattened row-major). */
  private element(node: N): { arr: ArrayVal; index: Expr } {
    const idxNodes: N[] = [];
    let base: N = node;
    while (base.type === 'MemberExpression' && base.computed) { idxNodes.unshift(base.property); base = base.object; }
    const arr = this.expr(base);
    if (arr.k !== 'array') this.fail(base, 'indexing', 'only arrays can be indexed in kernels');
    const shape = arr.shape ?? [0];
    if (idxNodes.length !== shape.length) {
      this.fail(node, 'partial indexing', `'${arr.name}' has ${shape.length} dimension(s) and must be indexed with ${shape.length} subscript(s), e.g. ${arr.name}${shape.map((_, i) => `[${'ijk'[i]}]`).join('')}`);
    }
    const subs = this.scalarsInOrder(idxNodes, 'an array index').map((v, d): Expr => {
      const n = idxNodes[d];
      if (v.lit !== undefined) {
        if (typeof v.lit !== 'number' || !Number.isInteger(v.lit)) this.fail(n, 'non-integer index', 'array index must be an integer');
        return constExpr('i32', v.lit | 0);
      }
      if (isInt(v.e.type)) return v.e;
      if (v.e.type === 'bool') this.typeFail(n, 'boolean index', 'array index must be an integer, not a boolean');
      else this.typeFail(n, 'float index', `array index has type ${v.e.type}; indices must be integers: use Math.floor(x), x | 0 or x >>> 0`);
      return conv(v.e, 'i32');
    });
    if (subs.length === 1) return { arr, index: subs[0] };
    // Row-major; u32 only when every subscript is u32.
    const t: ScalarType = subs.every((e) => e.type === 'u32') ? 'u32' : 'i32';
    const checked = this.input.boundscheck !== false;
    // Checked subscripts are read several times: evaluate each once.
    const ss = subs.map((e) => conv(checked ? this.stable(e) : e, t));
    let flat = ss[0];
    for (let d = 1; d < ss.length; d++) flat = bin('add', t, t, bin('mul', t, t, flat, constExpr(t, shape[d])), ss[d]);
    return { arr, index: checked ? this.checkExtents(ss, shape, flat) : flat };
  }

  /**
   * Each subscript against its own extent (numba's debug mode), in the IR so
   * every backend's flat bounds check reports it: when a subscript is out of
   * range the flat index becomes an out-of-bounds one, the subscript itself when
   * it is negative, else the array's length (one past the end).
   */
  private checkExtents(ss: Expr[], shape: number[], flat: Expr): Expr {
    const t = flat.type;
    const size = shape.reduce((a, b) => a * b, 1);
    const outside = (e: Expr, d: number): Expr => bin('ge', 'u32', 'bool', conv(e, 'u32'), constExpr('u32', shape[d]));
    const report = (e: Expr): Expr => (t === 'i32'
      ? { kind: 'cond', c: bin('lt', 'i32', 'bool', e, constExpr('i32', 0)), a: e, b: constExpr('i32', size), type: 'i32' }
      : constExpr(t, size));
    let index = flat;
    for (let d = ss.length - 1; d >= 0; d--) index = { kind: 'cond', c: outside(ss[d], d), a: report(ss[d]), b: index, type: t };
    return index;
  }

  private loadExpr(arr: ArrayVal, index: Expr, node: N): Expr {
    return { kind: 'load', array: arr.ref, index, type: loadType(arr.elem), loc: this.loc(node) };
  }

  private unary(node: N): Val {
    const op: string = node.operator;
    if (op === 'typeof' || op === 'void' || op === 'delete') this.fail(node, op, `'${op}' is not supported in kernels`);
    if (op === '!') return { k: 'scalar', e: not(this.condition(node.argument)) };
    const v = this.scalar(this.expr(node.argument), node.argument, `the operand of ${op}`);
    if (v.lit !== undefined) {
      const x = v.lit as number;
      return this.lit(op === '-' ? -x : op === '+' ? +x : ~x);
    }
    if (op === '+') return v.e.type === 'bool' ? { k: 'scalar', e: conv(v.e, 'i32') } : v;
    if (op === '~') return { k: 'scalar', e: { kind: 'unary', op: 'bitnot', x: this.toI32(v), type: 'i32' } };
    if (op === '-') {
      const t = v.e.type === 'bool' || v.e.type === 'u32' ? 'i32' : v.e.type;
      if (v.e.type === 'u32') this.typeFail(node, 'negation of u32', 'negating a u32 value is ambiguous (JS gives a negative number); convert first: -(x | 0) or -(x * 1.0)');
      return { k: 'scalar', e: { kind: 'unary', op: 'neg', x: conv(v.e, t), type: t } };
    }
    return this.fail(node, `unary ${op}`, `unary ${op} is not supported`);
  }

  // ---------------------------------------------------------------- operators

  /** Arithmetic/bitwise/comparison with JS meaning; literals adapt to the other operand. */
  binary(node: N, op: string, a: ScalarVal, b: ScalarVal): ScalarVal {
    if (a.lit !== undefined && b.lit !== undefined) return this.lit(foldJs(op, a.lit, b.lit, node, this));
    switch (op) {
      case '&': case '|': case '^': case '<<': case '>>':
        return { k: 'scalar', e: bin(BITWISE[op], 'i32', 'i32', this.toI32(a), this.toI32(b)) };
      case '>>>':
        return { k: 'scalar', e: bin('ushr', 'u32', 'u32', this.toU32(a), this.toU32(b)) };
      case '+': case '-': case '*': case '%': case '/': {
        let t = this.operandType(node, op, a, b);
        if (op === '/' && !isFloat(t)) t = this.float;
        const irop: BinaryOp = { '+': 'add', '-': 'sub', '*': 'mul', '%': 'rem', '/': 'div' }[op] as BinaryOp;
        return { k: 'scalar', e: bin(irop, t, t, this.coerce(a, t, node), this.coerce(b, t, node)) };
      }
      case '<': case '<=': case '>': case '>=': case '==': case '===': case '!=': case '!==': {
        const t = this.operandType(node, op, a, b, true);
        const irop = COMPARE[op];
        return { k: 'scalar', e: bin(irop, t, 'bool', this.coerce(a, t, node), this.coerce(b, t, node)) };
      }
      case '**': {
        return this.mathCall(node, 'pow', [a, b]);
      }
      case 'in': case 'instanceof': return this.fail(node, op, `'${op}' is not supported in kernels`);
      default: return this.fail(node, `operator ${op}`, `operator ${op} is not supported`);
    }
  }

  /** The common type of two operands (bool counts as i32; i32 with u32 is refused). */
  private operandType(node: N, op: string, a: ScalarVal, b: ScalarVal, compare = false): ScalarType {
    const norm = (t: ScalarType): ScalarType => (t === 'bool' && !compare ? 'i32' : t);
    if (a.lit !== undefined) return this.literalAgainst(a.lit, norm(b.e.type), compare);
    if (b.lit !== undefined) return this.literalAgainst(b.lit, norm(a.e.type), compare);
    let ta = norm(a.e.type), tb = norm(b.e.type);
    if (compare && (ta === 'bool') !== (tb === 'bool')) { ta = ta === 'bool' ? 'i32' : ta; tb = tb === 'bool' ? 'i32' : tb; }
    if (ta === tb) return ta;
    if (isInt(ta) && isInt(tb)) {
      // Carry on as u32: a provisional i32 is usually a local whose u32 value is not yet seen.
      this.typeFail(node, 'i32/u32 mix', `operator ${op} mixes i32 and u32 operands; convert one explicitly (\`x | 0\` gives i32, \`x >>> 0\` gives u32)`);
      return 'u32';
    }
    if (ta === 'f64' || tb === 'f64') return 'f64';
    return 'f32';
  }

  private literalAgainst(v: number | boolean, t: ScalarType, compare: boolean): ScalarType {
    if (typeof v === 'boolean') return t === 'bool' ? 'bool' : t;
    if (t === 'bool') return compare && (v === 0 || v === 1) ? 'i32' : literalType(v, this.float) === 'u32' ? 'u32' : literalFits(v, 'i32') ? 'i32' : this.float;
    if (isFloat(t)) return t;
    return literalFits(v, t) ? t : this.float;
  }

  /** Convert a value to type t with JS's meaning; literals become constants. */
  coerce(v: ScalarVal, t: ScalarType, node?: N): Expr {
    if (v.lit !== undefined) return constExpr(t, convertValue(v.lit, t));
    return conv(v.e, t);
  }

  private toI32(v: ScalarVal): Expr {
    return v.lit !== undefined ? constExpr('i32', convertValue(v.lit, 'i32')) : conv(v.e, 'i32');
  }
  private toU32(v: ScalarVal): Expr {
    return v.lit !== undefined ? constExpr('u32', convertValue(v.lit, 'u32')) : conv(v.e, 'u32');
  }

  /** `Math.floor(a / b)`, `Math.trunc(a / b)` and `(a / b) | 0` on integers are integer divisions. */
  private intDivision(node: N, mathFn: 'floor' | 'trunc' | null): ScalarVal | null {
    let div: N | undefined;
    let op: BinaryOp;
    if (mathFn) { div = unparen(node); op = mathFn === 'floor' ? 'fdiv' : 'idiv'; }
    else if (node.operator === '|' && isZeroLiteral(node.right)) { div = unparen(node.left); op = 'idiv'; }
    else return null;
    if (!div || div.type !== 'BinaryExpression' || div.operator !== '/') return null;
    const saved = this.out[this.out.length - 1].length;
    const [a, b] = this.scalarsInOrder([div.left, div.right], 'an operand of /');
    const ta = a.lit !== undefined ? undefined : a.e.type;
    const tb = b.lit !== undefined ? undefined : b.e.type;
    const intLike = (t: ScalarType | undefined, v: ScalarVal) => (t ? isInt(t) : typeof v.lit === 'number' && Number.isInteger(v.lit));
    if (!intLike(ta, a) || !intLike(tb, b) || (ta === undefined && tb === undefined)) {
      // Not an integer division: drop what we emitted and lower normally.
      this.out[this.out.length - 1].length = saved;
      return null;
    }
    const t = this.operandType(div, '/', a, b);
    if (!isInt(t)) { this.out[this.out.length - 1].length = saved; return null; }
    const rt = mathFn ? t : 'i32';
    const e = bin(op, t, t, this.coerce(a, t), this.coerce(b, t));
    return { k: 'scalar', e: conv(e, rt) };
  }

  private condition(node: N): Expr {
    if (node.type === 'LogicalExpression') return (this.logical(node, true) as ScalarVal).e;
    const v = this.scalar(this.expr(node), node, 'a condition');
    return this.coerce(v, 'bool');
  }

  /**
   * && and || with short-circuit evaluation. In a condition they test truthiness;
   * as values they must be booleans (JS returns an operand, which the typed IR
   * cannot express without changing meaning).
   */
  private logical(node: N, asCondition: boolean): Val {
    if (node.operator === '??') this.fail(node, '??', 'the ?? operator is not supported in kernels');
    const op = node.operator === '&&' ? 'and' : 'or';
    const side = (n: N): Expr => {
      if (asCondition) return this.condition(n);
      const v = this.scalar(this.expr(n), n, `an operand of ${node.operator}`);
      if (v.e.type !== 'bool' && v.lit === undefined) this.typeFail(n, `${node.operator} on numbers`, `${node.operator} on a number returns one of its operands in JavaScript; kernels only allow it on booleans (compare explicitly, e.g. x !== 0)`);
      return this.coerce(v, 'bool');
    };
    const a = side(node.left);
    const bStmts = this.collect(() => { (this as any)._b = side(node.right); });
    const b: Expr = (this as any)._b;
    if (bStmts.length === 0) return { k: 'scalar', e: { kind: 'logical', op, a, b, type: 'bool' } };
    // The right side has effects: evaluate it only when needed.
    const t = this.temp('bool', 'sc');
    this.emit({ kind: 'assign', local: t, value: a });
    const tv: Expr = { kind: 'local', id: t, type: 'bool' };
    this.emit({ kind: 'if', cond: op === 'and' ? tv : not(tv), then: [...bStmts, { kind: 'assign', local: t, value: b }], else: [] });
    return { k: 'scalar', e: tv };
  }

  private conditional(node: N): Val {
    const c = this.condition(node.test);
    let a!: ScalarVal, b!: ScalarVal;
    const aStmts = this.collect(() => { a = this.scalar(this.expr(node.consequent), node.consequent, 'a branch of ?:'); });
    const bStmts = this.collect(() => { b = this.scalar(this.expr(node.alternate), node.alternate, 'a branch of ?:'); });
    let t: ScalarType;
    if (a.lit !== undefined && b.lit !== undefined) t = joinContributions([{ type: a.e.type, lit: a.lit }, { type: b.e.type, lit: b.lit }], this.float).ok ? (joinContributions([{ type: a.e.type, lit: a.lit }, { type: b.e.type, lit: b.lit }], this.float) as { type: ScalarType }).type : this.float;
    else if (a.e.type === 'bool' && b.e.type === 'bool') t = 'bool';
    else t = this.operandType(node, '?:', a, b);
    if (aStmts.length === 0 && bStmts.length === 0) {
      return { k: 'scalar', e: { kind: 'cond', c, a: this.coerce(a, t), b: this.coerce(b, t), type: t } };
    }
    const tmp = this.temp(t, 'sel');
    this.emit({ kind: 'if', cond: c, then: [...aStmts, { kind: 'assign', local: tmp, value: this.coerce(a, t) }], else: [...bStmts, { kind: 'assign', local: tmp, value: this.coerce(b, t) }] });
    return { k: 'scalar', e: { kind: 'local', id: tmp, type: t } };
  }

  scalar(v: Val, node: N, what: string): ScalarVal {
    if (v.k === 'scalar') return v;
    const desc = v.k === 'array' ? `array '${v.name}'` : v.k === 'tuple' ? 'a tuple (destructure cuda.grid(n))' : v.k === 'ns' ? v.path : v.k === 'dtype' ? `dtype ${v.elem}` : v.k === 'devfn' ? 'a device function (call it)' : 'a host object';
    return this.fail(node, desc, `${what} must be a number or boolean, got ${desc}`);
  }

  // ---------------------------------------------------------------- calls

  private call(node: N): Val {
    if (node.optional) this.fail(node, 'optional call', 'optional calls (?.) are not supported');
    const callee = this.expr(node.callee);
    if (callee.k === 'devfn') return this.inline(node, callee.fn);
    if (callee.k === 'dtype') return this.dtypeConversion(node, callee.elem);
    if (callee.k !== 'ns') {
      if (node.callee.type === 'Identifier') this.fail(node.callee, `call of '${node.callee.name}'`, `'${node.callee.name}' is not a function kernels can call`);
      return this.fail(node, 'call', 'only Math.*, cuda.* and device functions can be called in kernels');
    }
    const path = callee.path;
    const args = node.arguments as N[];
    if (args.some((a) => a.type === 'SpreadElement')) this.fail(node, 'spread', 'spread arguments are not supported');
    if (path.startsWith('Math.')) return this.math(node, path.slice(5), args);
    if (path.startsWith('cuda.atomic.')) return this.atomic(node, path.slice(12), args);
    if (path.startsWith('cuda.') && isCudaMathFn(path.slice(5))) {
      const fn = path.slice(5) as keyof typeof MATH_DECLS;
      if (args.length !== MATH_DECLS[fn].arity) this.fail(node, `${path}`, `${path} takes ${MATH_DECLS[fn].arity} argument(s)`);
      return this.mathCall(node, fn, this.scalarsInOrder(args, `an argument of ${path}`));
    }
    switch (path) {
      case 'cuda.grid': case 'cuda.gridsize': {
        const n = this.constInt(args[0], `${path}(n)`);
        if (n < 1 || n > 3) this.fail(args[0], path, `${path}(n) takes n = 1, 2 or 3`);
        const items: ScalarVal[] = [];
        for (let d = 0; d < n; d++) {
          const sp = (reg: 'threadIdx' | 'blockIdx' | 'blockDim' | 'gridDim'): Expr => ({ kind: 'special', reg, dim: d as 0 | 1 | 2, type: 'i32' });
          const e: Expr = path === 'cuda.grid'
            ? bin('add', 'i32', 'i32', bin('mul', 'i32', 'i32', sp('blockIdx'), sp('blockDim')), sp('threadIdx'))
            : bin('mul', 'i32', 'i32', sp('blockDim'), sp('gridDim'));
          items.push({ k: 'scalar', e });
        }
        return n === 1 ? items[0] : { k: 'tuple', items };
      }
      case 'cuda.syncthreads': {
        if (this.out.length === 0) this.fail(node, 'syncthreads', 'syncthreads() must be a statement');
        this.hasBarrier = true;
        this.emit({ kind: 'barrier', loc: this.loc(node) });
        return this.lit(0);
      }
      case 'cuda.shared.array': case 'cuda.local.array': return this.arrayDecl(node, path === 'cuda.shared.array' ? 'shared' : 'local', args);
      default: return this.fail(node, `${path}()`, `${path}() is not supported in kernels`);
    }
  }

  /** `f64(x)`, `f32(x)`, `i32(x)`, `u32(x)`: conversions with JS meaning (Number, fround, |0, >>>0). */
  private dtypeConversion(node: N, elem: ElemType): Val {
    const args = node.arguments as N[];
    if (elem !== 'f32' && elem !== 'f64' && elem !== 'i32' && elem !== 'u32') {
      this.fail(node, `${elem}(x)`, `${elem}(x) is not a kernel conversion; convert to i32 or u32 and store into a ${elem} array (stores wrap)`);
    }
    if (args.length !== 1) this.fail(node, `${elem}(x)`, `${elem}(x) takes one argument`);
    const v = this.scalar(this.expr(args[0]), args[0], `the argument of ${elem}()`);
    return { k: 'scalar', e: this.coerce(v, elem) };
  }

  private constInt(node: N | undefined, what: string): number {
    if (!node) this.fail(node as any, what, `${what} needs an argument`);
    const v = this.expr(node);
    if (v.k !== 'scalar' || v.lit === undefined || typeof v.lit !== 'number' || !Number.isInteger(v.lit)) {
      this.fail(node, `non-constant ${what}`, `${what} must be a constant integer (a literal or a number from options.globals)`);
    }
    return v.lit;
  }

  private arrayDecl(node: N, space: 'shared' | 'local', args: N[]): Val {
    const what = `cuda.${space}.array shape`;
    if (args.length !== 2) this.fail(node, `cuda.${space}.array`, `cuda.${space}.array(shape, dtype) takes a shape and a dtype`);
    const shapeNode = args[0];
    const shape = shapeNode.type === 'ArrayExpression' ? shapeNode.elements.map((e: N) => this.constInt(e, what)) : [this.constInt(shapeNode, what)];
    if (shape.length > 3) this.fail(shapeNode, what, 'shared/local arrays have at most 3 dimensions');
    const dt = this.dtypeOf(args[1]);
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    if (shape.some((s: number) => s < 0) || (size === 0 && (space === 'local' || shape.length > 1))) this.fail(shapeNode, what, `invalid ${what} [${shape.join(', ')}]`);
    if (space === 'shared' && size === 0 && this.arrays.some((a) => a.space === 'shared' && a.size === 0)) this.fail(node, 'second dynamic shared array', 'only one dynamic shared array (shape 0) is allowed per kernel');
    if (space === 'local' && size > 65536) this.fail(shapeNode, what, `local array of ${size} elements is too large (max 65536)`);
    const id = this.arrays.length;
    const decl = node.__declName as string | undefined;
    this.arrays.push({ id, name: decl ?? `${space}${id}`, space, elem: dt, shape, size, atomic: false });
    return { k: 'array', ref: { space, id }, elem: dt, name: decl ?? `${space}${id}`, shape };
  }

  private dtypeOf(node: N): ElemType {
    if (node.type === 'Literal' && typeof node.value === 'string') {
      const e = DTYPE_NAMES[node.value];
      if (e) return e;
    }
    const v = node.type === 'Literal' ? undefined : this.expr(node);
    if (v?.k === 'dtype') return v.elem;
    return this.fail(node, 'dtype', `expected a dtype (${ELEM_TYPES.join(', ')}), e.g. cuda.shared.array(256, f32)`);
  }

  private atomic(node: N, op: string, args: N[]): Val {
    const ops = ['add', 'sub', 'max', 'min', 'and', 'or', 'xor', 'exch', 'cas'];
    if (!ops.includes(op)) this.fail(node, `cuda.atomic.${op}`, `cuda.atomic.${op} does not exist (have: ${ops.join(', ')})`);
    const want = op === 'cas' ? 4 : 3;
    if (args.length !== want) this.fail(node, `cuda.atomic.${op}`, `cuda.atomic.${op} takes ${want} arguments`);
    const arr = this.expr(args[0]);
    if (arr.k !== 'array') this.fail(args[0], 'atomic target', `the first argument of cuda.atomic.${op} must be an array`);
    if (arr.ref.space === 'local' || arr.ref.space === 'const') this.fail(args[0], `atomic on ${arr.ref.space} array`, `atomics work on global and shared arrays, not ${arr.ref.space} ones`);
    if (!['i32', 'u32', 'f32', 'f64'].includes(arr.elem)) this.fail(args[0], `atomic on ${arr.elem}`, `atomics need an i32, u32, f32 or f64 array, '${arr.name}' holds ${arr.elem}`);
    if (isFloat(arr.elem as ScalarType) && ['and', 'or', 'xor'].includes(op)) this.fail(node, `atomic ${op} on float`, `cuda.atomic.${op} needs an integer array`);
    let index: Expr;
    if (args[1].type === 'ArrayExpression') {
      // numba's tuple index for 2-D shared arrays: atomic.add(t, [y, x], v)
      const fake: N = args[1].elements.reduce((obj: N, idx: N) => ({ type: 'MemberExpression', computed: true, object: obj, property: idx, loc: idx.loc, start: idx.start, end: idx.end } as unknown as N), args[0]);
      index = this.element(fake).index;
    } else {
      const fake = { type: 'MemberExpression', computed: true, object: args[0], property: args[1], loc: args[1].loc, start: args[1].start, end: args[1].end } as unknown as N;
      index = this.element(fake).index;
    }
    const t = loadType(arr.elem);
    // The index is read before the operands' effects (`atomic.add(a, x, x++)`).
    const mark = this.mark();
    const vals = this.scalarsInOrder(args.slice(2), 'an atomic operand').map((v, i) => this.coerce(v, t, args[2 + i]));
    index = this.spillBefore({ k: 'scalar', e: index }, mark).e;
    if (arr.ref.space === 'global') { this.params[arr.ref.param].written = true; this.params[arr.ref.param].atomic = true; }
    else this.arrays[arr.ref.id].atomic = true;
    const e: Expr = op === 'cas'
      ? { kind: 'atomic', op: 'cas', array: arr.ref, index, expected: vals[0], value: vals[1], type: t, loc: this.loc(node) }
      : { kind: 'atomic', op: op as 'add', array: arr.ref, index, value: vals[0], type: t, loc: this.loc(node) };
    return { k: 'scalar', e };
  }

  private math(node: N, fn: string, args: N[]): Val {
    if (fn === 'min' || fn === 'max') {
      if (args.length === 0) return this.lit(fn === 'min' ? Infinity : -Infinity);
      const vals = this.scalarsInOrder(args, `an argument of Math.${fn}`);
      let acc = vals[0];
      if (acc.e.type === 'bool') acc = { k: 'scalar', e: conv(acc.e, 'i32') };
      for (const b of vals.slice(1)) {
        if (acc.lit !== undefined && b.lit !== undefined) { acc = this.lit(Math[fn](acc.lit as number, b.lit as number)); continue; }
        const t = this.operandType(node, `Math.${fn}`, acc, b);
        acc = { k: 'scalar', e: bin(fn, t, t, this.coerce(acc, t), this.coerce(b, t)) };
      }
      return acc;
    }
    if (fn === 'fround') {
      if (args.length !== 1) this.fail(node, 'Math.fround', 'Math.fround takes one argument');
      const v = this.scalar(this.expr(args[0]), args[0], 'the argument of Math.fround');
      return { k: 'scalar', e: this.coerce(v, 'f32') };
    }
    if ((fn === 'floor' || fn === 'trunc') && args.length === 1) {
      const special = this.intDivision(args[0], fn);
      if (special) return special;
    }
    if (!isMathFn(fn)) return this.fail(node, `Math.${fn}`, `Math.${fn} is not supported in kernels`);
    const decl = MATH_DECLS[fn];
    if (args.length !== decl.arity) this.fail(node, `Math.${fn}`, `Math.${fn} takes ${decl.arity} argument(s) in kernels`);
    return this.mathCall(node, fn, this.scalarsInOrder(args, `an argument of Math.${fn}`));
  }

  private mathCall(node: N, fn: keyof typeof MATH_DECLS, vals: ScalarVal[]): ScalarVal {
    const decl = MATH_DECLS[fn];
    if (vals.every((v) => v.lit !== undefined)) {
      const f = new Function('a', 'b', `return ${decl.sim};`) as (a: unknown, b: unknown) => number;
      return this.lit(f(vals[0].lit, vals[1]?.lit));
    }
    let types = vals.map((v) => (v.lit !== undefined ? undefined : v.e.type));
    const concrete = types.filter((t): t is ScalarType => t !== undefined);
    if (concrete.length === 2 && isInt(concrete[0]) && isInt(concrete[1]) && concrete[0] !== concrete[1] && decl.rule === 'numeric') {
      this.typeFail(node, 'i32/u32 mix', `Math.${fn} mixes i32 and u32 arguments; convert one explicitly`);
      types = types.map(() => 'u32');
      concrete.fill('u32');
    }
    // A literal argument takes the other argument's type (or a float when it is fractional).
    const litTypes = vals.map((v, i) => (types[i] ? types[i]! : this.literalAgainst(v.lit!, concrete[0] ?? literalType(v.lit!, this.float), false)));
    const sig = mathSignature(fn, litTypes as ScalarType[], this.float);
    if (decl.rule === 'numeric' && 'intIdentity' in decl && decl.intIdentity && isInt(sig.arg)) return { k: 'scalar', e: this.coerce(vals[0], sig.arg) };
    // i32/u32 rules take any number the way JS's ToInt32/ToUint32 would (sig.arg is i32/u32 there).
    const argsE = vals.map((v) => this.coerce(v, sig.arg));
    return { k: 'scalar', e: { kind: 'math', fn, args: argsE, type: sig.result } };
  }

  // ---------------------------------------------------------------- device functions

  private inline(node: N, fn: DeviceFunction): Val {
    if (this.frames.some((f) => f.parsed === fn.parse())) this.fail(node, 'recursion', `device function '${fn.name}' calls itself; recursion is not supported in kernels`);
    const parsed = fn.parse();
    const fnNode = parsed.node as N;
    const args = node.arguments as N[];
    if (args.length !== fnNode.params.length) this.fail(node, `call of '${fn.name}'`, `device function '${fn.name}' takes ${fnNode.params.length} argument(s), got ${args.length}`);
    this.inlinedNodes += astSize(fnNode);
    if (this.inlinedNodes > MAX_INLINED_NODES) {
      this.fail(node, 'inlined size', `inlining device function '${fn.name}' here makes the kernel larger than the limit of ${MAX_INLINED_NODES} syntax nodes (device functions are always inlined, so a function that calls another several times multiplies its size at every level); call it fewer times, or loop over the work instead of repeating calls`);
    }
    const argVals = this.valsInOrder(args);
    const scope = new Map<string, Binding>();
    const frame: Frame = { parsed, globals: fn.globals, instance: `${this.frame.instance}>${nodeId(node)}` };
    this.frames.push(frame);
    try {
      // The result is a local of this copy, keyed by the function node.
      const resBinding = this.newLocal(`${fn.name}.result`, fnNode, undefined, true);
      const done = this.temp('bool', `${fn.name}.done`);
      frame.device = { result: resBinding.id, resultKey: resBinding.key, done, loopDepth: this.loopDepth, returns: [] };
      this.emit({ kind: 'assign', local: done, value: constExpr('bool', false) });
      fnNode.params.forEach((p: N, i: number) => {
        if (p.type !== 'Identifier') this.fail(p, 'parameter pattern', 'device function parameters must be plain names');
        const v = argVals[i];
        if (v.k === 'scalar') {
          const b = this.newLocal(p.name, p, { type: v.e.type, lit: v.lit }, true);
          scope.set(p.name, b);
          this.contribute(b, v);
          this.emit({ kind: 'assign', local: b.id, value: this.coerce(v, this.locals[b.id].type) });
        } else if (v.k === 'array' || v.k === 'devfn' || v.k === 'dtype') scope.set(p.name, { kind: 'val', val: v });
        else this.fail(args[i], 'argument', `argument ${i + 1} of '${fn.name}' must be a number, boolean or array`);
      });
      const savedScopes = this.scopes;
      this.scopes = [scope];
      try {
        const body = this.lowerFunctionBody(fnNode);
        for (const s of body) this.emit(s);
      } finally { this.scopes = savedScopes; }
      const cs = this.contributions.get(resBinding.key)!.cs;
      if (cs.length === 0) return this.lit(0);
      // The result's type is the join of this copy's returns, known now: no
      // fixed-point round per nesting level (an i32/u32 mix is reported by inferredTypes).
      const j = joinContributions(cs, this.float);
      const type = j.ok ? j.type : j.types[0];
      this.locals[resBinding.id].type = type;
      for (const r of frame.device.returns) r.stmt.value = this.coerce(r.value, type);
      return this.readLocal(resBinding);
    } finally {
      this.frames.pop();
    }
  }
}

// ---------------------------------------------------------------- helpers

const KNOWN_PATHS = new Set([
  'cuda.grid', 'cuda.gridsize', 'cuda.threadIdx', 'cuda.blockIdx', 'cuda.blockDim', 'cuda.gridDim',
  'cuda.syncthreads', 'cuda.shared', 'cuda.local', 'cuda.shared.array', 'cuda.local.array', 'cuda.atomic',
  ...['add', 'sub', 'max', 'min', 'and', 'or', 'xor', 'exch', 'cas'].map((o) => `cuda.atomic.${o}`),
]);

const BITWISE: Record<string, BinaryOp> = { '&': 'and', '|': 'or', '^': 'xor', '<<': 'shl', '>>': 'shr' };
const COMPARE: Record<string, BinaryOp> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '===': 'eq', '!=': 'ne', '!==': 'ne' };

const astSizes = new WeakMap<object, number>();
/** Number of syntax nodes of a function (cached: its AST is kept). */
function astSize(fn: N): number {
  let n = astSizes.get(fn);
  if (n !== undefined) return n;
  n = 0;
  const walk = (x: any): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    if (typeof x.type !== 'string') return;
    n!++;
    for (const k of Object.keys(x)) if (k !== 'loc') walk(x[k]);
  };
  walk(fn.body);
  astSizes.set(fn, n);
  return n;
}

function joinOrFirst(c: Contribution, float: 'f32' | 'f64'): ScalarType {
  const j = joinContributions([c], float);
  return j.ok ? j.type : c.type;
}

function bin(op: BinaryOp, opType: ScalarType, type: ScalarType, a: Expr, b: Expr): Expr {
  return { kind: 'binary', op, opType, type: COMPARE_OPS.has(op) ? 'bool' : type, a, b };
}

function conv(e: Expr, t: ScalarType): Expr {
  if (e.type === t) return e;
  if (e.kind === 'const') return constExpr(t, convertValue(e.value, t));
  return { kind: 'convert', x: e, type: t };
}

function not(e: Expr): Expr {
  if (e.kind === 'unary' && e.op === 'not') return e.x;
  return { kind: 'unary', op: 'not', x: e, type: 'bool' };
}

function unparen(n: N): N {
  while (n.type === 'ParenthesizedExpression') n = n.expression;
  return n;
}

function isZeroLiteral(n: N): boolean {
  return n.type === 'Literal' && n.value === 0;
}

/** Constant folding of two abstract literals: exactly what JS computes. */
function foldJs(op: string, a: number | boolean, b: number | boolean, node: N, l: Lowerer): number | boolean {
  const x = a as number, y = b as number;
  switch (op) {
    case '+': return x + y; case '-': return x - y; case '*': return x * y; case '/': return x / y; case '%': return x % y;
    case '**': return x ** y;
    case '&': return x & y; case '|': return x | y; case '^': return x ^ y;
    case '<<': return x << y; case '>>': return x >> y; case '>>>': return x >>> y;
    case '<': return x < y; case '<=': return x <= y; case '>': return x > y; case '>=': return x >= y;
    case '==': case '===': return x === y; case '!=': case '!==': return x !== y;
    default: return l.fail(node, `operator ${op}`, `operator ${op} is not supported`);
  }
}

function mayReturn(node: N): boolean {
  let found = false;
  const walk = (n: any): void => {
    if (found || !n || typeof n !== 'object') return;
    if (n.type === 'ReturnStatement') { found = true; return; }
    if (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'FunctionDeclaration') return;
    for (const k of Object.keys(n)) {
      if (k === 'loc') continue;
      const v = n[k];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object' && typeof v.type === 'string') walk(v);
    }
  };
  walk(node);
  return found;
}

function describe(node: N): string {
  return node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export type { ArrayRef };
