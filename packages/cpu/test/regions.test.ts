// Where locals live (regions.ts planStorage), on hand-built IR: the choices
// between private (one scalar per pass), per-thread storage and threadIdx.x
// aliases decide what a value survives, so they are checked directly; and the
// block-level plan the code generator walks.
import { describe, expect, it } from 'vitest';
import type { Stmt } from '@numbat/core';
import { planStorage } from '../dist/codegen/regions.js';
import { assign, bin, c, gidx, kernel, l, load, sp, store } from './helpers.js';

const barrier: Stmt = { kind: 'barrier' };
const ifs = (cond: any, then: Stmt[], els: Stmt[] = []): Stmt => ({ kind: 'if', cond, then, else: els });
const loop = (body: Stmt[]): Stmt => ({ kind: 'loop', cond: bin('lt', l(9), c(4)), body, update: [assign(9, bin('add', l(9), c(1)))] });
const locals = (n: number) => Array.from({ length: n }, (_, id) => ({ id, name: `v${id}`, type: 'i32' as const }));

describe('cpu storage plan', () => {
  it('temporaries assigned in if arms of a barrier loop are private unless a later read can see an old value', () => {
    const body: Stmt[] = [
      assign(0, sp('threadIdx')), // t
      assign(9, c(0)),
      loop([
        ifs(bin('lt', l(0), c(3)), [assign(1, c(5)), store(0, l(0), l(1))]), // 1: assigned then read inside the arm
        ifs(bin('lt', l(0), c(2)), [assign(2, c(1))], [assign(2, c(2))]), // 2: both arms, read after
        store(0, l(0), l(2)),
        ifs(bin('lt', l(0), c(1)), [assign(3, c(1))]), // 3: one arm only, read after: may see the previous pass
        store(0, l(0), l(3)),
        barrier,
      ]),
      store(0, l(0), l(0)),
    ];
    const plan = planStorage(kernel('k', [{ kind: 'array', elem: 'i32' }], body, { locals: locals(10), hasBarrier: true }));
    const priv = new Set([...plan.privateLocalsOf.values()].flat());
    expect(priv.has(1)).toBe(true);
    expect(priv.has(2)).toBe(true);
    expect(plan.perThreadLocals.has(3)).toBe(true);
    // t: a threadIdx.x alias, private in the three regions that use it, no per-thread slot
    expect(plan.txAliases.has(0)).toBe(true);
    expect(plan.perThreadLocals.has(0)).toBe(false);
    expect([...plan.privateLocalsOf.values()].filter((ids) => ids.includes(0)).length).toBe(3);
  });

  it('a threadIdx.x alias read by a block-level condition keeps per-thread storage', () => {
    const body: Stmt[] = [
      assign(0, sp('threadIdx')),
      ifs(bin('lt', l(0), c(100)), [barrier]),
      store(0, l(0), l(0)),
    ];
    const plan = planStorage(kernel('k', [{ kind: 'array', elem: 'i32' }], body, { locals: locals(1), hasBarrier: true }));
    expect(plan.txAliases.has(0)).toBe(false);
    expect(plan.perThreadLocals.has(0)).toBe(true);
  });

  it('plans the block level as the tree the code generator walks, regions in emission order', () => {
    const body: Stmt[] = [
      assign(0, sp('threadIdx')),
      assign(1, sp('blockDim')), // a block scalar: hoisted, between regions
      store(0, l(0), c(1)),
      barrier,
      assign(9, c(0)),
      loop([store(0, l(0), l(1)), barrier, assign(1, bin('shr', l(1), c(1)))]),
      ifs(bin('lt', l(1), c(100)), [barrier, store(0, l(0), c(2))], [store(0, l(0), c(3))]),
      store(0, l(0), l(0)),
    ];
    const plan = planStorage(kernel('k', [{ kind: 'array', elem: 'i32' }], body, { locals: locals(10), hasBarrier: true }));
    const shape = (items: typeof plan.body): unknown[] => items.map((x) => {
      switch (x.kind) {
        case 'region': return `region ${x.region.id}${x.region.inBarrierLoop ? ' (in loop)' : ''}: ${x.region.stmts.length}`;
        case 'hoisted': return `hoisted v${x.stmt.local}`;
        case 'barrier': return 'barrier';
        case 'if': return { if: shape(x.then), else: shape(x.else) };
        case 'loop': return { loop: shape(x.body), update: shape(x.update) };
      }
    });
    // v9 (the loop counter: 0, then +1 in the update) is a block scalar too.
    expect(shape(plan.body)).toEqual([
      'region 0: 1', 'hoisted v1', 'region 1: 1', 'barrier', 'hoisted v9',
      { loop: ['region 2 (in loop): 1', 'barrier', 'hoisted v1'], update: ['hoisted v9'] },
      { if: ['barrier', 'region 3: 1'], else: ['region 4: 1'] },
      'region 5: 1',
    ]);
    expect(plan.regions.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('locals computed from thread and block indices are computed again by each region that reads them, not kept per thread', () => {
    const body: Stmt[] = [
      assign(0, gidx()), // i = cuda.grid(1)
      assign(1, bin('mul', l(0), c(4))), // base = i * 4
      assign(2, load(0, l(0), 'i32')), // a load: kept per thread
      store(0, l(1), l(2)),
      barrier,
      store(0, l(1), l(2)), // reads base (and so i) and the loaded value
    ];
    const plan = planStorage(kernel('k', [{ kind: 'array', elem: 'i32' }], body, { locals: locals(3), hasBarrier: true }));
    expect([...plan.perThreadLocals]).toEqual([2]);
    const [r0, r1] = plan.regions;
    expect(plan.privateLocalsOf.get(r0)).toEqual(expect.arrayContaining([0, 1]));
    expect(plan.privateLocalsOf.get(r1)).toEqual(expect.arrayContaining([0, 1]));
    // the second region starts by computing i, then base (the kernel's order); the first keeps its own assignments
    expect(r1.stmts.slice(0, 2).map((x) => x.kind === 'assign' && x.local)).toEqual([0, 1]);
    expect(r1.stmts).toHaveLength(3);
    expect(r0.stmts).toHaveLength(4);
  });

  it('a block-uniform local that no block-level code reads stays in its region (a random draw\'s thread count does not cut it in two)', () => {
    const body: Stmt[] = [
      assign(2, bin('shr', sp('blockDim'), c(1))), // read after the barrier: still a block scalar
      assign(0, sp('threadIdx')),
      store(0, l(0), c(1)),
      assign(1, bin('div', sp('blockDim'), c(10))), // as `n = states.length / 10` in each draw
      store(0, l(0), l(1)),
      barrier,
      store(0, l(0), l(2)),
    ];
    const plan = planStorage(kernel('k', [{ kind: 'array', elem: 'i32' }], body, { locals: locals(3), hasBarrier: true }));
    expect(plan.body.map((x) => x.kind)).toEqual(['hoisted', 'region', 'barrier', 'region']);
    expect([...plan.blockScalars]).toEqual([2]);
    expect(plan.regions[0].stmts).toHaveLength(4);
    expect(plan.regions[1].stmts).toHaveLength(1);
  });

  it('a local computed from a threadIdx.x alias (`const t = threadIdx.x; const i = blockIdx.x * blockDim.x + t`) is computed again too', () => {
    const body: Stmt[] = [
      assign(0, sp('threadIdx')),
      assign(1, bin('add', bin('mul', sp('blockIdx'), sp('blockDim')), l(0))),
      store(0, l(1), c(1)),
      barrier,
      store(0, l(1), c(2)),
    ];
    const plan = planStorage(kernel('k', [{ kind: 'array', elem: 'i32' }], body, { locals: locals(2), hasBarrier: true }));
    expect(plan.perThreadLocals.size).toBe(0);
    const r1 = plan.regions[1];
    expect(r1.stmts[0].kind === 'assign' && r1.stmts[0].local).toBe(1);
    expect(plan.privateLocalsOf.get(r1)).toEqual(expect.arrayContaining([0, 1])); // t set to x at the region's start, then i
  });
});
