// `numbat info` reports every target (available with its device and details, or
// the reason it is not) and the target 'auto' picks; `numbat compile` forwards
// to the cuda package's ahead-of-time compiler.

import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { targetAvailability, resolveTarget } from '@numbat/core';

const CLI = 'packages/core/dist/cli.js';

describe('numbat CLI', () => {
  it('info --json lists every target with availability, and the auto choice', async () => {
    const out = JSON.parse(execFileSync(process.execPath, [CLI, 'info', '--json'], { encoding: 'utf8' }));
    expect(Object.keys(out.targets).sort()).toEqual(['cpu', 'cuda', 'sim', 'webgpu']);
    expect(out.auto).toBe(await resolveTarget('auto'));
    for (const t of ['sim', 'cpu', 'webgpu', 'cuda'] as const) {
      const a = await targetAvailability(t);
      expect(out.targets[t].ok).toBe(a.ok);
      if (a.ok) expect(out.targets[t].device).toBe(a.device);
      else expect(out.targets[t].reason).toBe(a.reason);
    }
    if (out.targets.cpu.ok) expect(out.targets.cpu.workers).toBeGreaterThanOrEqual(1);
    if (out.targets.webgpu.ok) {
      expect(out.targets.webgpu.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(128);
      expect(['default', 'opengles', 'browser']).toContain(out.targets.webgpu.backend);
    }
  });

  it('info prints a human-readable report', () => {
    const out = execFileSync(process.execPath, [CLI, 'info'], { encoding: 'utf8' });
    expect(out).toMatch(/'auto' target here is '(cuda|webgpu|cpu|sim)'/);
    expect(out).toMatch(/^sim: available/m);
    expect(out).toMatch(/^cuda: (available|unavailable — .+)/m);
  });

  it('compile forwards to numbat-cuda and reports its usage errors', () => {
    const r = spawnSync(process.execPath, [CLI, 'compile', '--target', 'ptx'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/numbat-cuda: no module given/);
  });

  it('an unknown command prints usage and fails', () => {
    const r = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: numbat <command>[\s\S]*info \[--json\]/);
  });
});
