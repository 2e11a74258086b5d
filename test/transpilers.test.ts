// Transpilers rename imports. vitest (this file, and the whole corpus) writes
// `__vi_import_0__.cuda.grid(1)`; tsc's CommonJS output writes `(0, core_1.cuda)`
// and `core_1.f32`; esbuild/tsx keep `cuda`. Each form compiles and runs.

import { describe, expect, it } from 'vitest';
import * as core from '@numbat/core';
import ts from 'typescript';
import { transformSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const SOURCE = `
import { cuda, f32 } from '@numbat/core';
export const kernel = cuda.jit(function blockSums(x: Float32Array, out: Float32Array) {
  const s = cuda.shared.array(64, f32);
  const t = cuda.threadIdx.x;
  s[t] = x[cuda.grid(1)];
  cuda.syncthreads();
  if (t === 0) {
    let acc = 0;
    for (let k = 0; k < 64; k++) acc += s[k];
    out[cuda.blockIdx.x] = acc;
  }
}, { target: 'sim' });
`;

async function check(kernel: core.Kernel) {
  const x = new Float32Array(128).map((_, i) => i);
  const out = new Float32Array(2);
  await kernel.configure(2, 64)(x, out);
  expect(Array.from(out)).toEqual([2016, 6112]);
}

describe('transpiler output compiles', () => {
  it('vitest/vite SSR form (__vi_import_N__.cuda)', async () => {
    const k = core.cuda.jit(function viForm(x: Float32Array, out: Float32Array) {
      const s = core.cuda.shared.array(64, core.f32);
      const t = core.cuda.threadIdx.x;
      s[t] = x[core.cuda.grid(1)];
      core.cuda.syncthreads();
      if (t === 0) { let acc = 0; for (let k = 0; k < 64; k++) acc += s[k]; out[core.cuda.blockIdx.x] = acc; }
    }, { target: 'sim' });
    expect(k.fn.toString()).toMatch(/__vi_import_\d+__|__vite_ssr_import_\d+__/);
    await check(k);
  });

  it('an error through the vitest transform points at the TypeScript line and column, with its text', async () => {
    interface Opts { scale: number }
    const k = core.cuda.jit(function tsTyped(a: Float32Array, b: Float32Array, n: number) {
      const i: number = core.cuda.grid(1);
      const s = core.cuda.shared.array(32, core.f32);
      if (i < n) {
        const o: Opts = { scale: 2 } as Opts; // objects are refused
        b[i] = a[i] * o.scale + s[0];
      }
    }, { target: 'sim' });
    const e = await k.configure(1, 1)(new Float32Array(1), new Float32Array(1), 1).catch((x) => x);
    expect(e).toBeInstanceOf(core.CompileError);
    const lines = (await import('node:fs')).readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    const want = lines.findIndex((l) => l.includes('{ scale: 2 } as Opts')) + 1;
    expect(e.line).toBe(want);
    expect(e.column).toBe(lines[want - 1].indexOf('{ scale') + 1);
    expect(e.frame).toContain('const o: Opts = { scale: 2 } as Opts;');
    expect(e.frame).toContain('core.cuda.shared.array(32, core.f32)'); // the file's text, not the transpiled one
  });

  it("tsc CommonJS form ((0, core_1.cuda) and core_1.f32)", async () => {
    const out = ts.transpileModule(SOURCE, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    expect(out).toMatch(/core_1\.cuda/);
    const exports: Record<string, unknown> = {};
    new Function('exports', 'require', out)(exports, () => core);
    const k = exports.kernel as core.Kernel;
    expect(k.fn.toString()).toMatch(/core_1\.(cuda|f32)/);
    await check(k);
  });

  it('tsc CommonJS: device functions imported from another module (utils_1.clamp) and random (core_1.random)', async () => {
    const src = `
import { cuda, random } from '@numbat/core';
import { clamp } from './utils';
export const kernel = cuda.jit(function clamped(states: Uint32Array, out: Float32Array) {
  const i = cuda.grid(1);
  out[i] = clamp(random.uniformF32(states, i) * 4, 1, 2);
}, { target: 'sim', globals: { clamp } });
`;
    const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    expect(out).toMatch(/utils_1\.clamp/);
    expect(out).toMatch(/core_1\.random/);
    const clamp = core.cuda.jit((x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi), { device: true });
    const exports: Record<string, unknown> = {};
    new Function('exports', 'require', out)(exports, (m: string) => (m === './utils' ? { clamp } : core));
    const res = new Float32Array(64);
    await (exports.kernel as core.Kernel).configure(1, 64)(core.random.createStates(64, 1), res);
    expect(res.every((v) => v >= 1 && v <= 2)).toBe(true);
    expect(new Set(res).size).toBeGreaterThan(3);
  });

  it('esbuild form (imports kept as cuda), run by plain node', () => {
    // A child process, so vitest's own transform does not rewrite the module.
    const js = transformSync(SOURCE, { loader: 'ts', format: 'esm' }).code + `
const x = new Float32Array(128).map((_, i) => i), out = new Float32Array(2);
await kernel.configure(2, 64)(x, out);
console.log(JSON.stringify({ src: kernel.fn.toString(), out: Array.from(out) }));
`;
    const dir = join(import.meta.dirname, '.tmp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'esbuild-kernel.mjs');
    writeFileSync(file, js);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const res = JSON.parse(r.stdout);
    expect(res.src).toMatch(/cuda\.shared\.array\(64, f32\)/);
    expect(res.out).toEqual([2016, 6112]);
  });
});
