// The GPU benchmark (bench/gpu/run.mjs) in --dry-run mode on target 'cuda',
// with a numba-cuda result file of the shape bench/cuda/numba_bench.py writes:
// it writes its JSON and Markdown, compiles the throughput kernels to PTX when
// there is no GPU (reduce's pass 1 with ld.global.v4), and sets numba's figures
// (the device-to-device copy ceiling first, option pricing last) beside its own; and on webgpu
// while cuda is compile-only (run.sh's dry run without a GPU), with webgpu's checks on. No timing is asserted.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetAvailability } from '@numbat/core';

const root = join(import.meta.dirname, '..');
const cudaAvail = await targetAvailability('cuda');
const webgpuAvail = await targetAvailability('webgpu');

function runAsync(args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { timeout: timeoutMs, env });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('bench/gpu/run.mjs --dry-run', () => {
  it('writes JSON and Markdown with numba-cuda beside it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'numbat-gpu-dry-'));
    try {
      const numba = join(out, 'numba.json');
      writeFileSync(numba, JSON.stringify({
        numba: '0.0-test', numba_cuda: '0.0-test', launchOverhead_us: 20,
        sameRun: { n: 65536, d2dCopy: { median_ms: 0.01, GBps: 52.4 }, copyKernel: { median_ms: 0.02, GBps: 26.2 }, add4: { median_ms: 0.04, GBps: 26.2 }, reduce: { median_ms: 0.05, GBps: 5.2 }, monteCarlo: { median_ms: 1, gSamplesPerS: 0.4 }, optionPricing: { median_ms: 2, gPathsPerS: 0.5 } },
      }));
      const r = await runAsync([join(root, 'bench/gpu/run.mjs'), '--dry-run', '--targets', 'cuda', '--out', out, '--numba', numba], 300_000);
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const base = readdirSync(out).find((f) => f.endsWith('.json') && f !== 'numba.json')!;
      const report = JSON.parse(readFileSync(join(out, base), 'utf8'));
      const md = readFileSync(join(out, base.replace(/\.json$/, '.md')), 'utf8');
      expect(report.numba.sameRun.d2dCopy.GBps).toBe(52.4);
      expect(md).toMatch(/## numba-cuda 0\.0-test, same GPU, same run \(2\^16 f32\)/);
      expect(md).toMatch(/\| device-to-device copy \(the ceiling\) \| 52\.4 GB\/s \|/);
      expect(md).toMatch(/\| option pricing \(numba: xoroshiro128p normals; numbat: Philox normalF32\) \| 0\.50 G paths\/s \|/);
      if (cudaAvail.ok) {
        expect(report.targets.cuda.throughput.reduce.ofD2d).toBeGreaterThan(0);
      } else {
        expect(report.targets.cuda.skipped).toBe(cudaAvail.reason);
        expect(report.targets.cuda.ptx.kernels).toBe(6);
        expect(report.targets.cuda.ptx.reduceVectorLoads).toBe(true);
        expect(report.targets.cuda.ptx.ptxas).toMatch(/^(sm_90: all accepted|not installed)$/);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 320_000);

  // run.sh --dry-run without a GPU makes cuda compile-only for the whole process: webgpu's
  // sections must still run on real data and check their results (they once ran on empty
  // arrays with their checks off).
  it.skipIf(!webgpuAvail.ok)(`checks webgpu's results while cuda is compile-only${webgpuAvail.ok ? '' : ` (skipped: webgpu: ${webgpuAvail.reason})`}`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'numbat-gpu-dry-'));
    try {
      const r = await runAsync([join(root, 'bench/gpu/run.mjs'), '--dry-run', '--targets', 'webgpu', '--out', out], 300_000, { ...process.env, NUMBAT_CUDA_COMPILE_ONLY: '1' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const base = readdirSync(out).find((f) => f.endsWith('.json'))!;
      const t = JSON.parse(readFileSync(join(out, base), 'utf8')).targets.webgpu.throughput;
      expect(t.add4.ok).toBe(true);
      expect(t.optionPricing.ok).toBe(true);
      expect(Math.abs(t.optionPricing.price - t.optionPricing.blackScholes)).toBeLessThan(5 * t.optionPricing.stderr);
      expect(t.gamma.sameSums).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 320_000);
});
