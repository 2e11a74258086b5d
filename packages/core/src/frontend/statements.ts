// Statements: declarations, assignment (plain and compound), ++/--, if, loops
// (for, while, do-while, with conditions that have effects), break/continue and
// return (in an inlined device function: the result local and the `done` flag).

import type { Expr, Stmt } from '../ir/nodes.js';
import { is64, isInt, loadType, type ScalarType } from '../types.js';
import type { LocalBinding, LowerContext, N } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { constExpr, not } from './ir-build.js';
import { describeNode } from './diagnostics.js';
import { arrayLength, lowerCall, lowerExpr, scalarsInOrder } from './expressions.js';
import { binary, condition } from './operators.js';
import { element, loadExpr, store } from './arrays.js';
import { mayReturn } from './inline.js';
import { wrappedValue } from './wrapping.js';
import { constLocalValue } from './builtins.js';
import { throwStmt } from './throw.js';

/** A function's body as statements; an arrow function's expression body is its result. */
export function lowerFunctionBody(cx: LowerContext, fn: N): Stmt[] {
  if (fn.body.type !== 'BlockStatement') {
    return cx.collect(() => {
      const v = lowerExpr(cx, fn.body);
      if (cx.frame.device) setResult(cx, fn.body, v);
    });
  }
  return cx.collect(() => block(cx, fn.body.body));
}

function block(cx: LowerContext, stmts: N[]): void {
  cx.scopes.push(new Map());
  for (let i = 0; i < stmts.length; i++) {
    stmt(cx, stmts[i]);
    // In an inlined device function, code after a statement that may return runs only if it did not.
    const dev = cx.frame.device;
    if (dev && i < stmts.length - 1 && mayReturn(stmts[i])) {
      const rest = stmts.slice(i + 1);
      const then = cx.collect(() => block(cx, rest));
      cx.emit({ kind: 'if', cond: { kind: 'unary', op: 'not', type: 'bool', x: { kind: 'local', id: dev.done, type: 'bool' } }, then, else: [] });
      break;
    }
  }
  cx.scopes.pop();
}

function stmt(cx: LowerContext, node: N): void {
  switch (node.type) {
    case 'VariableDeclaration': return varDecl(cx, node);
    case 'ExpressionStatement': return exprStmt(cx, node.expression);
    case 'BlockStatement': return block(cx, node.body);
    case 'EmptyStatement': return;
    case 'IfStatement': {
      const cond = condition(cx, node.test);
      const then = cx.collect(() => block(cx, [node.consequent]));
      const els = node.alternate ? cx.collect(() => block(cx, [node.alternate])) : [];
      cx.emit({ kind: 'if', cond, then, else: els, loc: cx.loc(node) });
      return;
    }
    case 'ForStatement': return forStmt(cx, node);
    case 'WhileStatement': return loop(cx, node, node.test, node.body, null, false);
    case 'DoWhileStatement': return loop(cx, node, node.test, node.body, null, true);
    case 'BreakStatement':
    case 'ContinueStatement':
      if (node.label) cx.fail(node, 'labelled break/continue', 'labelled break/continue is not supported');
      if (cx.loopDepth === 0 || (cx.frame.device && cx.loopDepth <= cx.frame.device.loopDepth)) cx.fail(node, node.type === 'BreakStatement' ? 'break' : 'continue', 'break/continue outside a loop');
      cx.emit({ kind: node.type === 'BreakStatement' ? 'break' : 'continue', loc: cx.loc(node) });
      return;
    case 'ReturnStatement': return returnStmt(cx, node);
    case 'FunctionDeclaration': return cx.fail(node, 'nested function', 'functions declared inside a kernel (closures) are not supported; declare a device function with cuda.jit(fn, { device: true }) and pass it in options.globals');
    case 'ClassDeclaration': return cx.fail(node, 'class', 'classes are not supported in kernels');
    case 'TryStatement': return cx.fail(node, 'try/catch', 'try/catch is not supported in kernels');
    case 'ThrowStatement': return throwStmt(cx, node);
    case 'SwitchStatement': return cx.fail(node, 'switch', 'switch is not supported in kernels; use if/else');
    case 'ForOfStatement': return forOf(cx, node);
    case 'ForInStatement': return cx.fail(node, 'for...in', 'for...in is not supported; use an indexed for loop or for...of');
    case 'LabeledStatement': return cx.fail(node, 'label', 'labelled statements are not supported');
    case 'WithStatement': return cx.fail(node, 'with', 'with is not supported');
    case 'DebuggerStatement': return;
    default: return cx.fail(node, node.type, `${describeNode(node)} is not supported in kernels`);
  }
}

function varDecl(cx: LowerContext, node: N): void {
  const mutable = node.kind !== 'const';
  for (const d of node.declarations as N[]) {
    if (d.id.type === 'ArrayPattern') {
      const v = d.init ? lowerExpr(cx, d.init) : undefined;
      if (!v || v.k !== 'tuple') cx.fail(d, 'array destructuring', 'array destructuring only works on several results: cuda.grid(n) / cuda.gridsize(n), cuda.frexp(x) and device functions that return an array literal');
      d.id.elements.forEach((el: N | null, i: number) => {
        if (!el) return;
        if (el.type !== 'Identifier') cx.fail(el, 'destructuring pattern', 'only plain names can be destructured');
        if (i >= v.items.length) cx.fail(el, 'destructuring', `the value gives only ${v.items.length} results`);
        declareScalar(cx, el.name, el, v.items[i], mutable);
      });
      continue;
    }
    if (d.id.type !== 'Identifier') cx.fail(d.id, 'destructuring pattern', 'object destructuring is not supported in kernels');
    const name = d.id.name as string;
    if (!d.init) {
      const b = cx.newLocal(name, d.id, undefined, true);
      cx.declare(name, b, d.id);
      continue;
    }
    // A call may declare a shared/local array: it takes the variable's name.
    const v: Val = cx.wholeValue(d.init, () => (d.init.type === 'CallExpression' ? lowerCall(cx, d.init, name) : lowerExpr(cx, d.init)));
    if (v.k === 'scalar') {
      declareScalar(cx, name, d.id, v, mutable);
      const b = cx.lookup(name);
      if (!mutable && b?.kind === 'local') b.constValue ??= constLocalValue(cx, d.init);
    }
    // `let a = x` aliasing an array is fine as long as it is never reassigned (assignment refuses it).
    else if (v.k === 'array' || v.k === 'devfn' || v.k === 'dtype' || v.k === 'ns') cx.declare(name, { kind: 'val', val: v }, d.id);
    else if (v.k === 'tuple') cx.fail(d, 'tuple', 'this gives several results (a tuple): destructure it, e.g. `const [x, y] = cuda.grid(2)`, `const [m, e] = cuda.frexp(x)`');
    else cx.fail(d.init, 'host value', `'${name}' would hold a value kernels cannot use`);
  }
}

function declareScalar(cx: LowerContext, name: string, node: N, v: ScalarVal, mutable: boolean): void {
  const b = cx.newLocal(name, node, { type: v.e.type, lit: v.lit }, mutable);
  // `const N = 16`: usable where a constant is needed (a shared array's shape).
  if (!mutable && typeof v.lit === 'number') b.constValue = v.lit;
  cx.declare(name, b, node);
  assignLocal(cx, b, v, node);
}

function assignLocal(cx: LowerContext, b: LocalBinding, v: ScalarVal, node: N): void {
  cx.contribute(b.key, v);
  const type = cx.locals[b.id].type;
  cx.emit({ kind: 'assign', local: b.id, value: cx.coerce(v, type), loc: cx.loc(node) });
}

function forStmt(cx: LowerContext, node: N): void {
  cx.scopes.push(new Map());
  if (node.init) {
    if (node.init.type === 'VariableDeclaration') varDecl(cx, node.init);
    else exprStmt(cx, node.init);
  }
  loop(cx, node, node.test, node.body, node.update, false);
  cx.scopes.pop();
}

function loop(cx: LowerContext, node: N, test: N | null, body: N, update: N | null, doWhile: boolean): void {
  let cond: Expr | undefined;
  let condStmts: Stmt[] = [];
  if (test && !doWhile) {
    condStmts = cx.collect(() => { cond = condition(cx, test); });
  }
  cx.loopDepth++;
  let bodyStmts = cx.collect(() => block(cx, [body]));
  let updateStmts = update ? cx.collect(() => exprStmt(cx, update)) : [];
  cx.loopDepth--;
  if (doWhile && test) {
    let c!: Expr;
    const s = cx.collect(() => { c = condition(cx, test); });
    updateStmts = [...updateStmts, ...s, { kind: 'if', cond: not(c), then: [{ kind: 'break' }], else: [] }];
  }
  if (condStmts.length) {
    // The condition has effects (a device call, i++): test it inside the loop.
    bodyStmts = [...condStmts, { kind: 'if', cond: not(cond!), then: [{ kind: 'break' }], else: [] }, ...bodyStmts];
    cond = undefined;
  }
  cx.emit({ kind: 'loop', cond, body: bodyStmts, update: updateStmts, loc: cx.loc(node) });
  const dev = cx.frame.device;
  if (dev && mayReturn(body) && cx.loopDepth > dev.loopDepth) {
    cx.emit({ kind: 'if', cond: { kind: 'local', id: dev.done, type: 'bool' }, then: [{ kind: 'break' }], else: [] });
  }
}

/**
 * `for (const x of a)` over an array (global, shared, local, constant, a view):
 * x is a[0], a[1], … up to a.length, a fresh binding each iteration. `for (const i
 * of cuda.range(start, stop, step))`: numba's range, over integers (step a
 * constant, 1 by default; start, stop and step evaluated once, before the loop).
 */
function forOf(cx: LowerContext, node: N): void {
  if (node.await) cx.fail(node, 'for await', 'for await is not supported in kernels');
  const left = node.left;
  if (left.type !== 'VariableDeclaration' || left.declarations.length !== 1 || left.declarations[0].id.type !== 'Identifier') {
    cx.fail(left, 'for...of target', 'for...of needs one declared loop variable: for (const x of a)');
  }
  const id: N = left.declarations[0].id;
  const right: N = node.right;
  cx.scopes.push(new Map());
  let counter: number, cond: Expr, step: Expr, value: () => ScalarVal;
  const isRange = right.type === 'CallExpression' && right.callee.type === 'MemberExpression' && !right.callee.computed && right.callee.property.name === 'range';
  const callee = isRange ? lowerExpr(cx, right.callee) : undefined;
  if (callee?.k === 'ns' && callee.path === 'cuda.range') {
    const r = rangeBounds(cx, right);
    counter = cx.temp(r.type, 'range');
    cx.emit({ kind: 'assign', local: counter, value: r.start });
    const i: Expr = { kind: 'local', id: counter, type: r.type };
    cond = binaryExpr(r.step > 0 ? 'lt' : 'gt', r.type, i, r.stop);
    step = constExpr(r.type, r.step);
    value = () => ({ k: 'scalar', e: i });
  } else {
    const arr = lowerExpr(cx, right);
    if (arr.k !== 'array') return cx.fail(right, 'for...of', 'for...of iterates over arrays and cuda.range(…) in kernels');
    if (arr.shape && arr.shape.length > 1) cx.fail(right, 'for...of over an n-d array', `'${arr.name}' has ${arr.shape.length} dimensions; iterate with indices (for (let i = 0; i < ${arr.name}.shape[0]; i++))`);
    const len = cx.stable(arrayLength(cx, arr, right).e);
    counter = cx.temp('i32', 'of');
    cx.emit({ kind: 'assign', local: counter, value: constExpr('i32', 0) });
    const i: Expr = { kind: 'local', id: counter, type: 'i32' };
    cond = binaryExpr('lt', 'i32', i, len);
    step = constExpr('i32', 1);
    // In range by the loop condition: a view's element is at its offset.
    value = () => ({ k: 'scalar', e: loadExpr(cx, arr, arr.view ? binaryExpr('add', 'i32', arr.view.offset, i) : i, right) });
  }
  cx.loopDepth++;
  const body = cx.collect(() => {
    cx.scopes.push(new Map());
    declareScalar(cx, id.name, id, value(), left.kind !== 'const');
    block(cx, [node.body]);
    cx.scopes.pop();
  });
  cx.loopDepth--;
  const i: Expr = { kind: 'local', id: counter, type: step.type };
  cx.emit({ kind: 'loop', cond, body, update: [{ kind: 'assign', local: counter, value: binaryExpr('add', step.type, i, step) }], loc: cx.loc(node) });
  const dev = cx.frame.device;
  if (dev && mayReturn(node.body) && cx.loopDepth > dev.loopDepth) {
    cx.emit({ kind: 'if', cond: { kind: 'local', id: dev.done, type: 'bool' }, then: [{ kind: 'break' }], else: [] });
  }
  cx.scopes.pop();
}

function binaryExpr(op: 'lt' | 'gt' | 'add', t: ScalarType, a: Expr, b: Expr): Expr {
  return { kind: 'binary', op, opType: t, type: op === 'add' ? t : 'bool', a, b };
}

/** cuda.range(stop), (start, stop) or (start, stop, step): integers, u32 when a non-literal bound is u32. */
function rangeBounds(cx: LowerContext, call: N): { start: Expr; stop: Expr; step: number; type: 'i32' | 'u32' } {
  const args: N[] = call.arguments;
  if (args.length < 1 || args.length > 3) cx.fail(call, 'cuda.range', 'cuda.range takes (stop), (start, stop) or (start, stop, step)');
  const vals = scalarsInOrder(cx, args, 'a cuda.range bound');
  vals.forEach((v, k) => {
    const ok = v.lit !== undefined ? typeof v.lit === 'number' && Number.isInteger(v.lit) : isInt(v.e.type);
    if (!ok) cx.typeFail(args[k], 'non-integer range bound', `cuda.range bounds must be integers (got ${v.e.type}); use Math.floor(x), x | 0 or x >>> 0`);
  });
  const typed = vals.filter((v) => v.lit === undefined).map((v) => v.e.type);
  if (typed.includes('i32') && typed.includes('u32')) cx.typeFail(call, 'i32/u32 mix', 'cuda.range mixes i32 and u32 bounds; convert one explicitly (`x | 0` gives i32, `x >>> 0` gives u32)');
  const type = typed.includes('u32') ? 'u32' : 'i32';
  let step = 1;
  if (vals.length === 3) {
    const st = vals[2].lit;
    if (typeof st !== 'number' || !Number.isInteger(st) || st === 0) cx.fail(args[2], 'cuda.range step', 'the step of cuda.range must be a constant non-zero integer');
    if (type === 'u32' && st < 0) cx.fail(args[2], 'cuda.range step', 'a u32 cuda.range counts up: its step must be positive');
    step = st;
  }
  const start = vals.length === 1 ? constExpr(type, 0) : cx.stable(cx.coerce(vals[0], type));
  const stop = cx.stable(cx.coerce(vals[vals.length === 1 ? 0 : 1], type));
  return { start, stop, step, type };
}

function returnStmt(cx: LowerContext, node: N): void {
  const dev = cx.frame.device;
  if (!dev) {
    if (node.argument) cx.fail(node, 'return value', 'kernels cannot return a value; write results into an array argument');
    cx.emit({ kind: 'return', loc: cx.loc(node) });
    return;
  }
  if (node.argument?.type === 'ArrayExpression') {
    const els = node.argument.elements as (N | null)[];
    if (els.some((e) => !e || e.type === 'SpreadElement')) cx.fail(node.argument, 'returned array', 'a returned array literal must list its values ([a, b]), without holes or spreads');
    setItems(cx, node.argument, scalarsInOrder(cx, els as N[], 'an element of a returned array'));
  } else if (node.argument) {
    const v = lowerExpr(cx, node.argument);
    if (v.k === 'tuple') setItems(cx, node.argument, v.items);
    else setResult(cx, node.argument, v);
  }
  cx.emit({ kind: 'assign', local: dev.done, value: constExpr('bool', true) });
  if (cx.loopDepth > dev.loopDepth) cx.emit({ kind: 'break' });
}

/** `return [a, b]` (or a returned tuple): each value goes into its element's result local. */
function setItems(cx: LowerContext, node: N, vals: ScalarVal[]): void {
  const dev = cx.frame.device!;
  if (dev.scalar) cx.fail(node, 'mixed returns', `device function '${dev.fnName}' returns both a number and an array; return arrays of the same length everywhere`);
  dev.items ??= vals.map((_, k) => {
    const b = cx.newLocal(`${dev.fnName}.result${k}`, dev.fnNode, undefined, true);
    return { id: b.id, key: b.key };
  });
  if (dev.items.length !== vals.length) cx.fail(node, 'returned array length', `device function '${dev.fnName}' returns arrays of ${dev.items.length} and ${vals.length} values; every return must give the same number`);
  vals.forEach((s, k) => {
    const it = dev.items![k];
    cx.contribute(it.key, s);
    const stmt: Stmt & { kind: 'assign' } = { kind: 'assign', local: it.id, value: s.e };
    dev.returns.push({ stmt, value: s, item: k });
    cx.emit(stmt);
  });
}

function setResult(cx: LowerContext, node: N, v: Val): void {
  const dev = cx.frame.device!;
  if (dev.items) cx.fail(node, 'mixed returns', `device function '${dev.fnName}' returns both an array and a number; return arrays of the same length everywhere`);
  dev.scalar = true;
  const s = cx.scalar(v, node, 'a device function return value');
  cx.contribute(dev.resultKey, s);
  // Converted to the result's type once every return of this copy is seen (see inline.ts).
  const stmt: Stmt & { kind: 'assign' } = { kind: 'assign', local: dev.result, value: s.e };
  dev.returns.push({ stmt, value: s });
  cx.emit(stmt);
}

/** An expression evaluated for its effects. */
export function exprStmt(cx: LowerContext, e: N): void {
  if (e.type === 'SequenceExpression') { for (const x of e.expressions) exprStmt(cx, x); return; }
  if (e.type === 'AssignmentExpression') return assignment(cx, e);
  if (e.type === 'UpdateExpression') { update(cx, e, false); return; }
  const v = cx.wholeValue(e, () => lowerExpr(cx, e));
  if (v.k === 'scalar' && v.e.kind === 'atomic') cx.emit({ kind: 'expr', expr: v.e, loc: cx.loc(e) });
}

// ---------------------------------------------------------------- assignment

function assignment(cx: LowerContext, node: N): void {
  const op: string = node.operator;
  const target = node.left;
  if (target.type === 'Identifier') {
    const b = cx.lookup(target.name);
    if (!b) cx.fail(target, 'assignment to unknown name', `'${target.name}' is not declared in the kernel`);
    if (b.kind === 'param') cx.fail(target, 'write to scalar parameter', `cannot assign to parameter '${target.name}': scalar parameters are read-only in kernels; copy it into a local (let ${target.name}2 = ${target.name})`);
    if (b.kind !== 'local') cx.fail(target, 'assignment', `cannot assign to '${target.name}'`);
    if (!b.mutable) cx.fail(target, 'assignment to const', `'${target.name}' is const`);
    if (op === '=') {
      assignLocal(cx, b, cx.scalar(cx.wholeValue(node.right, () => lowerExpr(cx, node.right)), node.right, 'the assigned value'), node);
      return;
    }
    // `x += e`: x is read before e's effects.
    const mark = cx.mark();
    const old = cx.readLocal(b);
    const sv = cx.scalar(lowerExpr(cx, node.right), node.right, 'the assigned value');
    assignLocal(cx, b, binary(cx, node, op.slice(0, -1), cx.spillBefore(old, mark), sv), node);
    return;
  }
  if (target.type === 'MemberExpression' && target.computed) {
    // JS order: the index, then (compound) the old element, then the right side.
    const { arr, index } = element(cx, target);
    if (op === '=') {
      const mark = cx.mark();
      // Stores into integer arrays wrap mod 2^32 (or narrower): an integer sum can be computed that way (wrapping.ts).
      const elemType = loadType(arr.elem);
      const rhs = isInt(elemType) ? wrappedValue(cx, node.right, elemType as 'i32' | 'u32') : lowerExpr(cx, node.right);
      const value = cx.scalar(rhs, node.right, 'the stored value');
      store(cx, arr, cx.spillBefore({ k: 'scalar', e: index }, mark).e, value, node);
      return;
    }
    const idx = cx.stable(index);
    const mark = cx.mark();
    const old: ScalarVal = { k: 'scalar', e: loadExpr(cx, arr, idx, target) };
    const rhs = cx.scalar(lowerExpr(cx, node.right), node.right, 'the operand');
    store(cx, arr, idx, binary(cx, node, op.slice(0, -1), cx.spillBefore(old, mark), rhs), node);
    return;
  }
  if (target.type === 'MemberExpression') cx.fail(target, 'property assignment', `cannot assign to property '${target.property.name}'`);
  cx.fail(target, 'assignment target', 'unsupported assignment target');
}

/** i++ / --i; in expression context returns the old (postfix) or new (prefix) value. */
export function update(cx: LowerContext, node: N, wantValue: boolean): ScalarVal {
  const delta = node.operator === '++' ? 1 : -1;
  const arg = node.argument;
  const num1: ScalarVal = { k: 'scalar', e: constExpr('i32', 1), lit: 1 };
  // `j++` on a BigInt adds 1n (JS's ++ keeps the operand's kind).
  const oneFor = (v: ScalarVal): ScalarVal => (is64(v.e.type) ? { k: 'scalar', e: constExpr(v.e.type, 1n), big: 1n } : num1);
  if (arg.type === 'Identifier') {
    const b = cx.lookup(arg.name);
    if (b?.kind === 'param') cx.fail(arg, 'write to scalar parameter', `cannot modify parameter '${arg.name}': scalar parameters are read-only in kernels`);
    if (!b || b.kind !== 'local') cx.fail(arg, 'update', `cannot modify '${arg.name}'`);
    if (!b.mutable) cx.fail(arg, 'assignment to const', `'${arg.name}' is const`);
    const old = cx.readLocal(b);
    let oldTemp: ScalarVal | undefined;
    if (wantValue && !node.prefix) {
      const t = cx.temp(old.e.type);
      cx.emit({ kind: 'assign', local: t, value: old.e });
      oldTemp = { k: 'scalar', e: { kind: 'local', id: t, type: old.e.type } };
    }
    assignLocal(cx, b, binary(cx, node, delta > 0 ? '+' : '-', oldTemp ?? old, oneFor(old)), node);
    return oldTemp ?? cx.readLocal(b);
  }
  if (arg.type === 'MemberExpression' && arg.computed) {
    const { arr, index } = element(cx, arg);
    const idx = cx.stable(index);
    const t = cx.temp(loadType(arr.elem));
    cx.emit({ kind: 'assign', local: t, value: loadExpr(cx, arr, idx, arg) });
    const old: ScalarVal = { k: 'scalar', e: { kind: 'local', id: t, type: loadType(arr.elem) } };
    const nv = binary(cx, node, delta > 0 ? '+' : '-', old, oneFor(old));
    store(cx, arr, idx, nv, node);
    return node.prefix ? { k: 'scalar', e: loadExpr(cx, arr, idx, arg) } : old;
  }
  return cx.fail(node, 'update', `cannot apply ${node.operator} here`);
}
