// Warp collectives on targets without native warps (caps.warp 'emulated': cpu,
// webgpu): each WarpStmt becomes plain IR over a block-wide exchange array in
// shared memory: barrier; xchg[tid] = value; barrier; read the lanes it needs.
// That needs every thread of the block at the operation, so warp operations
// under thread-dependent control, or after a return that only some threads
// take, are first if-converted (warp-predication.ts): every thread then reaches
// each operation, with a predicate saying whether it takes part; the lanes that
// do not are absent from the meeting (the meaning of ir/warp.ts for lanes not
// at the operation). Targets with native warps (sim, cuda) keep the WarpStmt.

import type { ArrayRef, Expr, KernelIR, Stmt, WarpStmt } from './nodes.js';
import type { BinaryOp } from './ops.js';
import { COMPARE_OPS } from './ops.js';
import { analyzeUniformity, type UniformityInfo } from './uniformity.js';
import { WARP_SIZE, WARP_SPELLING } from './warp.js';
import { predicateWarps, type WarpParticipation } from './warp-predication.js';
import { CompileError } from '../errors.js';
import { LAUNCH_LIMITS } from '../limits.js';
import type { ScalarType } from '../types.js';

export type WarpSupport = 'native' | 'emulated' | undefined;

/** Checks or rewrites the warp operations of `ir` for a target with `support`. */
export function prepareWarps(ir: KernelIR, support: WarpSupport, target: string): void {
  if (!ir.hasWarp || support === 'native') return;
  const first = findWarp(ir.body);
  if (support === undefined) {
    throw new CompileError(`${WARP_SPELLING[first!.op]} on target ${target}`, `${WARP_SPELLING[first!.op]}() (warp-level functions) is not supported on target '${target}'; run on 'sim', 'cpu', 'webgpu' or 'cuda'`, ir.name, ir.source, first?.loc);
  }
  const divergent = findDivergentWarps(ir, analyzeUniformity(ir));
  let participation: WarpParticipation | undefined;
  if (divergent) {
    participation = predicateWarps(ir, analyzeUniformity(ir), divergent.afterReturn, target);
    // The predicated kernel has every warp operation at block-uniform control.
    const left = findDivergentWarps(ir, analyzeUniformity(ir));
    if (left) throw new Error(`${WARP_SPELLING[left.warp.op]}() on line ${left.warp.loc?.line ?? '?'} is still ${left.why} after predication`);
  }
  new Emulation(ir, participation).run();
}

function findWarp(stmts: Stmt[]): WarpStmt | undefined {
  for (const s of stmts) {
    if (s.kind === 'warp') return s;
    const inner = s.kind === 'if' ? findWarp(s.then) ?? findWarp(s.else) : s.kind === 'loop' ? findWarp(s.body) ?? findWarp(s.update) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

interface Divergence { warp: WarpStmt; why: string; afterReturn: boolean }

/**
 * The first warp operation that not every thread of the block reaches, and
 * whether some warp operation follows a return that only some threads take.
 */
function findDivergentWarps(ir: KernelIR, u: UniformityInfo): Divergence | undefined {
  let exited: string | undefined;
  let first: Divergence | undefined;
  const found = (s: WarpStmt, why: string, afterReturn: boolean): void => {
    first ??= { warp: s, why, afterReturn: false };
    if (afterReturn) first.afterReturn = true;
  };
  const visit = (stmts: Stmt[], why: string | undefined): void => {
    for (const s of stmts) {
      if (s.kind === 'warp') {
        if (why) found(s, `inside ${why}`, false);
        if (exited) found(s, `after ${exited}`, true);
      } else if (s.kind === 'return' && why) exited ??= `a return under ${why}`;
      else if (s.kind === 'if') {
        const w = why ?? (u.isUniform(s.cond) ? undefined : `an if whose condition depends on the thread (line ${s.loc?.line ?? '?'})`);
        visit(s.then, w); visit(s.else, w);
      } else if (s.kind === 'loop') {
        const w = why ?? (u.varyingLoops.has(s) ? `a loop whose trip count depends on the thread (line ${s.loc?.line ?? '?'})` : undefined);
        // A return in a later iteration precedes the warp operations of the next one.
        if (!exited && findWarp([s]) && containsVaryingReturn([s], w, u)) exited = `a return under thread-dependent control in the loop on line ${s.loc?.line ?? '?'}`;
        visit(s.body, w); visit(s.update, w);
      }
    }
  };
  visit(ir.body, undefined);
  return first;
}

function containsVaryingReturn(stmts: Stmt[], why: string | undefined, u: UniformityInfo): boolean {
  return stmts.some((s) => {
    if (s.kind === 'return') return why !== undefined;
    if (s.kind === 'if') { const w = why ?? (u.isUniform(s.cond) ? undefined : 'if'); return containsVaryingReturn(s.then, w, u) || containsVaryingReturn(s.else, w, u); }
    if (s.kind === 'loop') { const w = why ?? (u.varyingLoops.has(s) ? 'loop' : undefined); return containsVaryingReturn(s.body, w, u) || containsVaryingReturn(s.update, w, u); }
    return false;
  });
}

// ---------------------------------------------------------------- IR builders

const i32c = (v: number): Expr => ({ kind: 'const', type: 'i32', value: v });
const u32c = (v: number): Expr => ({ kind: 'const', type: 'u32', value: v });
const binop = (op: BinaryOp, t: ScalarType, a: Expr, b: Expr): Expr => ({ kind: 'binary', op, opType: t, type: COMPARE_OPS.has(op) ? 'bool' : t, a, b });
const conv = (x: Expr, t: ScalarType): Expr => (x.type === t ? x : { kind: 'convert', x, type: t });
const special = (reg: 'threadIdx' | 'blockDim', dim: 0 | 1 | 2): Expr => ({ kind: 'special', reg, dim, type: 'i32' });

class Emulation {
  private readonly xchg = new Map<string, ArrayRef>();
  private barriers = false;
  constructor(private readonly ir: KernelIR, private readonly participation?: WarpParticipation) {}

  run(): void {
    this.ir.body = this.stmts(this.ir.body);
    this.ir.hasWarp = false;
    if (this.barriers) this.ir.hasBarrier = true;
  }

  private stmts(list: Stmt[]): Stmt[] {
    return list.flatMap((s): Stmt[] => {
      if (s.kind === 'warp') return this.lower(s);
      if (s.kind === 'if') { s.then = this.stmts(s.then); s.else = this.stmts(s.else); }
      if (s.kind === 'loop') { s.body = this.stmts(s.body); s.update = this.stmts(s.update); }
      return [s];
    });
  }

  private temp(type: ScalarType, name: string): number {
    const id = this.ir.locals.length;
    this.ir.locals.push({ id, name: `${name}.${id}`, type });
    return id;
  }

  /** The block's exchange array for values of type t (one element per thread). */
  private exchange(t: ScalarType, name = `warp_exchange_${t}`): ArrayRef {
    let r = this.xchg.get(name);
    if (!r) {
      const id = this.ir.arrays.length;
      const size = LAUNCH_LIMITS.threadsPerBlock;
      this.ir.arrays.push({ id, name, space: 'shared', elem: t as 'i32', shape: [size], size, atomic: false });
      r = { space: 'shared', id };
      this.xchg.set(name, r);
    }
    return r;
  }

  /** One i32 per warp of the largest block, for activemask() under predication. */
  private activeWords(): ArrayRef {
    let r = this.xchg.get('warp_active_words');
    if (!r) {
      const id = this.ir.arrays.length;
      const size = LAUNCH_LIMITS.threadsPerBlock / WARP_SIZE;
      this.ir.arrays.push({ id, name: 'warp_active_words', space: 'shared', elem: 'i32', shape: [size], size, atomic: true });
      r = { space: 'shared', id };
      this.xchg.set('warp_active_words', r);
    }
    return r;
  }

  private lower(s: WarpStmt): Stmt[] {
    const loc = s.loc;
    const out: Stmt[] = [];
    // Under predication (warp-predication.ts) every thread comes here; `active` says whether it takes part.
    const guard = this.participation?.get(s);
    let active: Expr | undefined;
    let operands = out;
    const local = (type: ScalarType, name: string, value: Expr): Expr => {
      const id = this.temp(type, name);
      operands.push({ kind: 'assign', local: id, value, loc });
      return { kind: 'local', id, type };
    };
    const results: Stmt[] = [];
    const set = (id: number | undefined, value: Expr): void => { if (id !== undefined) results.push({ kind: 'assign', local: id, value, loc }); };
    // The results are written only by the lanes that take part.
    const finish = (): Stmt[] => {
      if (active) out.push({ kind: 'if', cond: active, then: results, else: [], loc });
      else out.push(...results);
      return out;
    };
    if (guard) {
      active = local('bool', 'warp_active', guard);
      // A lane that does not take part evaluates no operand (it may be out of bounds there).
      operands = [];
      out.push({ kind: 'if', cond: active, then: operands, else: [], loc });
    }
    // Operands first, once, in the order the frontend wrote them.
    const mask = s.mask && local('u32', 'warp_mask', s.mask);
    const value = s.value && local(s.value.type, 'warp_value', s.value);
    const arg = s.lane && local('u32', 'warp_lane', s.lane);
    if (guard && operands.length === 0) out.pop();
    operands = out;
    const yz = binop('add', 'i32', special('threadIdx', 1), binop('mul', 'i32', special('blockDim', 1), special('threadIdx', 2)));
    const tid = local('i32', 'warp_tid', binop('add', 'i32', special('threadIdx', 0), binop('mul', 'i32', special('blockDim', 0), yz)));
    const lane = local('i32', 'warp_lane_id', binop('and', 'i32', tid, i32c(WARP_SIZE - 1)));
    const base = local('i32', 'warp_base', binop('sub', 'i32', tid, lane));
    const threads = binop('mul', 'i32', binop('mul', 'i32', special('blockDim', 0), special('blockDim', 1)), special('blockDim', 2));
    const inWarp = local('i32', 'warp_lanes', binop('sub', 'i32', threads, base));
    // The lanes the block has in this warp (the last warp may be partial), as i32 bits.
    const present = local('i32', 'warp_present', { kind: 'cond', type: 'i32', c: binop('ge', 'i32', inWarp, i32c(WARP_SIZE)), a: i32c(-1), b: binop('sub', 'i32', binop('shl', 'i32', i32c(1), inWarp), i32c(1)) });
    if (s.op === 'activemask' && !active) { set(s.local, conv(present, 'u32')); return finish(); }
    out.push({ kind: 'barrier', loc });
    this.barriers = true;
    if (s.op === 'sync') return finish();
    if (s.op === 'activemask') {
      // Who takes part, OR-ed into one word per warp (lane 0 clears it): no loop over the lanes.
      const word = this.activeWords();
      const slot = binop('shr', 'i32', tid, i32c(5));
      out.push({ kind: 'if', cond: binop('eq', 'i32', lane, i32c(0)), then: [{ kind: 'store', array: word, index: slot, value: i32c(0) }], else: [], loc });
      out.push({ kind: 'barrier', loc });
      out.push({ kind: 'if', cond: active!, then: [{ kind: 'expr', expr: { kind: 'atomic', op: 'or', array: word, index: slot, value: binop('shl', 'i32', i32c(1), lane), type: 'i32' } }], else: [], loc });
      out.push({ kind: 'barrier', loc });
      set(s.local, conv({ kind: 'load', array: word, index: slot, type: 'i32' }, 'u32'));
      return finish();
    }

    const xt: ScalarType = value!.type === 'bool' ? 'u32' : value!.type;
    const x = this.exchange(xt);
    out.push({ kind: 'store', array: x, index: tid, value: conv(value!, xt), loc });
    // Which lanes take part, exchanged beside the values.
    const took = active && this.exchange('i32', 'warp_exchange_active');
    if (took) out.push({ kind: 'store', array: took, index: tid, value: conv(active!, 'i32'), loc });
    out.push({ kind: 'barrier', loc });
    const read = (k: Expr): Expr => ({ kind: 'load', array: x, index: binop('add', 'i32', base, k), type: xt });
    const tookLane = (k: Expr): Expr => binop('ne', 'i32', { kind: 'load', array: took!, index: binop('add', 'i32', base, k), type: 'i32' }, i32c(0));
    const andAlso = (a: Expr, b: Expr): Expr => ({ kind: 'logical', op: 'and', type: 'bool', a, b });

    if (s.op.startsWith('shfl_')) {
      const b = binop('and', 'i32', conv(arg!, 'i32'), i32c(31));
      const src = local('i32', 'warp_src', s.op === 'shfl_idx' ? b : s.op === 'shfl_up' ? binop('sub', 'i32', lane, b) : s.op === 'shfl_down' ? binop('add', 'i32', lane, b) : binop('xor', 'i32', lane, b));
      let valid = andAlso(andAlso(binop('ge', 'i32', src, i32c(0)), binop('lt', 'i32', src, i32c(WARP_SIZE))), binop('lt', 'i32', src, inWarp));
      if (took) valid = andAlso(valid, tookLane(src));
      set(s.local, { kind: 'cond', type: value!.type, c: valid, a: read(src), b: value! });
      return finish();
    }

    // Votes and matches: the bits of the mask's present lanes whose predicate holds / whose value equals ours.
    const m = local('i32', 'warp_in_mask', binop('and', 'i32', conv(mask!, 'i32'), present));
    const bits = this.temp('i32', 'warp_bits');
    const k = this.temp('i32', 'warp_k');
    const kx: Expr = { kind: 'local', id: k, type: 'i32' };
    const bx: Expr = { kind: 'local', id: bits, type: 'i32' };
    const bit = binop('shl', 'i32', i32c(1), kx);
    const inMask = binop('ne', 'i32', binop('and', 'i32', binop('shr', 'i32', m, kx), i32c(1)), i32c(0));
    const hit = s.op === 'match_any' || s.op === 'match_all' ? binop('eq', xt, read(kx), value!) : binop('ne', 'u32', read(kx), u32c(0));
    out.push({ kind: 'assign', local: bits, value: i32c(0), loc }, { kind: 'assign', local: k, value: i32c(0), loc });
    // With predication, the lanes of the mask that take part (`mt`) stand for the mask's present lanes.
    const mt = took ? this.temp('i32', 'warp_in_mask_taking_part') : undefined;
    const mtx: Expr = mt !== undefined ? { kind: 'local', id: mt, type: 'i32' } : m;
    if (mt !== undefined) out.push({ kind: 'assign', local: mt, value: i32c(0), loc });
    const count: Stmt = { kind: 'if', cond: mt !== undefined ? hit : andAlso(inMask, hit), then: [{ kind: 'assign', local: bits, value: binop('or', 'i32', bx, bit) }], else: [] };
    out.push({
      kind: 'loop', cond: binop('lt', 'i32', kx, i32c(WARP_SIZE)), loc,
      body: [mt === undefined ? count : { kind: 'if', cond: andAlso(inMask, tookLane(kx)), then: [{ kind: 'assign', local: mt, value: binop('or', 'i32', mtx, bit) }, count], else: [] }],
      update: [{ kind: 'assign', local: k, value: binop('add', 'i32', kx, i32c(1)) }],
    });
    const all = binop('eq', 'i32', bx, mtx);
    switch (s.op) {
      case 'ballot': case 'match_any': set(s.local, conv(bx, 'u32')); break;
      case 'all': set(s.local, all); break;
      case 'any': set(s.local, binop('ne', 'i32', bx, i32c(0))); break;
      case 'eq': set(s.local, { kind: 'logical', op: 'or', type: 'bool', a: binop('eq', 'i32', bx, i32c(0)), b: all }); break;
      case 'match_all': {
        const sameId = this.temp('bool', 'warp_same');
        results.push({ kind: 'assign', local: sameId, value: all, loc });
        const same: Expr = { kind: 'local', id: sameId, type: 'bool' };
        set(s.local, { kind: 'cond', type: 'u32', c: same, a: mask!, b: u32c(0) });
        set(s.pred, same);
        break;
      }
      default: throw new Error(`numbat internal error: warp op ${s.op} has no emulation`);
    }
    return finish();
  }
}
