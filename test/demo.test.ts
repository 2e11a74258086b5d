// The README's demo runs from a plain node ES module and prints a sane estimate.
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

it('examples/pi.mjs estimates pi on sim', () => {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../examples/pi.mjs'), '--target', 'sim', '--samples', '20'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/on target 'sim'/);
  const pi = Number(/pi ≈ ([\d.]+)/.exec(r.stdout)![1]);
  expect(Math.abs(pi - Math.PI)).toBeLessThan(0.02);
});
