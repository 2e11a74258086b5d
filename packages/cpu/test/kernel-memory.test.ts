// Memory of compiled cpu kernels (issue 12 item 14): compiling and dropping
// many distinct kernels reaches a plateau. Runs in a child process (probes/),
// which measures native memory in use after a warm-up (see the probe).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('cpu kernel memory', () => {
  it('compiling and dropping distinct kernels keeps no per-kernel native memory', () => {
    const file = fileURLToPath(new URL('./probes/compile-memory.mjs', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', file], { encoding: 'utf8', timeout: 280_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}');
    expect(out.compiled).toBe(180);
    expect(out.codegenModules).toBe(1); // every compile builds in the one module, emptied afterwards
    expect(out.liveJit).toBe(0); // dropped kernels' code has left the JIT
    // Before: a module, a builder and the declarations of each compile stayed (~10 KB a kernel
    // of this size); now a few hundred bytes (constants the context uniques), plus noise.
    expect(out.nativeBytesPerKernel).toBeLessThan(4096);
  }, 300_000);
});
