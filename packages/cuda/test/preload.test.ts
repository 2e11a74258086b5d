// The cuda backend starts loading LLVM's libraries in the background when a
// kernel is about to be compiled (Backend.prepare), but not where LLVM is
// forbidden (NUMBAT_CUDA_NO_LLVM) or where the disk cache or prepared PTX may
// serve the kernel (cache: true, compile-only mode, NUMBAT_CUDA_PTX_DIR): a hit
// needs no LLVM. An ahead-of-time run (NUMBAT_CUDA_AOT_OUT) compiles every
// kernel, so it preloads. Fresh processes: this one may have LLVM loaded already.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIBLLVM_PATH } from '@numbat/llvm';

const ROOT = resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'numbat-cuda-preload-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CUDA_ENV = ['NUMBAT_CUDA_NO_LLVM', 'NUMBAT_CUDA_COMPILE_ONLY', 'NUMBAT_CUDA_PTX_DIR', 'NUMBAT_CUDA_AOT_OUT'];
function child(body: string, env: Record<string, string>) {
  const base = { ...process.env, NUMBAT_PRELOAD: '', NUMBAT_LOG: '', NUMBAT_CACHE_DIR: join(tmp, 'cache') };
  for (const k of CUDA_ENV) delete base[k];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', body], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...base, ...env } });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { status: r.status, stderr: r.stderr, json: last.startsWith('{') ? JSON.parse(last) : undefined };
}

// prepare({ cache }) in a fresh process: whether it started the preload, and what the preload opened.
const PREPARE = (cache: boolean) => `
  import { backend } from '@numbat/cuda';
  import { preloadPending } from '@numbat/llvm';
  backend.prepare({ cache: ${cache} });
  const p = preloadPending();
  console.log(JSON.stringify({ started: p !== undefined, opened: p ? await p : null }));
`;

describe.skipIf(process.platform !== 'linux' || !existsSync(LIBLLVM_PATH))('cuda: LLVM preloaded for a compile', () => {
  it.each([
    ['nothing set, cache off', false, true, {}],
    ['cache: true', true, false, {}],
    ['NUMBAT_CUDA_NO_LLVM=1', false, false, { NUMBAT_CUDA_NO_LLVM: '1' }],
    ['compile-only mode (caches every kernel)', false, false, { NUMBAT_CUDA_COMPILE_ONLY: '1' }],
    ['a prepared PTX directory', false, false, { NUMBAT_CUDA_PTX_DIR: join(tmp, 'prepared') }],
    ['an ahead-of-time run, cache on', true, true, { NUMBAT_CUDA_AOT_OUT: join(tmp, 'aot-a') }],
    ['an ahead-of-time run with LLVM forbidden', false, false, { NUMBAT_CUDA_AOT_OUT: join(tmp, 'aot-b'), NUMBAT_CUDA_NO_LLVM: '1' }],
  ])('%s (cache: %s): preload started = %s', (_, cache, started, env: Record<string, string>) => {
    const r = child(PREPARE(cache), env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.started).toBe(started);
    if (started) expect(r.json.opened).toEqual([true, true]);
  });

  it('an ahead-of-time compile with the preload makes the same PTX as without it', () => {
    const body = `
      import { cuda } from '@numbat/core';
      import { compileRecords } from '@numbat/cuda';
      import { preloadPending } from '@numbat/llvm';
      function poly(x, y) { const i = cuda.grid(1); if (i < x.length) y[i] = Math.sin(x[i]) * x[i] + Math.imul(i, 7); }
      const k = cuda.jit(poly, { target: 'cuda' });
      const x = new Float64Array(64), y = new Float64Array(64);
      await k.configure(1, 64)(x, y);
      const ptx = await k.inspect('ptx', x, y);
      console.log(JSON.stringify({ preloaded: preloadPending() !== undefined ? await preloadPending() : null, origin: compileRecords().at(-1).origin, ptx }));
    `;
    // Compile-only mode runs a GPU program without a GPU; the AOT directory makes every kernel compile.
    const on = child(body, { NUMBAT_CUDA_COMPILE_ONLY: '1', NUMBAT_CUDA_AOT_OUT: join(tmp, 'aot-on') });
    const off = child(body, { NUMBAT_CUDA_COMPILE_ONLY: '1', NUMBAT_CUDA_AOT_OUT: join(tmp, 'aot-off'), NUMBAT_PRELOAD: '0' });
    expect(on.status, on.stderr).toBe(0);
    expect(off.status, off.stderr).toBe(0);
    expect(on.json.preloaded).toEqual([true, true]);
    expect(off.json.preloaded).toEqual([]);
    expect(on.json.origin).toBe('compiled');
    expect(off.json.origin).toBe('compiled');
    expect(on.json.ptx).toMatch(/\.entry /);
    expect(on.json.ptx).toBe(off.json.ptx);
  });
});
