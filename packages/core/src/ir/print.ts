// A readable dump of the IR (`kernel.inspect('ir', ...)`). `a[i]!`: an access proven in bounds (no check).

import type { ArrayRef, Expr, KernelIR, Stmt } from './nodes.js';
import { paramTypeKey } from '../types.js';

export function printIR(ir: KernelIR): string {
  const lines: string[] = [];
  const params = ir.params.map((p, i) => `${p.name}: ${paramTypeKey(p.type)}${p.type.kind === 'array' ? (p.written ? ' rw' : ' ro') + (p.atomic ? ' atomic' : '') : ''} /*p${i}*/`);
  lines.push(`kernel ${ir.name}(${params.join(', ')})  float=${ir.float}${ir.hasBarrier ? ' barriers' : ''}`);
  for (const a of ir.arrays) {
    const vals = a.values ? ` = [${a.values.slice(0, 8).join(', ')}${a.values.length > 8 ? ', …' : ''}]` : '';
    lines.push(`  ${a.space} ${a.name}#${a.id}: ${a.elem}[${a.shape.join('][')}]${a.size === 0 ? ' (dynamic)' : ''}${a.atomic ? ' atomic' : ''}${vals}`);
  }
  for (const l of ir.locals) lines.push(`  local %${l.id} ${l.name}: ${l.type}`);
  const names = new Map(ir.locals.map((l) => [l.id, l.name]));
  const arr = (r: ArrayRef): string => (r.space === 'global' ? ir.params[r.param].name : `${ir.arrays[r.id].name}#${r.id}`);
  const ex = (e: Expr): string => {
    switch (e.kind) {
      case 'const': return `${typeof e.value === 'number' && Object.is(e.value, -0) ? '-0' : e.value}:${e.type}`;
      case 'param': return ir.params[e.index].name;
      case 'local': return `%${e.id}`;
      case 'special': return `${e.reg}.${'xyz'[e.dim]}`;
      case 'unary': return `${e.op}(${ex(e.x)})`;
      case 'binary': return `${e.op}.${e.opType}(${ex(e.a)}, ${ex(e.b)})`;
      case 'logical': return `${e.op === 'and' ? '&&' : '||'}(${ex(e.a)}, ${ex(e.b)})`;
      case 'cond': return `(${ex(e.c)} ? ${ex(e.a)} : ${ex(e.b)})`;
      case 'select': return `select(${ex(e.c)}, ${ex(e.a)}, ${ex(e.b)})`;
      case 'convert': return `${e.type}(${ex(e.x)})`;
      case 'bitcast': return `bitcast.${e.type}(${ex(e.x)})`;
      case 'load': return `${arr(e.array)}[${ex(e.index)}]${e.inBounds ? '!' : ''}`;
      case 'length': return `len(${arr(e.array)})`;
      case 'math': return `math.${e.fn}${e.ulp ? '.ulp' : ''}.${e.type}(${e.args.map(ex).join(', ')})`;
      case 'atomic': return `atomic.${e.op}(${arr(e.array)}[${ex(e.index)}]${e.expected ? ', ' + ex(e.expected) : ''}, ${ex(e.value)})`;
    }
  };
  const st = (s: Stmt, ind: string): void => {
    const at = s.loc ? `    ; line ${s.loc.line}` : '';
    switch (s.kind) {
      case 'assign': lines.push(`${ind}%${s.local} = ${ex(s.value)}${at}    ; ${names.get(s.local)}`); break;
      case 'store': lines.push(`${ind}${arr(s.array)}[${ex(s.index)}]${s.inBounds ? '!' : ''} = ${ex(s.value)}${at}`); break;
      case 'expr': lines.push(`${ind}${ex(s.expr)}${at}`); break;
      case 'if':
        lines.push(`${ind}if ${ex(s.cond)} {${at}`); s.then.forEach((x) => st(x, ind + '  '));
        if (s.else.length) { lines.push(`${ind}} else {`); s.else.forEach((x) => st(x, ind + '  ')); }
        lines.push(`${ind}}`); break;
      case 'loop':
        lines.push(`${ind}loop${s.cond ? ` while ${ex(s.cond)}` : ''} {${at}`); s.body.forEach((x) => st(x, ind + '  '));
        if (s.update.length) { lines.push(`${ind}} continuing {`); s.update.forEach((x) => st(x, ind + '  ')); }
        lines.push(`${ind}}`); break;
      case 'break': case 'continue': case 'return': lines.push(`${ind}${s.kind}${at}`); break;
      case 'barrier': lines.push(`${ind}${s.grid ? 'grid ' : ''}barrier${at}`); break;
      case 'fence': lines.push(`${ind}fence.${s.scope}${at}`); break;
      case 'warp': {
        const dest = s.pred !== undefined ? `%${s.local}, %${s.pred} = ` : s.local !== undefined ? `%${s.local} = ` : '';
        const args = [s.mask, s.value, s.lane].filter((x) => x !== undefined).map((x) => ex(x!));
        lines.push(`${ind}${dest}warp.${s.op}(${args.join(', ')})${at}`);
        break;
      }
    }
  };
  lines.push('{');
  ir.body.forEach((s) => st(s, '  '));
  lines.push('}');
  return lines.join('\n');
}
