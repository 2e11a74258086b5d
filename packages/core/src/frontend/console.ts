// console.log(...) in a kernel (numba's print): the values are stored into a
// record of the launch's log buffer (hidden parameters, see console-log.ts),
// which the host formats after the launch. Each call takes a slot with an
// atomic add on the counter; calls past the buffer's end are only counted.

import type { Expr, LogPart, LogSite } from '../ir/nodes.js';
import type { ScalarType } from '../types.js';
import { isFloat } from '../types.js';
import { LOG_INT_STRIDE, LOG_INT_VALUES, LOG_MAX_VALUES, LOG_RECORDS } from '../console-log.js';
import type { LowerContext, N } from './context.js';
import type { Val } from './values.js';
import { bin, constExpr, conv } from './ir-build.js';
import { scalarsInOrder } from './expressions.js';

export function consoleLog(cx: LowerContext, node: N, args: N[]): Val {
  if (!cx.emitting) cx.fail(node, 'console.log', 'console.log must be called inside the kernel body');
  const log = logParams(cx);
  // Strings are kept in the site; values are evaluated left to right, as JS does.
  const valueNodes: N[] = [];
  const part = (n: N): LogPart | { t: LogPart[] } => {
    if (n.type === 'Literal' && typeof n.value === 'string') return { s: n.value };
    if (n.type === 'TemplateLiteral') {
      const t: LogPart[] = [];
      n.quasis.forEach((q: N, k: number) => {
        t.push({ s: q.value.cooked });
        if (k < n.expressions.length) { t.push({ v: valueNodes.length, type: 'i32' }); valueNodes.push(n.expressions[k]); }
      });
      return { t };
    }
    valueNodes.push(n);
    return { v: valueNodes.length - 1, type: 'i32' };
  };
  const parts = args.map(part);
  if (valueNodes.length > LOG_MAX_VALUES) cx.fail(node, 'console.log', `console.log in a kernel logs at most ${LOG_MAX_VALUES} values per call (this one has ${valueNodes.length})`);
  const vals = scalarsInOrder(cx, valueNodes, 'a console.log value (numbers and booleans; strings must be literals)');
  const types: ScalarType[] = vals.map((v) => v.e.type);
  const setType = (p: LogPart) => { if ('v' in p) p.type = types[p.v]; };
  for (const p of parts) { if ('t' in p) p.t.forEach(setType); else setType(p); }
  const floatElem = (cx.params[log.params[2]].type as { elem: string }).elem;
  types.forEach((t, k) => {
    if (t === 'f64' && floatElem !== 'f64') cx.fail(valueNodes[k], 'console.log of f64', 'console.log of an f64 value in a kernel whose default float is f32 (it would be printed rounded); log f32(x) or use float: \'f64\'');
  });
  const site: LogSite = { line: cx.loc(node).line, parts };
  const siteId = log.sites.length;
  log.sites.push(site);

  const loc = cx.loc(node);
  const [counter, ints, floats] = log.params;
  const slot = cx.temp('i32', 'logslot');
  cx.emit({ kind: 'assign', local: slot, value: { kind: 'atomic', op: 'add', array: { space: 'global', param: counter }, index: constExpr('i32', 0), value: constExpr('i32', 1), type: 'i32', loc }, loc });
  const s: Expr = { kind: 'local', id: slot, type: 'i32' };
  const at = (stride: number, k: number): Expr => bin('add', 'i32', 'i32', bin('mul', 'i32', 'i32', s, constExpr('i32', stride)), constExpr('i32', k));
  const word = (k: number, value: Expr) => ({ kind: 'store' as const, array: { space: 'global' as const, param: ints }, index: at(LOG_INT_STRIDE, k), value, loc });
  const regs: Expr[] = [];
  for (const reg of ['threadIdx', 'blockIdx'] as const) for (const dim of [0, 1, 2] as const) regs.push({ kind: 'special', reg, dim, type: 'i32' });
  const then = [word(0, constExpr('i32', siteId)), ...regs.map((r, k) => word(1 + k, r))];
  vals.forEach((v, k) => {
    if (isFloat(v.e.type)) then.push({ kind: 'store', array: { space: 'global', param: floats }, index: at(LOG_MAX_VALUES, k), value: conv(v.e, floatElem as ScalarType), loc } as never);
    else then.push(word(LOG_INT_VALUES + k, conv(v.e, 'i32')));
  });
  cx.emit({ kind: 'if', cond: bin('lt', 'i32', 'bool', s, constExpr('i32', LOG_RECORDS)), then, else: [], loc });
  return cx.lit(0);
}

/** The hidden parameters of the log buffer, added on the first console.log of the kernel. */
function logParams(cx: LowerContext): NonNullable<LowerContext['log']> {
  if (!cx.log) {
    const base = cx.params.length;
    cx.params.push({ name: 'console.log count', type: { kind: 'array', elem: 'i32' }, written: true, atomic: true });
    cx.params.push({ name: 'console.log ints', type: { kind: 'array', elem: 'i32' }, written: true, atomic: false });
    cx.params.push({ name: 'console.log floats', type: { kind: 'array', elem: cx.float }, written: true, atomic: false });
    cx.log = { params: [base, base + 1, base + 2], sites: [] };
  }
  return cx.log;
}
