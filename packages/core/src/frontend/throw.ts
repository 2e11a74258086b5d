// `throw new Error('message')` in a kernel (numba's exceptions in kernels): the
// thread ends and the launch rejects with a LaunchError carrying the message,
// the thread and the line. It reuses every backend's bounds-check error record:
// the throw is a read of a one-element constant array at an index >= 1, always out of
// bounds, whose name launchErrors maps back to the message (errors.ts).

import { thrownArrayName } from '../errors.js';
import type { LowerContext, N } from './context.js';
import { bin, constExpr } from './ir-build.js';

const ERROR_CLASSES = new Set(['Error', 'RangeError', 'TypeError', 'EvalError', 'ReferenceError', 'SyntaxError', 'URIError']);

export function throwStmt(cx: LowerContext, node: N): void {
  const message = thrownMessage(cx, node.argument);
  if (cx.input.boundscheck === false) {
    cx.fail(node, 'throw with boundscheck: false', 'throw in a kernel reports through the bounds-check error record, which boundscheck: false removes; keep bounds checks on for kernels that throw');
  }
  const name = thrownArrayName(message);
  let decl = cx.arrays.find((a) => a.space === 'const' && a.name === name);
  if (!decl) {
    decl = { id: cx.arrays.length, name, space: 'const', elem: 'i32', shape: [1], size: 1, values: [0], atomic: false };
    cx.arrays.push(decl);
  }
  // Index threadIdx.x | 1 (never 0): thread-varying, so that backends that run
  // threads as vector lanes report the lane that threw, not its group's first.
  const index = bin('or', 'i32', 'i32', { kind: 'special', reg: 'threadIdx', dim: 0, type: 'i32' }, constExpr('i32', 1));
  const t = cx.temp('i32', 'thrown');
  cx.emit({ kind: 'assign', local: t, value: { kind: 'load', array: { space: 'const', id: decl.id }, index, type: 'i32', loc: cx.loc(node) }, loc: cx.loc(node) });
  cx.emit({ kind: 'return', loc: cx.loc(node) });
}

/** `new Error('text')` (or another Error class), `Error('text')` or a string: the text JS would show, `Error: text`. */
function thrownMessage(cx: LowerContext, arg: N): string {
  const literal = (n: N | undefined): string | undefined => {
    if (!n) return '';
    if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
    if (n.type === 'TemplateLiteral' && n.expressions.length === 0) return n.quasis[0].value.cooked;
    return undefined;
  };
  if ((arg.type === 'NewExpression' || arg.type === 'CallExpression') && arg.callee.type === 'Identifier' && ERROR_CLASSES.has(arg.callee.name) && arg.arguments.length <= 1) {
    const text = literal(arg.arguments[0]);
    if (text !== undefined) return text ? `${arg.callee.name}: ${text}` : arg.callee.name;
  }
  const text = literal(arg);
  if (text !== undefined) return text;
  return cx.fail(arg, 'thrown value', "kernels can throw new Error('constant message') (or another Error class, or a string literal); the message must be a constant string");
}
