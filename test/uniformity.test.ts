// One uniformity analysis, three leaf predicates: core's block uniformity (barrier
// checks, the cpu's region plan), the cpu's lane uniformity (threadIdx.y/z are
// the same across a lane group; a return only retires lanes) and webgpu's strict
// WGSL uniformity (loads from workgroup or read_write memory are never uniform).
// Hand-built IR kernels, each analysed three ways; the expected sets are written
// out, so a change to the shared fixpoint or to one predicate shows here.
import { describe, expect, it } from 'vitest';
import { analyzeUniformity, type ArrayRef, type Expr, type KernelIR, type Stmt } from '@numbat/core';
import { analyzeLaneUniformity } from '../packages/cpu/dist/codegen/lane-uniformity.js';
import { analyzeWgslUniformity } from '../packages/webgpu/dist/codegen/uniformity.js';

const i32 = 'i32' as const;
const c = (value: number): Expr => ({ kind: 'const', value, type: i32 });
const l = (id: number): Expr => ({ kind: 'local', id, type: i32 });
const tid = (dim: 0 | 1 | 2): Expr => ({ kind: 'special', reg: 'threadIdx', dim, type: i32 });
const bid = (): Expr => ({ kind: 'special', reg: 'blockIdx', dim: 0, type: i32 });
const lt = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'lt', opType: i32, a, b, type: 'bool' });
const add = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'add', opType: i32, a, b, type: i32 });
const load = (array: ArrayRef, index: Expr = c(0)): Expr => ({ kind: 'load', array, index, type: i32 });
const set = (local: number, value: Expr): Stmt => ({ kind: 'assign', local, value });
const when = (cond: Expr, then: Stmt[]): Stmt => ({ kind: 'if', cond, then, else: [] });
const loop = (cond: Expr | undefined, body: Stmt[]): Stmt => ({ kind: 'loop', cond, body, update: [] });

function kernel(name: string, nLocals: number, body: Stmt[]): KernelIR {
  const arr = (id: number, space: 'shared' | 'local' | 'const') =>
    ({ id, name: `a${id}`, space, elem: i32, shape: [4], size: 4, atomic: false, ...(space === 'const' ? { values: [1, 2, 3, 4] } : {}) });
  return {
    name,
    params: [0, 1].map((i) => ({ name: `p${i}`, type: { kind: 'array' as const, elem: i32 }, written: i === 1, atomic: false })),
    locals: Array.from({ length: nLocals }, (_, id) => ({ id, name: `v${id}`, type: i32 })),
    arrays: [arr(0, 'shared'), arr(1, 'local'), arr(2, 'const'), arr(3, 'const')],
    body, float: 'f64', hasBarrier: false, source: { firstLine: 1, text: '' },
  } as KernelIR;
}

/** Loops in pre-order, so varying loops can be named by their position. */
function loops(stmts: readonly Stmt[], out: Stmt[] = []): Stmt[] {
  for (const s of stmts) {
    if (s.kind === 'loop') { out.push(s); loops(s.body, out); loops(s.update, out); }
    if (s.kind === 'if') { loops(s.then, out); loops(s.else, out); }
  }
  return out;
}

interface Result { uniform: number[]; varyingLoops: number[] }
function results(ir: KernelIR): { block: Result; lane: Result; wgsl: Result } {
  const all = loops(ir.body);
  const pick = (isUniform: (e: Expr) => boolean, varying: ReadonlySet<Stmt>): Result => ({
    uniform: ir.locals.map((x) => x.id).filter((id) => isUniform(l(id))),
    varyingLoops: all.map((s, i) => (varying.has(s) ? i : -1)).filter((i) => i >= 0),
  });
  const block = analyzeUniformity(ir);
  const lane = analyzeLaneUniformity(ir);
  // p1 is bound read_write; const array 3 is a private (function-scope) WGSL array.
  const wgsl = analyzeWgslUniformity(ir, (p) => p === 1, (id) => id === 3);
  expect([...block.uniformLocals].sort()).toEqual(pick(block.isUniform, block.varyingLoops).uniform);
  expect(wgsl.core.varyingLoops).toEqual(block.varyingLoops);
  return { block: pick(block.isUniform, block.varyingLoops), lane: pick(lane.isUniform, lane.varyingLoops), wgsl: pick(wgsl.strict, wgsl.strictVaryingLoops) };
}

describe('uniformity: one analysis, three leaf predicates', () => {
  it('special registers: threadIdx.y/z vary across a block but not across a lane group', () => {
    const ir = kernel('specials', 4, [set(0, tid(0)), set(1, tid(1)), set(2, add(bid(), tid(2))), set(3, bid())]);
    expect(results(ir)).toEqual({
      block: { uniform: [3], varyingLoops: [] },
      lane: { uniform: [1, 2, 3], varyingLoops: [] },
      wgsl: { uniform: [3], varyingLoops: [] },
    });
  });

  it('loads: local arrays vary everywhere; WGSL also distrusts shared, read_write globals and private consts', () => {
    const ir = kernel('loads', 7, [
      set(0, load({ space: 'global', param: 0 })), set(1, load({ space: 'global', param: 1 })),
      set(2, load({ space: 'shared', id: 0 })), set(3, load({ space: 'local', id: 1 })),
      set(4, load({ space: 'const', id: 2 })), set(5, load({ space: 'const', id: 3 })),
      set(6, load({ space: 'global', param: 0 }, tid(1))),
    ]);
    expect(results(ir)).toEqual({
      block: { uniform: [0, 1, 2, 4, 5], varyingLoops: [] },
      lane: { uniform: [0, 1, 2, 4, 5, 6], varyingLoops: [] },
      wgsl: { uniform: [0, 4], varyingLoops: [] },
    });
  });

  it('a return under a varying if makes a loop vary for a block, not for a lane group', () => {
    const ir = kernel('returns', 2, [
      loop(lt(l(0), c(10)), [when(lt(tid(0), c(3)), [{ kind: 'return' }]), set(0, add(l(0), c(1)))]),
      set(1, l(0)),
    ]);
    expect(results(ir)).toEqual({
      block: { uniform: [], varyingLoops: [0] },
      lane: { uniform: [0, 1], varyingLoops: [] },
      wgsl: { uniform: [], varyingLoops: [0] },
    });
  });

  it('break under threadIdx.y control, nested loops, and the fixpoint through locals', () => {
    const ir = kernel('breaks', 4, [
      set(1, l(0)),
      loop(undefined, [
        when(lt(tid(1), c(2)), [{ kind: 'break' }]),
        loop(lt(l(2), c(4)), [set(2, add(l(2), c(1)))]),
      ]),
      loop(lt(l(3), c(4)), [set(3, add(l(3), c(1))), set(0, tid(0))]),
    ]);
    expect(results(ir)).toEqual({
      block: { uniform: [3], varyingLoops: [0, 1] },
      lane: { uniform: [2, 3], varyingLoops: [] },
      wgsl: { uniform: [3], varyingLoops: [0, 1] },
    });
  });

  it('locals set before use in their statement list stay uniform for a lane group under a varying if', () => {
    const counted: Stmt = { kind: 'loop', cond: lt(l(1), c(4)), body: [set(2, add(l(0), l(1)))], update: [set(1, add(l(1), c(1)))] };
    const ir = kernel('scoped', 5, [
      // v0 (an inlined parameter copy), v1 (a loop counter) and v2 (a body temporary): each set first in its list
      when(lt(tid(0), c(3)), [set(0, c(5)), set(1, c(0)), counted]),
      // v3 is also set under a varying if inside its list: lanes differ
      set(3, c(1)), when(lt(tid(0), c(2)), [set(3, c(2))]), set(4, l(3)),
    ]);
    expect(results(ir)).toEqual({
      block: { uniform: [], varyingLoops: [0] },
      lane: { uniform: [0, 1, 2], varyingLoops: [] },
      wgsl: { uniform: [], varyingLoops: [0] },
    });
  });

  it('atomics are never uniform', () => {
    const ir = kernel('atomics', 1, [
      set(0, { kind: 'atomic', op: 'add', array: { space: 'global', param: 1 }, index: c(0), value: c(1), type: i32 }),
    ]);
    expect(results(ir)).toEqual({
      block: { uniform: [], varyingLoops: [] },
      lane: { uniform: [], varyingLoops: [] },
      wgsl: { uniform: [], varyingLoops: [] },
    });
  });
});
