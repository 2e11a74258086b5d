// A block of a grid-barrier kernel that finishes checks whether it leaves other
// blocks waiting (helpers-ir.ts numbat_grid_leave). The check once used the
// finished-block count from the block's own increment, taken before its arrival
// count: when the other block finished between the two, both had finished, yet
// the stale count said one waited, and a correct launch failed with "block (0, 0,
// 0) exited while other blocks wait" (fuzz seed 7096, about one launch in a few
// thousand). The interleaving cannot be forced from a kernel, so this checks the
// helper's shape: the finished-block count it decides on is loaded once the
// arrival count is full. The grid-barrier behaviour itself is tested in
// test/sync-atomics.test.ts (an early exit is still reported).

import { describe, expect, it } from 'vitest';
import { cpuHelperModule } from '../dist/codegen/helpers-ir.js';

/** The body of one function of an LLVM module's text. */
function body(text: string, name: string): string {
  const start = text.indexOf(`define void @${name}(`);
  expect(start).toBeGreaterThanOrEqual(0);
  return text.slice(start, text.indexOf('\n}\n', start));
}

describe('cpu grid barrier: a finishing block', () => {
  it('decides "others still wait" on the finished-block count read after its arrival filled the count', () => {
    const leave = body(cpuHelperModule([], true), 'numbat_grid_leave');
    const lines = leave.split('\n').map((l) => l.trim());
    const arrive = lines.findIndex((l) => /atomicrmw add i32\* %countp/.test(l));
    const readLeft = lines.findIndex((l) => /= load atomic i32, i32\* %leftp seq_cst/.test(l));
    expect(arrive).toBeGreaterThan(0);
    expect(readLeft).toBeGreaterThan(arrive);
    const leftName = lines[readLeft].split(' = ')[0];
    // The comparison with the block count uses that load, not the block's own increment.
    expect(lines.some((l) => l.includes(`icmp ne i32 ${leftName}, %nb`))).toBe(true);
    expect(leave).not.toMatch(/add i32 %l0, 1/);
  });
});
