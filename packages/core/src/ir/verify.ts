// The IR verifier (internal consistency: a failure here is a numbat bug) and
// the barrier check (a user error: a barrier under thread-dependent control).

import type { Expr, KernelIR, Stmt } from './nodes.js';
import { COMPARE_OPS } from './ops.js';
import { bitcastOk } from './semantics.js';
import { analyzeUniformity, GRID_UNIFORMITY } from './uniformity.js';
import { forEachStmt } from './walk.js';
import { CompileError } from '../errors.js';
import { is64, isFloat, isInt, loadType } from '../types.js';

const LEAVES = new Set<Expr['kind']>(['const', 'param', 'local', 'special', 'length']);

export function verifyIR(ir: KernelIR): void {
  const bad = (what: string): never => { throw new Error(`numbat internal error: invalid IR in kernel '${ir.name}': ${what}`); };
  const arrElem = (r: { space: string; param?: number; id?: number }) => {
    if (r.space === 'global') { const p = ir.params[r.param!]; if (!p || p.type.kind !== 'array') bad(`bad array param ${r.param}`); return (p.type as { elem: 'f32' }).elem; }
    const a = ir.arrays[r.id!]; if (!a || a.space !== r.space) bad(`bad array ${r.space}#${r.id}`); return a.elem;
  };
  // The IR is a tree: a node reached twice would be rendered (and walked) once per
  // path, which grows exponentially when nested. Leaves are cheap to repeat.
  const seen = new Set<Expr>();
  const ex = (e: Expr): void => {
    if (!LEAVES.has(e.kind)) {
      if (seen.has(e)) bad(`a ${e.kind} expression is used twice (the IR must be a tree)${e.loc ? ` at line ${e.loc.line}` : ''}`);
      seen.add(e);
    }
    switch (e.kind) {
      case 'const': if (typeof e.value !== (e.type === 'bool' ? 'boolean' : e.type === 'i64' || e.type === 'u64' ? 'bigint' : 'number')) bad(`const ${e.value} typed ${e.type}`); break;
      case 'param': if (ir.params[e.index]?.type.kind !== 'scalar') bad(`param ${e.index} is not scalar`); break;
      case 'local': if (ir.locals[e.id]?.type !== e.type) bad(`local %${e.id} read as ${e.type}`); break;
      case 'special': if (e.type !== 'i32') bad('special not i32'); break;
      case 'unary': ex(e.x); if (e.op === 'not' ? e.x.type !== 'bool' : e.op === 'bitnot' ? e.x.type !== (is64(e.type) ? e.type : 'i32') : e.x.type !== e.type) bad(`unary ${e.op} on ${e.x.type}`); break;
      case 'binary':
        ex(e.a); ex(e.b);
        if (e.a.type !== e.opType || e.b.type !== e.opType) bad(`binary ${e.op}.${e.opType} on ${e.a.type}, ${e.b.type}`);
        if (COMPARE_OPS.has(e.op) ? e.type !== 'bool' : e.type !== e.opType) bad(`binary ${e.op} result ${e.type}`);
        if (e.op === 'div' && !isFloat(e.opType)) bad('int div');
        if ((e.op === 'truncdiv' || e.op === 'floordiv') && !isInt(e.opType) && !is64(e.opType)) bad(`${e.op} on ${e.opType}`);
        // 64-bit integers: BigInt's bitwise operators and shifts (no >>>, no float division).
        if (['and', 'or', 'xor', 'shl', 'shr'].includes(e.op) && e.opType !== 'i32' && !is64(e.opType)) bad(`${e.op} on ${e.opType}`);
        if (is64(e.opType) && (e.op === 'ushr' || e.op === 'div')) bad(`${e.op} on ${e.opType}`);
        if (e.op === 'ushr' && e.opType !== 'u32') bad('ushr not u32');
        break;
      case 'logical': ex(e.a); ex(e.b); if (e.a.type !== 'bool' || e.b.type !== 'bool') bad('logical on non-bool'); break;
      case 'cond': case 'select': ex(e.c); ex(e.a); ex(e.b); if (e.c.type !== 'bool' || e.a.type !== e.type || e.b.type !== e.type) bad(`${e.kind} types`); break;
      case 'convert': ex(e.x); break;
      case 'bitcast': ex(e.x); if (!bitcastOk(e.x.type, e.type)) bad(`bitcast ${e.x.type} to ${e.type}`); break;
      case 'load': ex(e.index); if (!isInt(e.index.type)) bad('non-int index'); if (loadType(arrElem(e.array)) !== e.type) bad('load type'); break;
      case 'length': arrElem(e.array); break;
      case 'math': e.args.forEach(ex); break;
      case 'atomic':
        ex(e.index); ex(e.value); if (e.expected) ex(e.expected);
        if (loadType(arrElem(e.array)) !== e.type || e.value.type !== e.type) bad('atomic types');
        break;
    }
  };
  const st = (stmts: Stmt[], inLoop: boolean): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'assign': ex(s.value); if (ir.locals[s.local]?.type !== s.value.type) bad(`assign ${s.value.type} to %${s.local}: ${ir.locals[s.local]?.type}`); break;
        case 'store': ex(s.index); ex(s.value); if (!isInt(s.index.type)) bad('non-int store index'); if (loadType(arrElem(s.array)) !== s.value.type) bad('store type'); break;
        case 'expr': ex(s.expr); break;
        case 'if': ex(s.cond); if (s.cond.type !== 'bool') bad('if cond'); st(s.then, inLoop); st(s.else, inLoop); break;
        case 'loop': if (s.cond) { ex(s.cond); if (s.cond.type !== 'bool') bad('loop cond'); } st(s.body, true); st(s.update, true); break;
        case 'warp': {
          for (const x of [s.mask, s.value, s.lane]) if (x) ex(x);
          if (s.op !== 'activemask' && s.mask?.type !== 'u32') bad(`warp.${s.op} mask not u32`);
          if (s.lane && s.lane.type !== 'u32') bad(`warp.${s.op} lane not u32`);
          const want = s.op.startsWith('shfl_') ? s.value?.type : ['all', 'any', 'eq'].includes(s.op) ? 'bool' : 'u32';
          if (s.local !== undefined && ir.locals[s.local]?.type !== want) bad(`warp.${s.op} result %${s.local}`);
          if (s.op === 'match_all' && ir.locals[s.pred ?? -1]?.type !== 'bool') bad('warp.match_all pred');
          break;
        }
        case 'break': case 'continue': if (!inLoop) bad(`${s.kind} outside loop`); break;
        default: break;
      }
    }
  };
  st(ir.body, false);
}

/** Refuse barriers whose enclosing conditions or loops depend on the thread. */
export function checkBarriers(ir: KernelIR): void {
  if (!ir.hasBarrier) return;
  const u = analyzeUniformity(ir);
  const visit = (stmts: Stmt[], why: string | undefined): void => {
    for (const s of stmts) {
      if (s.kind === 'barrier' && why) {
        const api = s.api ?? 'cuda.syncthreads()';
        throw new CompileError(s.api ? `${s.api} under divergent control` : 'syncthreads under divergent control', `${api} is inside ${why}, which can differ between threads of a block: threads that skip the barrier would leave the others waiting forever. Move the barrier out of the condition (compute the condition into a value and branch around the work, not the barrier).`, ir.name, ir.source, s.loc);
      }
      if (s.kind === 'if') {
        const w = why ?? (u.isUniform(s.cond) ? undefined : `an if whose condition depends on the thread (line ${s.loc?.line ?? '?'})`);
        visit(s.then, w); visit(s.else, w);
      } else if (s.kind === 'loop') {
        const w = why ?? (u.varyingLoops.has(s) ? `a loop whose trip count depends on the thread (line ${s.loc?.line ?? '?'})` : undefined);
        visit(s.body, w); visit(s.update, w);
      }
    }
  };
  visit(ir.body, undefined);
  checkGridBarriers(ir);
}

/**
 * A grid barrier must be reached by every thread of the grid: its enclosing
 * conditions and loops must not depend on the block either (blockIdx, shared
 * memory), only on what every thread of the grid sees alike.
 */
function checkGridBarriers(ir: KernelIR): void {
  let any = false;
  forEachStmt(ir.body, (s) => { if (s.kind === 'barrier' && s.grid) any = true; });
  if (!any) return;
  const u = analyzeUniformity(ir, GRID_UNIFORMITY);
  const visit = (stmts: Stmt[], why: string | undefined): void => {
    for (const s of stmts) {
      if (s.kind === 'barrier' && s.grid && why) {
        throw new CompileError(`${s.api ?? 'grid sync'} under divergent control`, `${s.api ?? 'the grid barrier'} is inside ${why}, which can differ between threads or blocks of the grid: every thread of the grid must reach each grid barrier. Move it out of the condition.`, ir.name, ir.source, s.loc);
      }
      if (s.kind === 'if') {
        const w = why ?? (u.isUniform(s.cond) ? undefined : `an if whose condition depends on the thread or block (line ${s.loc?.line ?? '?'})`);
        visit(s.then, w); visit(s.else, w);
      } else if (s.kind === 'loop') {
        const w = why ?? (u.varyingLoops.has(s) ? `a loop whose trip count depends on the thread or block (line ${s.loc?.line ?? '?'})` : undefined);
        visit(s.body, w); visit(s.update, w);
      }
    }
  };
  visit(ir.body, undefined);
}
