// The PTX of every conformance-corpus kernel must pass NVIDIA's assembler for
// a current GPU (sm_90). No GPU needed: this runs in CI and proves the PTX is
// valid, including the sm_86-capped PTX being accepted for newer targets.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { findPtxas } from './helpers.js';

const ptxas = findPtxas();
const dir = mkdtempSync(join(tmpdir(), 'numbat-ptxas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function assemble(ptx: string, name: string, arch = 'sm_90'): void {
  const file = join(dir, `${name}.ptx`);
  writeFileSync(file, ptx);
  try {
    execFileSync(ptxas!, [`-arch=${arch}`, file, '-o', join(dir, `${name}.${arch}.cubin`)], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`ptxas -arch=${arch} rejected the PTX of ${name}:\n${err.stderr?.toString() ?? err.message}\n--- PTX ---\n${ptx}`);
  }
}

describe.skipIf(!ptxas)(`ptxas accepts the PTX of every corpus kernel${ptxas ? '' : ' (skipped: ptxas not found; install the CUDA toolkit or set PTXAS)'}`, () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      const k = cuda.jit(c.kernel, { ...c.options, target: 'cuda' });
      const ptx = await k.inspect('ptx', ...c.args());
      expect(ptx).toMatch(/\.visible \.entry numbat_/);
      expect(ptx).toMatch(/\.target sm_\d+/);
      assemble(ptx, c.name);
    });
  }

  it('fastmath and boundscheck-off variants of the math kernels assemble too', async () => {
    for (const c of CORPUS.filter((x) => /math|trig|transcend/i.test(x.name))) {
      for (const extra of [{ fastmath: true }, { boundscheck: false }]) {
        const k = cuda.jit(c.kernel, { ...c.options, ...extra, target: 'cuda' });
        assemble(await k.inspect('ptx', ...c.args()), `${c.name}-${Object.keys(extra)[0]}`);
      }
    }
  });
});
