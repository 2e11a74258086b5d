// Expressions: dispatch over the AST, names (locals, parameters, globals,
// builtins), members, calls, and left-to-right evaluation of operand lists.
// Operators are in operators.ts, array access in arrays.ts, cuda.* and Math.*
// in builtins.ts and math.ts, device-function calls in inline.ts.

import type { ElemType } from '../types.js';
import { elemTypeOfTypedArray, isDType } from '../types.js';
import { isDeviceFunction } from '../device-function.js';
import type { LowerContext, N } from './context.js';
import type { ArrayVal, ScalarVal, Val } from './values.js';
import { describeNode } from './diagnostics.js';
import { BUILTIN_NAMES, resolveHostValue } from './names.js';
import { exprStmt, update } from './statements.js';
import { binary, conditional, intDivision, logical, unary } from './operators.js';
import { element, loadExpr, subarrayView } from './arrays.js';
import { callBuiltin, constInt, dtypeConversion, namespaceMember } from './builtins.js';
import { inline } from './inline.js';
import { consoleLog } from './console.js';
import { wrappedValue } from './wrapping.js';
import { bigLiteral } from './int64.js';

const WRAPPING_OPERANDS: Record<string, 'i32' | 'u32' | undefined> = { '&': 'i32', '|': 'i32', '^': 'i32', '<<': 'i32', '>>': 'i32', '>>>': 'u32' };

export function lowerExpr(cx: LowerContext, node: N): Val {
  switch (node.type) {
    case 'Literal': {
      const v = node.value;
      if (typeof v === 'number' || typeof v === 'boolean') return cx.lit(v, node);
      if (typeof v === 'string') cx.fail(node, 'string literal', 'strings are not supported in kernels');
      if (node.regex) cx.fail(node, 'regular expression', 'regular expressions are not supported in kernels');
      if (typeof v === 'bigint') return bigLiteral(cx, v, node);
      return cx.fail(node, 'null', 'null is not supported in kernels');
    }
    case 'Identifier': return identifier(cx, node);
    case 'ThisExpression': return cx.fail(node, 'this', '`this` is not available in kernels');
    case 'TemplateLiteral': return cx.fail(node, 'template string', 'strings are not supported in kernels');
    case 'ObjectExpression': return cx.fail(node, 'object literal', 'objects are not supported in kernels');
    case 'ArrayExpression': return cx.fail(node, 'array literal', 'array literals are not supported in kernels; use cuda.local.array(n, dtype)');
    case 'FunctionExpression': case 'ArrowFunctionExpression': return cx.fail(node, 'closure', 'functions (closures) cannot be created inside kernels; use a device function passed in options.globals');
    case 'NewExpression': return cx.fail(node, 'new', '`new` is not supported in kernels (no allocation); use cuda.local.array or cuda.shared.array');
    case 'AwaitExpression': return cx.fail(node, 'await', 'await is not supported in kernels');
    case 'SequenceExpression': {
      // (0, ns.cuda) is how tsc's CommonJS output calls imported functions.
      for (const x of node.expressions.slice(0, -1)) if (x.type !== 'Literal') exprStmt(cx, x);
      return lowerExpr(cx, node.expressions[node.expressions.length - 1]);
    }
    case 'ParenthesizedExpression': return lowerExpr(cx, node.expression);
    case 'TSAsExpression': case 'TSNonNullExpression': return lowerExpr(cx, node.expression);
    case 'MemberExpression': return member(cx, node);
    case 'CallExpression': return lowerCall(cx, node);
    case 'UnaryExpression': return unary(cx, node);
    case 'BinaryExpression': {
      const special = intDivision(cx, node, null);
      if (special) return special;
      // Bitwise operators convert their operands with ToInt32 (`>>>`: ToUint32), which a 32-bit integer sum can meet exactly (wrapping.ts).
      const wrap = WRAPPING_OPERANDS[node.operator];
      const operand = (n: N) => (wrap ? wrappedValue(cx, n, wrap) : lowerExpr(cx, n));
      const a = cx.scalar(operand(node.left), node.left, `the left operand of ${node.operator}`);
      const mark = cx.mark();
      const b = cx.scalar(operand(node.right), node.right, `the right operand of ${node.operator}`);
      return binary(cx, node, node.operator, cx.spillBefore(a, mark), b);
    }
    case 'LogicalExpression': return logical(cx, node, false);
    case 'ConditionalExpression': return conditional(cx, node);
    case 'AssignmentExpression': return cx.fail(node, 'assignment expression', 'assignments cannot be used as values; write them as separate statements');
    case 'UpdateExpression': return update(cx, node, true);
    case 'ChainExpression': return cx.fail(node, 'optional chaining', 'optional chaining (?.) is not supported in kernels');
    default: return cx.fail(node, node.type, `${describeNode(node)} is not supported in kernels`);
  }
}

/**
 * Arguments left to right, as JS evaluates them: an earlier argument is read
 * (copied into a temp) before the statements a later one emits (`x++`, a
 * device call), exactly as binary operators do with spillBefore.
 */
export function valsInOrder(cx: LowerContext, nodes: N[]): Val[] {
  const vals: Val[] = [];
  const marks: number[] = [];
  for (const n of nodes) {
    vals.push(lowerExpr(cx, n));
    marks.push(cx.mark());
  }
  // Backwards, so inserting a temp never moves an earlier argument's mark.
  for (let i = vals.length - 2; i >= 0; i--) {
    const v = vals[i];
    if (v.k === 'scalar') vals[i] = cx.spillBefore(v, marks[i]);
  }
  return vals;
}

export function scalarsInOrder(cx: LowerContext, nodes: N[], what: string): ScalarVal[] {
  const vals = valsInOrder(cx, nodes);
  return vals.map((v, i) => cx.scalar(v, nodes[i], what));
}

function identifier(cx: LowerContext, node: N): Val {
  const name: string = node.name;
  const b = cx.lookup(name);
  if (b) {
    if (b.kind === 'local') return cx.readLocal(b);
    if (b.kind === 'param') return { k: 'scalar', e: { kind: 'param', index: b.index, type: b.type } };
    return b.val;
  }
  const globals = cx.frame.globals;
  if (Object.prototype.hasOwnProperty.call(globals, name)) return hostValue(cx, globals[name], node, name);
  if (name === 'Infinity') return cx.lit(Infinity);
  if (name === 'NaN') return cx.lit(NaN);
  if (name === 'undefined') cx.fail(node, 'undefined', 'undefined is not a kernel value');
  if (BUILTIN_NAMES.has(name)) return resolveHostValue(name);
  if (cx.frame.parsed.minified) {
    // Not "'S' is not defined": the name is the minifier's, not the author's.
    return cx.fail(node, `unknown identifier '${name}' in minified source`, `'${name}' is not defined in the kernel, whose source text is minified: a minifier renamed the names the kernel uses (cuda, its globals, its device functions). Build with numbat's bundler plugin (esbuildPlugin, vitePlugin or rollupPlugin from '@numbat/core/build', or the loader '@numbat/core/build/webpack-loader'; docs/bundlers.md), which records each kernel's original source`);
  }
  return cx.fail(node, `unknown identifier '${name}'`, `'${name}' is not defined in the kernel: kernels can use their parameters and locals, cuda, Math, the dtype names and what options.globals provides (add { globals: { ${name} } })`);
}

/** A value captured from options.globals: frozen into the kernel. */
function hostValue(cx: LowerContext, v: unknown, node: N, name: string): Val {
  if (typeof v === 'number' || typeof v === 'boolean') return cx.lit(v, node);
  if (typeof v === 'bigint') return bigLiteral(cx, v, node);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) cx.fail(node, 'constant BigInt array', `global '${name}' is a ${v.constructor.name}; constant tables of BigInts are not supported (pass it as an argument instead)`);
  if (isDeviceFunction(v)) return { k: 'devfn', fn: v };
  if (isDType(v)) return { k: 'dtype', elem: v.__dtype };
  const ta = elemTypeOfTypedArray(v);
  if (ta || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
    const values = Array.from(v as ArrayLike<number>);
    const elem: ElemType = ta ?? (values.every((x) => Number.isInteger(x) && !Object.is(x, -0) && x >= -2147483648 && x <= 2147483647) ? 'i32' : cx.float);
    if (values.length > 65536) cx.fail(node, 'large constant array', `global '${name}' has ${values.length} elements; constant tables are limited to 65536 (pass it as an argument instead)`);
    const existing = cx.arrays.find((a) => a.space === 'const' && a.name === name);
    const id = existing?.id ?? cx.arrays.length;
    if (!existing) cx.arrays.push({ id, name, space: 'const', elem, shape: [values.length], size: values.length, values, atomic: false });
    return { k: 'array', ref: { space: 'const', id }, elem, name };
  }
  const builtin = resolveHostValue(undefined, v);
  if (builtin) return builtin;
  if (typeof v === 'function') {
    if (typeof (v as { configure?: unknown }).configure === 'function') cx.fail(node, 'kernel call', `'${name}' is a kernel; kernels cannot call kernels (make it a device function with { device: true })`);
    cx.fail(node, 'host function', `'${name}' is a plain JavaScript function; kernels can only call device functions: cuda.jit(${name}, { device: true })`);
  }
  if (typeof v === 'object' && v !== null) return { k: 'host', value: v };
  return cx.fail(node, 'global value', `global '${name}' has a type kernels cannot use (${typeof v})`);
}

function member(cx: LowerContext, node: N): Val {
  if (node.computed) {
    // `a.shape[k]`: an extent, constant for shared/local arrays and cuda.ndarray arguments.
    if (node.object.type === 'MemberExpression' && !node.object.computed && node.object.property.name === 'shape') {
      const sh = lowerExpr(cx, node.object);
      if (sh.k === 'tuple') {
        const k = constInt(cx, node.property, 'a.shape index');
        if (k < 0 || k >= sh.items.length) cx.fail(node.property, 'a.shape index', `'${node.object.object.name ?? 'the array'}' has ${sh.items.length} dimension(s): shape[${k}] does not exist`);
        return sh.items[k];
      }
    }
    const { arr, index } = element(cx, node);
    return { k: 'scalar', e: loadExpr(cx, arr, index, node) };
  }
  const prop: string = node.property.name;
  // `__vi_import_0__.cuda`, `core_1.cuda`: a transpiler's import namespace.
  // Its members resolve as the bare name would: a builtin, or a global of
  // that name (`utils_1.clamp` with globals { clamp }).
  const globals = cx.frame.globals;
  if (node.object.type === 'Identifier' && !cx.lookup(node.object.name) && !Object.prototype.hasOwnProperty.call(globals, node.object.name) && !BUILTIN_NAMES.has(node.object.name)) {
    if (Object.prototype.hasOwnProperty.call(globals, prop)) return hostValue(cx, globals[prop], node, prop);
    if (BUILTIN_NAMES.has(prop)) return resolveHostValue(prop);
  }
  const obj = lowerExpr(cx, node.object);
  switch (obj.k) {
    case 'array':
      if (prop === 'length') return arrayLength(cx, obj, node);
      // numba's a.shape: the extents (a 1-D array's is its length); destructure it or index it with a constant.
      if (prop === 'shape') return { k: 'tuple', items: obj.shape && !obj.view ? obj.shape.map((d) => cx.lit(d, node)) : [arrayLength(cx, obj, node)] };
      return cx.fail(node, `array property '${prop}'`, `arrays in kernels only have .length, .shape and .subarray(begin, end) (not .${prop})`);
    case 'ns': return namespaceMember(cx, node, obj.path, prop);
    case 'host': {
      const v = (obj.value as Record<string, unknown>)[prop];
      if (v === undefined) cx.fail(node, `unknown property '${prop}'`, `the global object has no property '${prop}'`);
      return hostValue(cx, v, node, prop);
    }
    case 'scalar': return cx.fail(node, `property '${prop}' of a number`, `numbers have no property '${prop}' in kernels`);
    default: return cx.fail(node, `property '${prop}'`, `'.${prop}' is not supported here`);
  }
}

/** `a.length`: the first extent; run-time for global 1-D arrays, views and the dynamic shared array (sized by the launch's sharedMem). */
export function arrayLength(cx: LowerContext, obj: ArrayVal, node: N): ScalarVal {
  if (obj.view) return { k: 'scalar', e: obj.view.length };
  const runtime: ScalarVal = { k: 'scalar', e: { kind: 'length', array: obj.ref, type: 'i32' } };
  if (obj.ref.space === 'global') return obj.shape ? cx.lit(obj.shape[0], node) : runtime;
  const decl = cx.arrays[obj.ref.id];
  if (obj.ref.space === 'shared' && decl.size === 0) return runtime;
  return cx.lit(obj.shape ? obj.shape[0] : decl.size, node);
}

/** A call: a device function (inlined), a dtype conversion, or a cuda.* / Math.* builtin. `declName` names a declared array. */
export function lowerCall(cx: LowerContext, node: N, declName?: string): Val {
  if (node.optional) cx.fail(node, 'optional call', 'optional calls (?.) are not supported');
  // console.log(...): numba's print (console.ts).
  const c = node.callee;
  if (c.type === 'MemberExpression' && !c.computed && c.object.type === 'Identifier' && c.object.name === 'console' && !cx.lookup('console') && !Object.prototype.hasOwnProperty.call(cx.frame.globals, 'console')) {
    if (c.property.name !== 'log') cx.fail(node, `console.${c.property.name}`, `console.${c.property.name} is not supported in kernels; use console.log`);
    if (node.arguments.some((a: N) => a.type === 'SpreadElement')) cx.fail(node, 'spread', 'spread arguments are not supported');
    return consoleLog(cx, node, node.arguments);
  }
  // `a.subarray(b, e)`: a view of an array (arrays.ts).
  if (node.callee.type === 'MemberExpression' && !node.callee.computed && node.callee.property.name === 'subarray') {
    const obj = lowerExpr(cx, node.callee.object);
    if (obj.k === 'array') return subarrayView(cx, node, obj, node.arguments);
  }
  const callee = lowerExpr(cx, node.callee);
  if (callee.k === 'devfn') return inline(cx, node, callee.fn);
  if (callee.k === 'dtype') return dtypeConversion(cx, node, callee.elem);
  if (callee.k !== 'ns') {
    if (node.callee.type === 'Identifier') cx.fail(node.callee, `call of '${node.callee.name}'`, `'${node.callee.name}' is not a function kernels can call`);
    return cx.fail(node, 'call', 'only Math.*, cuda.* and device functions can be called in kernels');
  }
  const args = node.arguments as N[];
  if (args.some((a) => a.type === 'SpreadElement')) cx.fail(node, 'spread', 'spread arguments are not supported');
  return callBuiltin(cx, node, callee.path, args, declName);
}
