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
  for (const s of soleAssignments(ir, (a) => made(a.value, positions, true))) positions.add(s.local);
  const position = (e: Expr): boolean => made(e, positions, true) && dependsOnThread(e, positions);
  const bound = (e: Expr): boolean => made(e, positions, false);
  const test = (c: Expr): boolean => {
    if (c.kind === 'logical' && c.op === 'and') return test(c.a) && test(c.b);
    return c.kind === 'binary' && COMPARISONS.has(c.op) && ((position(c.a) && bound(c.b)) || (bound(c.a) && position(c.b)));
  };
  return test;
}

/** `e` is arithmetic (add, sub, mul, conversions) on constants, scalar parameters, array lengths, block and grid sizes and (`thread`) thread and block indices and position locals. */
function made(e: Expr, positions: ReadonlySet<number>, thread: boolean): boolean {
  let ok = true;
  forEachExpr(e, (x) => {
    switch (x.kind) {
      case 'const': case 'param': case 'length': case 'convert': return;
      case 'binary': if (!ARITHMETIC.has(x.op)) ok = false; return;
      case 'special': if (!thread && (x.reg === 'threadIdx' || x.reg === 'blockIdx')) ok = false; return;
      case 'local': if (!thread || !positions.has(x.id)) ok = false; return;
      default: ok = false;
    }
  });
  return ok;
}

function dependsOnThread(e: Expr, positions: ReadonlySet<number>): boolean {
  let any = false;
  forEachExpr(e, (x) => { if ((x.kind === 'special' && (x.reg === 'threadIdx' || x.reg === 'blockIdx')) || (x.kind === 'local' && positions.has(x.id))) any = true; });
  return any;
}
