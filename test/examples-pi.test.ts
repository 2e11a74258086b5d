// The demo (examples/pi.mjs, `npm run demo`): its run() passes its checks on
// every available target at size 'small', and its command line prints the
// estimate, its error, the throughput and the target it used.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { targetAvailability, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));
const pi = await import('../examples/pi.mjs' as string);

describe('example pi', () => {
  TARGETS.forEach((target, i) => {
    const a = avail[i];
    it.skipIf(!a.ok)(`passes its checks on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, async () => {
      const fractions: number[] = [];
      const r = await pi.run({ target, size: 'small', onProgress: (f: number) => fractions.push(f) });
      expect(r.target).toBe(target);
      expect(r.unit).toBe(pi.meta.unit);
      for (const c of r.checks) expect(c.ok, `${c.name}: ${c.detail}`).toBe(true);
      expect(r.work).toBe(r.result.threads * r.result.perThread * r.result.batches);
      expect(r.throughput).toBeCloseTo(r.work / r.seconds);
      expect(fractions.at(-1)).toBe(1);
      expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    });
  });

  it('prints the estimate, its error, the throughput and the target from the command line', () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../examples/pi.mjs'), '--target', 'sim', '--size', 'small', '--samples', '20'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on target 'sim'/);
    expect(r.stdout).toMatch(/^  100% done$/m); // a pipe: plain lines, no \r frames (test/cli-ux.test.ts)
    expect(r.stdout).not.toMatch(/\r/);
    const estimate = Number(/pi ≈ ([\d.]+)/.exec(r.stdout)![1]);
    const stderr = Number(/standard error ([\d.e+-]+)/.exec(r.stdout)![1]);
    expect(Math.abs(estimate - Math.PI)).toBeLessThan(5 * stderr + 1e-3);
    expect(r.stdout).toMatch(/1024 × 20|81,920 samples/);
    expect(r.stdout).toMatch(/M samples\/s/);
    expect(r.stdout).not.toMatch(/FAIL/);
  });
});
