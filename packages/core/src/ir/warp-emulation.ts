// Warp collectives on targets without native warps (caps.warp 'emulated': cpu,
// webgpu): each WarpStmt becomes plain IR over a block-wide exchange array in
// shared memory: barrier; xchg[tid] = value; barrier; read the lanes it needs.
// Exact (the meaning of ir/warp.ts) when every thread of the block reaches the
// operation, so warp operations under thread-dependent control, or after a
// return that only some threads take, are refused with a CompileError naming
// the target. Targets with native warps (sim, cuda) keep the WarpStmt.

import type { ArrayRef, Expr, KernelIR, Stmt, WarpStmt } from './nodes.js';
import type { BinaryOp } from './ops.js';
import { COMPARE_OPS } from './ops.js';
import { analyzeUniformity, type UniformityInfo } from './uniformity.js';
import { WARP_SIZE, WARP_SPELLING } from './warp.js';
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
  checkConvergent(ir, target);
  new Emulation(ir).run();
}

function findWarp(stmts: Stmt[]): WarpStmt | undefined {
  for (const s of stmts) {
    if (s.kind === 'warp') return s;
    const inner = s.kind === 'if' ? findWarp(s.then) ?? findWarp(s.else) : s.kind === 'loop' ? findWarp(s.body) ?? findWarp(s.update) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/** Refuses warp operations that not every thread of the block reaches. */
function checkConvergent(ir: KernelIR, target: string): void {
  const u = analyzeUniformity(ir);
  let exited: string | undefined;
  const refuse = (s: WarpStmt, why: string): never => {
    const name = WARP_SPELLING[s.op];
    throw new CompileError(`${name} under thread-dependent control on ${target}`, `${name}() is ${why}. Target '${target}' has no native warps: it emulates warp operations with block-wide barriers, which every thread of the block must reach. Compute the condition into a predicate and call the warp function outside it (with the mask of the lanes that take part), or run on 'sim' or 'cuda'.`, ir.name, ir.source, s.loc);
  };
  const visit = (stmts: Stmt[], why: string | undefined): void => {
    for (const s of stmts) {
      if (s.kind === 'warp') {
        if (why) refuse(s, `inside ${why}`);
        if (exited) refuse(s, `after ${exited}`);
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
  private readonly xchg = new Map<ScalarType, ArrayRef>();
  private barriers = false;
  constructor(private readonly ir: KernelIR) {}

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
  private exchange(t: ScalarType): ArrayRef {
    let r = this.xchg.get(t);
    if (!r) {
      const id = this.ir.arrays.length;
      const size = LAUNCH_LIMITS.threadsPerBlock;
      this.ir.arrays.push({ id, name: `warp_exchange_${t}`, space: 'shared', elem: t as 'i32', shape: [size], size, atomic: false });
      r = { space: 'shared', id };
      this.xchg.set(t, r);
    }
    return r;
  }

  private lower(s: WarpStmt): Stmt[] {
    const loc = s.loc;
    const out: Stmt[] = [];
    const local = (type: ScalarType, name: string, value: Expr): Expr => {
      const id = this.temp(type, name);
      out.push({ kind: 'assign', local: id, value, loc });
      return { kind: 'local', id, type };
    };
    const set = (id: number | undefined, value: Expr): void => { if (id !== undefined) out.push({ kind: 'assign', local: id, value, loc }); };
    // Operands first, once, in the order the frontend wrote them.
    const mask = s.mask && local('u32', 'warp_mask', s.mask);
    const value = s.value && local(s.value.type, 'warp_value', s.value);
    const arg = s.lane && local('u32', 'warp_lane', s.lane);
    const yz = binop('add', 'i32', special('threadIdx', 1), binop('mul', 'i32', special('blockDim', 1), special('threadIdx', 2)));
    const tid = local('i32', 'warp_tid', binop('add', 'i32', special('threadIdx', 0), binop('mul', 'i32', special('blockDim', 0), yz)));
    const lane = local('i32', 'warp_lane_id', binop('and', 'i32', tid, i32c(WARP_SIZE - 1)));
    const base = local('i32', 'warp_base', binop('sub', 'i32', tid, lane));
    const threads = binop('mul', 'i32', binop('mul', 'i32', special('blockDim', 0), special('blockDim', 1)), special('blockDim', 2));
    const inWarp = local('i32', 'warp_lanes', binop('sub', 'i32', threads, base));
    // The lanes the block has in this warp (the last warp may be partial), as i32 bits.
    const present = local('i32', 'warp_present', { kind: 'cond', type: 'i32', c: binop('ge', 'i32', inWarp, i32c(WARP_SIZE)), a: i32c(-1), b: binop('sub', 'i32', binop('shl', 'i32', i32c(1), inWarp), i32c(1)) });
    if (s.op === 'activemask') { set(s.local, conv(present, 'u32')); return out; }
    out.push({ kind: 'barrier', loc });
    this.barriers = true;
    if (s.op === 'sync') return out;

    const xt: ScalarType = value!.type === 'bool' ? 'u32' : value!.type;
    const x = this.exchange(xt);
    out.push({ kind: 'store', array: x, index: tid, value: conv(value!, xt), loc });
    out.push({ kind: 'barrier', loc });
    const read = (k: Expr): Expr => ({ kind: 'load', array: x, index: binop('add', 'i32', base, k), type: xt });

    if (s.op.startsWith('shfl_')) {
      const b = binop('and', 'i32', conv(arg!, 'i32'), i32c(31));
      const src = local('i32', 'warp_src', s.op === 'shfl_idx' ? b : s.op === 'shfl_up' ? binop('sub', 'i32', lane, b) : s.op === 'shfl_down' ? binop('add', 'i32', lane, b) : binop('xor', 'i32', lane, b));
      const valid = { kind: 'logical', op: 'and', type: 'bool', a: { kind: 'logical', op: 'and', type: 'bool', a: binop('ge', 'i32', src, i32c(0)), b: binop('lt', 'i32', src, i32c(WARP_SIZE)) }, b: binop('lt', 'i32', src, inWarp) } as Expr;
      set(s.local, { kind: 'cond', type: value!.type, c: valid, a: read(src), b: value! });
      return out;
    }

    // Votes and matches: the bits of the mask's present lanes whose predicate holds / whose value equals ours.
    const m = local('i32', 'warp_in_mask', binop('and', 'i32', conv(mask!, 'i32'), present));
    const bits = this.temp('i32', 'warp_bits');
    const k = this.temp('i32', 'warp_k');
    const kx: Expr = { kind: 'local', id: k, type: 'i32' };
    const bx: Expr = { kind: 'local', id: bits, type: 'i32' };
    const inMask = binop('ne', 'i32', binop('and', 'i32', binop('shr', 'i32', m, kx), i32c(1)), i32c(0));
    const hit = s.op === 'match_any' || s.op === 'match_all' ? binop('eq', xt, read(kx), value!) : binop('ne', 'u32', read(kx), u32c(0));
    out.push({ kind: 'assign', local: bits, value: i32c(0), loc }, { kind: 'assign', local: k, value: i32c(0), loc });
    out.push({
      kind: 'loop', cond: binop('lt', 'i32', kx, i32c(WARP_SIZE)), loc,
      body: [{ kind: 'if', cond: { kind: 'logical', op: 'and', type: 'bool', a: inMask, b: hit }, then: [{ kind: 'assign', local: bits, value: binop('or', 'i32', bx, binop('shl', 'i32', i32c(1), kx)) }], else: [] }],
      update: [{ kind: 'assign', local: k, value: binop('add', 'i32', kx, i32c(1)) }],
    });
    const all = binop('eq', 'i32', bx, m);
    switch (s.op) {
      case 'ballot': case 'match_any': set(s.local, conv(bx, 'u32')); break;
      case 'all': set(s.local, all); break;
      case 'any': set(s.local, binop('ne', 'i32', bx, i32c(0))); break;
      case 'eq': set(s.local, { kind: 'logical', op: 'or', type: 'bool', a: binop('eq', 'i32', bx, i32c(0)), b: all }); break;
      case 'match_all': {
        const same = local('bool', 'warp_same', all);
        set(s.local, { kind: 'cond', type: 'u32', c: same, a: mask!, b: u32c(0) });
        set(s.pred, same);
        break;
      }
      default: throw new Error(`numbat internal error: warp op ${s.op} has no emulation`);
    }
    return out;
  }
}
