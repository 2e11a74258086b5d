// Legalisation rules that add arrays to the kernel (RewriteContext.constArray / localArray):
// a table the rule's code loads from is one const array per kernel however many expressions
// ask for it, the kernel verifies, and the simulator runs the loads and stores.

import { describe, expect, it } from 'vitest';
import { rewriteKernel, simBackend, verifyIR } from '@numbat/core';
import type { Expr, KernelIR, Rule } from '@numbat/core';

const tid: Expr = { kind: 'special', reg: 'threadIdx', dim: 0, type: 'i32' };
const k = (value: number): Expr => ({ kind: 'const', type: 'i32', value });

/** o[i] = u32 table lookups of a[i] & 3 (twice in one expression), then through a per-thread scratch array. */
function kernel(): KernelIR {
  const a: Expr = { kind: 'load', array: { space: 'global', param: 0 }, index: tid, type: 'i32' };
  const twice: Expr = { kind: 'binary', op: 'add', opType: 'i32', type: 'i32', a, b: { ...a, index: { ...tid } } };
  return {
    name: 'tables', locals: [], arrays: [], float: 'f64', hasBarrier: false, source: { firstLine: 1, text: '' },
    params: ['a', 'o'].map((name, i) => ({ name, type: { kind: 'array', elem: 'i32' }, written: i === 1, atomic: false })),
    body: [{ kind: 'store', array: { space: 'global', param: 1 }, index: { ...tid }, value: twice }],
  };
}

/** Rewrites each global load of `a` into SQUARES[a & 3], through a scratch local array. */
const SQUARES = [0, 1, 4, 9];
const rule: Rule = (e, cx) => {
  if (e.kind !== 'load' || e.array.space !== 'global' || e.array.param !== 0) return undefined;
  const table = cx.constArray('squares', 'i32', SQUARES);
  const scratch = cx.localArray('scratch', 'i32', 2);
  const masked: Expr = { kind: 'binary', op: 'and', opType: 'i32', type: 'i32', a: e, b: k(3) };
  cx.before({ kind: 'store', array: scratch, index: k(1), value: { kind: 'load', array: table, index: masked, type: 'i32' } });
  return { kind: 'load', array: scratch, index: k(1), type: 'i32' };
};

describe('legalisation rules add const and local arrays', () => {
  it('one const array for every use of the same table, a fresh local array each time, and the simulator runs them', async () => {
    const ir = kernel();
    rewriteKernel(ir, rule);
    verifyIR(ir);
    expect(ir.arrays.filter((x) => x.space === 'const').map((x) => [x.name, x.values])).toEqual([['squares', SQUARES]]);
    expect(ir.arrays.filter((x) => x.space === 'local').length).toBe(2);
    const a = new Int32Array([0, 1, 2, 3, 5, -1, 6, 7]), o = new Int32Array(8);
    const c = await simBackend.compile(ir, { float: 'f64', boundscheck: true, fastmath: false, cache: false, cacheKey: '' });
    await simBackend.launch(c, { grid: [1, 1, 1], block: [8, 1, 1], sharedMem: 0 }, [a, o].map((host) => ({ kind: 'array', elem: 'i32', length: host.length, host })));
    expect(Array.from(o)).toEqual(Array.from(a, (v) => 2 * SQUARES[v & 3]));
  });

  it('a different table (other values) is another array', () => {
    const ir = kernel();
    let n = 0;
    rewriteKernel(ir, (e, cx) => (e.kind === 'load' && e.array.space === 'global' && e.array.param === 0
      ? { kind: 'load', array: cx.constArray('t', 'i32', [n++, 7]), index: k(0), type: 'i32' } : undefined));
    expect(ir.arrays.map((x) => x.values)).toEqual([[0, 7], [1, 7]]);
  });
});
