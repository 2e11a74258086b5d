// Which last `if (c) { … }` of a kernel the cpu turns into a guard `if (!c) return;` (core's
// wrapToGuard): a test of the thread's position against a bound, `i < n`, `x < w && y < h`,
// whose lanes fail only in a grid's last groups. After a guard a lane group with a lane out
// hands its threads to the thread-by-thread code; under a test that fails in every group,
// `if ((i & 1) === 0)`, every group would, so those stay masked.

import type { Expr, KernelIR } from '@numbat/core';
import { forEachExpr } from '@numbat/core';
import { soleAssignments } from './regions.js';

const ARITHMETIC: ReadonlySet<string> = new Set(['add', 'sub', 'mul']);
const COMPARISONS: ReadonlySet<string> = new Set(['lt', 'le', 'gt', 'ge']);

/** The test `c` of a kernel's last `if` that makes a good guard (see above). */
export function boundTest(ir: KernelIR): (c: Expr) => boolean {
  // locals holding a position: `const i = cuda.grid(1)`, `const base = i * 4` (assigned once, at the top level)
  const positions = new Set<number>();
  for (const s of soleAssignments(ir, (a) => shapeOf(a.value, positions) !== undefined)) positions.add(s.local);
  const test = (c: Expr): boolean => {
    if (c.kind === 'logical' && c.op === 'and') return test(c.a) && test(c.b);
    if (c.kind !== 'binary' || !COMPARISONS.has(c.op)) return false;
    const a = shapeOf(c.a, positions), b = shapeOf(c.b, positions);
    return (a === 'position' && b === 'bound') || (a === 'bound' && b === 'position');
  };
  return test;
}

/**
 * `e` as arithmetic (add, sub, mul, conversions) on constants, scalar parameters, array lengths
 * and block and grid sizes: a 'bound'; with thread or block indices or position locals too: a
 * 'position'; anything else: undefined.
 */
function shapeOf(e: Expr, positions: ReadonlySet<number>): 'bound' | 'position' | undefined {
  let ok = true, thread = false;
  forEachExpr(e, (x) => {
    switch (x.kind) {
      case 'const': case 'param': case 'length': case 'convert': return;
      case 'binary': if (!ARITHMETIC.has(x.op)) ok = false; return;
      case 'special': if (x.reg === 'threadIdx' || x.reg === 'blockIdx') thread = true; return;
      case 'local': if (positions.has(x.id)) thread = true; else ok = false; return;
      default: ok = false;
    }
  });
  return !ok ? undefined : thread ? 'position' : 'bound';
}
