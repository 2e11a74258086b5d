// Unminified bundles (issue: "'cuda2' is not defined in the kernel"): esbuild
// --bundle --platform=node of scripts that run kernels using cuda, random,
// reduce, a device function and globals, run from a temp directory outside the
// repository (so no @numbat/* package can be found by name: the bundle carries
// core, cpu and cpu's @numbat/llvm, registered with registerBackend). Only the native packages
// (koffi, llvm-bindings) sit in that directory's node_modules, as an
// application would ship them. Results must equal the unbundled run's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { targetAvailability } from '@numbat/core';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test/fixtures/bundle');
const cpu = await targetAvailability('cpu');
const targets = cpu.ok ? ['sim', 'cpu'] : ['sim'];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'numbat-bundle-'));
  mkdirSync(join(dir, 'node_modules'));
  for (const native of ['koffi', 'llvm-bindings']) symlinkSync(join(ROOT, 'node_modules', native), join(dir, 'node_modules', native), 'dir');
  for (const name of ['entry', 'collide']) {
    await build({
      entryPoints: [join(FIXTURES, `${name}.mjs`)], outfile: join(dir, `${name}.mjs`), bundle: true, platform: 'node', format: 'esm',
      external: ['koffi', 'llvm-bindings', 'webgpu'], logLevel: 'silent',
    });
  }
}, 60_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function run(script: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  // NUMBAT_TARGET would override nothing here (targets are explicit), but keep the child's choice clean.
  const env = { ...process.env, NUMBAT_TARGET: '' };
  return spawnSync(process.execPath, [script, ...targets], { cwd, encoding: 'utf8', env, timeout: 120_000 });
}

describe(`esbuild --bundle (node, unminified), run outside the repository on ${targets.join(', ')}${cpu.ok ? '' : ` (cpu skipped: ${cpu.reason})`}`, () => {
  it('runs a kernel with cuda, random, a device function and globals, and reduce; results equal the unbundled run', () => {
    // cpu's shared LLVM package travels inside the bundle like cpu itself.
    const text = readFileSync(join(dir, 'entry.mjs'), 'utf8');
    expect(text).toMatch(/\bStagedCompiler\b/);
    expect(text).not.toMatch(/["']@numbat\/llvm["']/);
    const bundled = run(join(dir, 'entry.mjs'), dir);
    expect(bundled.stderr).not.toMatch(/is not defined in the kernel/);
    expect(bundled.status, bundled.stderr).toBe(0);
    const got = JSON.parse(bundled.stdout);
    const plain = run(join(FIXTURES, 'entry.mjs'), ROOT);
    expect(plain.status, plain.stderr).toBe(0);
    expect(got).toEqual(JSON.parse(plain.stdout));
    for (const t of targets) {
      // out[i] = 3·u + i % 4 with u uniform in [0, 1): a mean of 1.5 + 1.5 over 1000 elements.
      expect(got[t].sum).toBeGreaterThan(2700);
      expect(got[t].sum).toBeLessThan(3300);
      expect(got[t].first).toEqual(got.sim.first);
    }
  }, 180_000);

  it("core's own kernels (random, reduce) still compile when the bundler renames numbat's bindings (cuda2, op2, T2)", () => {
    const text = readFileSync(join(dir, 'collide.mjs'), 'utf8');
    // The scenario is real only if esbuild did rename core's bindings.
    expect(text).toMatch(/\bcuda2\.umulhi\(/);
    const bundled = run(join(dir, 'collide.mjs'), dir);
    expect(bundled.status, bundled.stderr).toBe(0);
    const got = JSON.parse(bundled.stdout);
    const plain = run(join(FIXTURES, 'collide.mjs'), ROOT);
    expect(plain.status, plain.stderr).toBe(0);
    expect(got).toEqual(JSON.parse(plain.stdout));
    for (const t of targets) {
      expect(got[t].max).toBeLessThan(1);
      expect(got[t].max).toBeGreaterThan(0.99);
      expect(got[t].sum).toBeGreaterThan(270);
      expect(got[t].sum).toBeLessThan(330);
    }
  }, 180_000);
});
