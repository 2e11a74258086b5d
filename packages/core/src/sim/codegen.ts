// IR → JavaScript for the reference simulator. Each CUDA thread is one call of
// the generated function; kernels with barriers become generator functions that
// `yield` at each barrier so the scheduler can run the block's threads in
// lock-step. All arithmetic comes from ir/semantics.ts, so the simulator means
// exactly what the IR says.

import type { ArrayRef, Expr, KernelIR, Stmt } from '../ir/nodes.js';
import { binaryJs, bitcastJs, convertJs, mathJs, selectJs, unaryJs } from '../ir/semantics.js';
import type { WarpOp } from '../ir/ops.js';
import { const64Js } from '../ir/semantics64.js';

export interface SimSource {
  /** Body of `new Function('P', 'G', 'C', 'D', 'rt', body)`, returning the thread function. */
  body: string;
  /** Barrier sites by id, for divergence messages. */
  barrierLines: number[];
  /** Warp operation sites by id (the first element a warp operation yields). */
  warpSites: { op: WarpOp; line: number }[];
  /** Load/store sites by id: line in the user's file. */
  siteLines: number[];
  /** The kernel has a grid barrier (cuda.cg.this_grid().sync()): its blocks run co-resident. */
  gridBarrier: boolean;
}

/** The simulator always checks bounds: it is the oracle, whatever `boundscheck` says. */
export function generateSim(ir: KernelIR): SimSource {
  const lines: string[] = [];
  const barrierLines: number[] = [];
  const siteLines: number[] = [];
  const warpSites: { op: WarpOp; line: number }[] = [];
  let label = 0;
  let gridBarrier = false;
  const loops: number[] = [];

  const arr = (r: ArrayRef): string => (r.space === 'global' ? `g${r.param}` : r.space === 'shared' ? `s${r.id}` : r.space === 'local' ? `la${r.id}` : `c${r.id}`);
  const arrName = (r: ArrayRef): string => (r.space === 'global' ? ir.params[r.param].name : ir.arrays[r.id].name);
  const site = (line?: number): number => { siteLines.push(line ?? 0); return siteLines.length - 1; };
  const checked = (r: ArrayRef, idx: string, line?: number): string =>
    `rt.ix(${idx}, ${arr(r)}.length, ${site(line)}, ${JSON.stringify(arrName(r))})`;

  const ex = (e: Expr): string => {
    switch (e.kind) {
      case 'const': return typeof e.value === 'bigint' ? const64Js(e.value) : typeof e.value === 'boolean' ? String(e.value) : Number.isNaN(e.value) ? 'NaN' : e.value === Infinity ? 'Infinity' : e.value === -Infinity ? '-Infinity' : Object.is(e.value, -0) ? '-0' : `(${e.value})`;
      case 'param': return `p${e.index}`;
      case 'local': return `l${e.id}`;
      case 'special': return ['t', 'b', 'bd', 'gd'][['threadIdx', 'blockIdx', 'blockDim', 'gridDim'].indexOf(e.reg)] + 'xyz'[e.dim];
      case 'unary': return unaryJs(e.op, e.type, ex(e.x));
      case 'binary': return binaryJs(e.op, e.opType, ex(e.a), ex(e.b));
      case 'logical': return `(${ex(e.a)} ${e.op === 'and' ? '&&' : '||'} ${ex(e.b)})`;
      case 'cond': return `(${ex(e.c)} ? ${ex(e.a)} : ${ex(e.b)})`;
      case 'select': return selectJs(ex(e.c), ex(e.a), ex(e.b));
      case 'convert': return convertJs(e.x.type, e.type, ex(e.x));
      case 'bitcast': return bitcastJs(e.x.type, e.type, ex(e.x));
      case 'load': return `${arr(e.array)}[${checked(e.array, ex(e.index), e.loc?.line)}]`;
      case 'length': return `${arr(e.array)}.length`;
      case 'math': return mathJs(e.fn, e.type, e.args.map(ex));
      case 'atomic': {
        const ix = checked(e.array, ex(e.index), e.loc?.line);
        // JS argument order: cuda.atomic.cas(array, index, expected, value).
        const expected = e.expected ? `${ex(e.expected)}, ` : '';
        return `rt.atomic_${e.op}(${arr(e.array)}, ${ix}, ${expected}${ex(e.value)})`;
      }
    }
  };

  const st = (s: Stmt, ind: string): void => {
    switch (s.kind) {
      case 'assign': lines.push(`${ind}l${s.local} = ${ex(s.value)};`); break;
      case 'store': {
        const ix = checked(s.array, ex(s.index), s.loc?.line);
        lines.push(`${ind}${arr(s.array)}[${ix}] = ${ex(s.value)};`);
        break;
      }
      case 'expr': lines.push(`${ind}${ex(s.expr)};`); break;
      case 'if':
        lines.push(`${ind}if (${ex(s.cond)}) {`); s.then.forEach((x) => st(x, ind + '  '));
        if (s.else.length) { lines.push(`${ind}} else {`); s.else.forEach((x) => st(x, ind + '  ')); }
        lines.push(`${ind}}`);
        break;
      case 'loop': {
        const id = label++;
        loops.push(id);
        lines.push(`${ind}L${id}: while (true) {`);
        if (s.cond) lines.push(`${ind}  if (!${ex(s.cond)}) break L${id};`);
        lines.push(`${ind}  C${id}: {`);
        s.body.forEach((x) => st(x, ind + '    '));
        lines.push(`${ind}  }`);
        s.update.forEach((x) => st(x, ind + '  '));
        lines.push(`${ind}}`);
        loops.pop();
        break;
      }
      case 'break': lines.push(`${ind}break L${loops[loops.length - 1]};`); break;
      case 'continue': lines.push(`${ind}break C${loops[loops.length - 1]};`); break;
      case 'return': lines.push(`${ind}return;`); break;
      case 'barrier':
        // A grid barrier yields its id negated (-1 - id): the scheduler runs the grid's blocks co-resident.
        barrierLines.push(s.loc?.line ?? 0);
        if (s.grid) gridBarrier = true;
        lines.push(`${ind}yield ${s.grid ? -barrierLines.length : barrierLines.length - 1};`);
        break;
      case 'fence': lines.push(`${ind}// fence.${s.scope}: threads run one at a time, every access is already ordered`); break;
      case 'warp': {
        // The lanes meet in the scheduler (runtime.ts); it sends back this lane's result (ir/warp.ts).
        warpSites.push({ op: s.op, line: s.loc?.line ?? 0 });
        const args = [warpSites.length - 1, s.mask ? ex(s.mask) : 0, s.value ? ex(s.value) : 0, s.lane ? ex(s.lane) : 0];
        const r = `yield [${args.join(', ')}]`;
        if (s.pred !== undefined) lines.push(`${ind}[l${s.local}, l${s.pred}] = ${r};`);
        else lines.push(`${ind}${s.local !== undefined ? `l${s.local} = ` : ''}${r};`);
        break;
      }
    }
  };

  ir.body.forEach((s) => st(s, '    '));
  const head: string[] = [];
  ir.params.forEach((p, i) => head.push(p.type.kind === 'array' ? `const g${i} = G[${i}];` : `const p${i} = P[${i}];`));
  for (const a of ir.arrays) if (a.space === 'const') head.push(`const c${a.id} = C[${a.id}];`);
  head.push('const [bdx, bdy, bdz, gdx, gdy, gdz] = D;');
  const shared = ir.arrays.filter((a) => a.space === 'shared').map((a) => `s${a.id}`);
  const localDecls = ir.arrays.filter((a) => a.space === 'local').map((a) => `const la${a.id} = new rt.Typed.${a.elem}(${a.size});`);
  const localVars = ir.locals.map((l) => `l${l.id} = ${l.type === 'bool' ? 'false' : l.type === 'i64' || l.type === 'u64' ? '0n' : '0'}`);
  const body = [
    ...head,
    `return function${ir.hasBarrier || ir.hasWarp ? '*' : ''} thread([${shared.join(', ')}], tx, ty, tz, bx, by, bz) {`,
    ...localDecls.map((d) => '    ' + d),
    localVars.length ? `    let ${localVars.join(', ')};` : '',
    ...lines,
    '};',
  ].join('\n');
  return { body, barrierLines, warpSites, siteLines, gridBarrier };
}
