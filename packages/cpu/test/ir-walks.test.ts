// The code generator's questions about statement lists, answered in one walk each
// (regions.ts localsAssignedBeforeUse, lane-budget.ts rareHandOvers, core's localScopes):
// their answers on hand-built IR, including lists nested deeper than a recursion per
// statement and enclosing list would have got through quickly.
import { describe, expect, it } from 'vitest';
import type { Stmt } from '@numbat/core';
import { localScopes } from '@numbat/core';
import { localsAssignedBeforeUse } from '../dist/codegen/regions.js';
import { rareHandOvers } from '../dist/codegen/lane-budget.js';
import { assign, bin, c, l, sp, store } from './helpers.js';

const ifs = (cond: any, then: Stmt[], els: Stmt[] = [], rare = false): Stmt => ({ kind: 'if', cond, then, else: els, ...(rare ? { rare: true } : {}) });
const loop = (body: Stmt[]): Stmt => ({ kind: 'loop', cond: bin('lt', l(9), c(4)), body, update: [assign(9, bin('add', l(9), c(1)))] });
const t = sp('threadIdx');
const brk: Stmt = { kind: 'break' };

describe('locals assigned before any read', () => {
  it('decides each local at the first statement that refers to it', () => {
    const stmts: Stmt[] = [
      assign(0, c(1)), // 0: assigned first
      assign(1, l(2)), // 1: assigned first; 2: read first
      assign(2, c(3)),
      ifs(bin('lt', t, l(3)), [assign(3, c(1))]), // 3: read by the condition
      ifs(bin('lt', t, c(2)), [assign(4, c(1))], [assign(4, c(2))]), // 4: both arms
      ifs(bin('lt', t, c(2)), [assign(5, c(1))]), // 5: one arm, never referred to after
      ifs(bin('lt', t, c(2)), [assign(6, c(1))]), // 6: one arm, then assigned again: refers to it
      assign(6, c(7)),
      ifs(bin('lt', t, c(2)), [assign(7, c(1)), store(0, t, l(7))], [store(0, t, l(7))]), // 7: read in the other arm
      ifs(bin('lt', t, c(2)), [ifs(bin('lt', t, c(1)), [assign(8, c(1))])]), // 8: one arm of an arm
      loop([store(0, t, l(10))]), // 9: read by the loop's condition; 10: read in the loop
      assign(10, c(0)),
      assign(11, bin('add', l(11), c(1))), // 11: reads itself
    ];
    expect([...localsAssignedBeforeUse(stmts)].sort((a, b) => a - b)).toEqual([0, 1, 4, 5, 8]);
  });
});

describe('rare ifs a lane group hands over', () => {
  const rare = (id: number): Stmt => ifs(bin('gt', l(id), c(1e6)), [assign(id, c(0))], [], true);

  it('hands over those reached before any effect, outside loops', () => {
    const first = rare(1), afterStore = rare(2), inLoop = rare(3), afterArm = rare(4);
    const leaving = ifs(bin('gt', l(5), c(1e6)), [brk], [], true);
    const stmts: Stmt[] = [
      assign(1, t), first,
      loop([inLoop, leaving]),
      ifs(bin('lt', t, c(2)), [], [store(0, t, c(1))]), afterArm,
      store(0, t, l(1)), afterStore,
    ];
    const handed = rareHandOvers(stmts);
    expect(handed.has(first)).toBe(true);
    expect(handed.has(inLoop)).toBe(false);
    expect(handed.has(leaving)).toBe(false);
    expect(handed.has(afterArm)).toBe(false); // a store in the other arm of the if before it
    expect(handed.has(afterStore)).toBe(false);
    expect(rareHandOvers([ifs(c(true), [brk], [], true)]).size).toBe(0); // a break of a loop around the region
  });

  it('not after an assignment of a local kept across barriers (the rerun would update it again)', () => {
    const r = rare(1);
    const stmts: Stmt[] = [assign(6, bin('add', l(6), c(1))), assign(1, t), r];
    expect(rareHandOvers(stmts).has(r)).toBe(true); // 6 is private to the region (zeroed at its start for the rerun too)
    expect(rareHandOvers(stmts, new Set([6])).has(r)).toBe(false);
    expect(rareHandOvers(stmts, new Set([7])).has(r)).toBe(true);
    const inArm = [ifs(bin('lt', t, c(2)), [assign(6, c(1))]), r];
    expect(rareHandOvers(inArm, new Set([6])).has(r)).toBe(false);
  });

  it('answers for a chain of ifs 3000 deep', () => {
    const last = rare(1);
    let chain: Stmt[] = [last];
    for (let k = 0; k < 3000; k++) chain = [ifs(bin('lt', t, c(k)), [assign(2, c(k))], chain)];
    expect([...rareHandOvers(chain)]).toEqual([last]);
    // a store at the bottom of the first arms: the ifs after the chain are not handed over
    const after = rare(3);
    expect(rareHandOvers([ifs(bin('lt', t, c(0)), [store(0, t, c(0))], chain), after]).has(after)).toBe(false);
  });
});

describe('local scopes', () => {
  it('finds each scope in a chain of ifs 3000 deep', () => {
    let chain: Stmt[] = [assign(1, c(0)), store(0, t, l(1))];
    const lists: Stmt[][] = [chain];
    for (let k = 0; k < 3000; k++) { chain = [assign(2, c(k)), ifs(bin('lt', t, l(2)), [], chain)]; lists.push(chain); }
    const scopes = localScopes([assign(0, c(0)), ...chain, store(0, t, l(0))]);
    expect(scopes.get(1)).toBe(lists[0]); // the innermost list
    expect(scopes.has(2)).toBe(true); // the outermost list that holds every reference: assigned first there
    expect(scopes.get(0)?.length).toBe(4);
  });
});
