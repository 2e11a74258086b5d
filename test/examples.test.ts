// The examples other than the demo (tested in examples-pi.test.ts): dot
// product and normalised histogram (reductions), European option pricing vs
// Black-Scholes and random-walk diffusion (Philox), on every available target
// at size 'small': every check of each example must pass.

import { describe, expect, it } from 'vitest';
import { targetAvailability, type Target } from '@numbat/core';

const EXAMPLES = ['dot', 'histogram', 'option-pricing', 'random-walk'];
const TARGETS: Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

for (const name of EXAMPLES) {
  const mod = await import(`../examples/${name}.mjs`);
  describe(`example ${name}`, () => {
    TARGETS.forEach((target, i) => {
      const a = avail[i];
      it.skipIf(!a.ok)(`passes its checks on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, async () => {
        const r = await mod.run({ target, size: 'small' });
        expect(r.target).toBe(target);
        expect(r.unit).toBe(mod.meta.unit);
        expect(r.checks.length).toBeGreaterThan(0);
        for (const c of r.checks) expect(c.ok, `${c.name}: ${c.detail}`).toBe(true);
        expect(r.work).toBeGreaterThan(0);
        expect(r.throughput).toBeGreaterThan(0);
      });
    });
  });
}
