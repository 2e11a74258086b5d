// The cpu backend starts loading LLVM's libraries in the background when a
// compile without the disk cache begins (Backend.prepare); with the cache on a
// hit needs no LLVM, so nothing is loaded ahead. Fresh processes: this one may
// have LLVM loaded already.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { targetAvailability } from '@numbat/core';

const ROOT = resolve(import.meta.dirname, '../../..');
const cpuOk = (await targetAvailability('cpu')).ok;

function child(body: string) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', body], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NUMBAT_PRELOAD: '', NUMBAT_LOG: '' } });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { status: r.status, stderr: r.stderr, json: last.startsWith('{') ? JSON.parse(last) : undefined };
}

describe.skipIf(!cpuOk)('cpu: LLVM preloaded for a compile', () => {
  it('prepare({ cache: false }) starts the preload, prepare({ cache: true }) does not', () => {
    const r = child(`
      import { backend } from '@numbat/cpu';
      import { preloadPending } from '@numbat/llvm';
      backend.prepare({ cache: true });
      const withCache = preloadPending() !== undefined;
      backend.prepare({ cache: false });
      const opened = await preloadPending();
      console.log(JSON.stringify({ withCache, opened }));
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toEqual({ withCache: false, opened: [true, true] });
  });

  it("a kernel's first launch in a fresh process runs with the preload, with the same results as without it", () => {
    const body = `
      import { cuda } from '@numbat/core';
      import { compileRecords } from '@numbat/cpu';
      import { preloadPending } from '@numbat/llvm';
      function poly(x, y) { const i = cuda.grid(1); if (i < x.length) y[i] = Math.sin(x[i]) * x[i] + Math.imul(i, 7); }
      const x = Float64Array.from({ length: 1000 }, (_, i) => i / 7 - 50), y = new Float64Array(1000);
      await cuda.jit(poly, { target: 'cpu' }).configure(4, 256)(x, y);
      let h = 0; for (const v of y) h = (Math.imul(h, 31) + (v * 1e6 | 0)) | 0;
      console.log(JSON.stringify({ preloaded: preloadPending() !== undefined ? await preloadPending() : null, origin: compileRecords().at(-1).origin, y: Array.from(y.slice(0, 4)), h }));
    `;
    const on = child(body);
    const off = spawnSync(process.execPath, ['--input-type=module', '-e', body], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NUMBAT_PRELOAD: '0', NUMBAT_LOG: '' } });
    expect(on.status, on.stderr).toBe(0);
    expect(off.status, off.stderr).toBe(0);
    const offJson = JSON.parse(off.stdout.trim().split('\n').at(-1)!);
    expect(on.json.preloaded).toEqual([true, true]);
    expect(offJson.preloaded).toEqual([]);
    expect(on.json.origin).toBe('compiled');
    const want = Array.from({ length: 4 }, (_, i) => Math.sin(i / 7 - 50) * (i / 7 - 50) + i * 7);
    expect(on.json.y).toEqual(want);
    expect(on.json.h).toBe(offJson.h);
  });
});
