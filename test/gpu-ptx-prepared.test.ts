// The ahead-of-time PTX covers every cuda kernel the GPU benchmark launches
// (bench/gpu/run.mjs), with no GPU and no timing: run.mjs in compile-only mode
// (what bench/cuda/prepare.mjs does) fills a PTX cache with the kernels of
// every section (corpus, random, examples, throughput) at the signatures they
// are launched with; run again with LLVM forbidden (NUMBAT_CUDA_NO_LLVM=1, what
// bench/gpu/run.sh --check-ptx and the GPU machine do) it finds every one of
// them there; with one entry taken away, it fails naming that kernel.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS } from '@numbat/core/testsuite';

const root = join(import.meta.dirname, '..');

function run(args: string[], env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bench/gpu/run.mjs'), '--compile-only', '--dry-run', ...args], { env: { ...process.env, ...env }, timeout: 240_000 });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => resolve({ status, out }));
  });
}

interface Kernels { count: number; cache: number; compiled: number; missing: string[]; stopped: string[]; list: { kernel: string; origin: string }[] }
const read = (f: string): Kernels => JSON.parse(readFileSync(f, 'utf8'));

describe.skipIf(process.platform !== 'linux')('bench/gpu/run.mjs --compile-only: the prepared PTX covers every cuda kernel it launches', () => {
  it('prepares, then finds every kernel with LLVM forbidden, and names a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'numbat-gpu-ptx-'));
    try {
      const prepared = join(dir, 'prepared');
      const first = await run(['--out', dir, '--kernels', join(dir, 'k1.json')], { NUMBAT_CACHE_DIR: prepared });
      expect(first.status, first.out).toBe(0);
      const made = read(join(dir, 'k1.json'));
      expect(made.missing).toEqual([]);
      expect(made.stopped).toEqual([]);
      expect(made.compiled + made.cache).toBe(made.count);
      const names = made.list.map((k) => k.kernel);
      // Every corpus kernel, and those of the random, examples and throughput sections at their launch signatures.
      for (const c of CORPUS) expect(names.some((k) => k.startsWith(`${c.kernel.name}(`)), c.name).toBe(true);
      expect(names).toEqual(expect.arrayContaining([
        'draws(u32[], f32[], f32[])', 'draws64(u32[], f64[])',
        'monteCarloPi(u32[], u32[], i32)', 'multiply(f64[], f64[], f64[])', 'histogram(u32[], i32, i32)', 'normalise(u32[], u32[], i32, f32[])',
        'europeanCall(u32[], f32[], f32[], i32, i32, i32, f64, f64)', 'randomWalk(u32[], u32[], i32[], i32, i32, i32)',
        'add4(f32[], f32[], f32[], f32[])', 'copyKernel(f32[], f32[])',
        'reduceBlocksQuadsWarp(f32[], i32, f32[])', 'reduceFinalWarp(f32[], i32, f32[], f32, bool)',
        'reduceBlocksWarp(f64[], i32, f64[])', 'reduceFinalWarp(f64[], i32, f64[], f64, bool)', 'reduceFinalWarp(u32[], i32, u32[], u32, bool)',
      ]));

      const noLLVM = { NUMBAT_CUDA_NO_LLVM: '1', NUMBAT_CUDA_PTX_DIR: prepared };
      const second = await run(['--out', dir, '--kernels', join(dir, 'k2.json')], { ...noLLVM, NUMBAT_CACHE_DIR: join(dir, 'empty') });
      expect(second.status, second.out).toBe(0);
      const found = read(join(dir, 'k2.json'));
      expect(found.list.map((k) => k.kernel).sort()).toEqual([...names].sort());
      expect(found.cache).toBe(found.count);

      // Take add4's entry away: the run fails and names it.
      const entries = join(prepared, 'cuda');
      for (const f of readdirSync(entries).filter((f) => f.endsWith('.json') && !f.endsWith('.texts.json'))) {
        if (JSON.parse(readFileSync(join(entries, f), 'utf8')).plan?.name === 'add4') rmSync(join(entries, f));
      }
      const third = await run(['--out', dir, '--kernels', join(dir, 'k3.json')], { ...noLLVM, NUMBAT_CACHE_DIR: join(dir, 'empty2') });
      expect(third.status).toBe(1);
      expect(read(join(dir, 'k3.json')).missing).toEqual(['add4(f32[], f32[], f32[], f32[])']);
      expect(third.out).toMatch(/PTX for kernel 'add4' \(signature \(f32\[\], f32\[\], f32\[\], f32\[\]\)\) was not prepared/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
