// A kernel defined in another module than the cuda.jit call: its IR lines count
// from its own first line wherever it is jitted from (they once took the call
// site's line, so the disk-cache key changed with the calling script).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { scaleElsewhere } from './fixtures/kernel-elsewhere.js';

const irOf = (k: ReturnType<typeof cuda.jit>) => k.inspect('ir', new Float64Array(4), 4);

describe('kernel defined in another module', () => {
  it('has the same IR (and lines) from two call sites', async () => {
    const a = cuda.jit(scaleElsewhere, { target: 'sim' });


    const b = cuda.jit(scaleElsewhere, { target: 'sim' });
    const ia = await irOf(a), ib = await irOf(b);
    expect(ia).toBe(ib);
    expect(ia).toMatch(/; line 3\b/); // `if (i < n)` is the function's third line
  });

  it('is not taken for a look-alike function of the calling file', async () => {
    // Same shape, other name and lines: token alignment once settled on it, so the
    // kernel got this file's lines (a wrong line in errors, a cache key tied to this file).
    const k = cuda.jit(scaleElsewhere, { target: 'sim' });
    const ir = await irOf(k);
    expect(ir).toMatch(/; line 3\b/);
    expect(ir).not.toMatch(/; line (2[0-9]|3[0-9])\b/);
  });

  it("numbat's own library functions are looked for in no user's file", () => {
    // Defined in core: the first stack frame outside core at their definition is whichever module
    // imported core. That module's text was searched for each library function (tokenised and
    // aligned), and one holding the same text took the library's lines as its own.
    const dir = mkdtempSync(join(tmpdir(), 'numbat-lib-site-'));
    const script = join(dir, 'imports-core.mjs');
    writeFileSync(script, `${random.uniformF32.fn.toString()}\n` +
      `const { random } = await import(${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@numbat/core')).href)});\n` +
      'console.log(JSON.stringify(random.uniformF32.parse().source.file ?? null));\n');
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    rmSync(dir, { recursive: true });
    expect(JSON.parse(out.trim())).toBeNull();
    // A device function of the user's own: its file.
    const mine = cuda.jit(function twice(x: number) { return 2 * x; }, { device: true });
    expect(mine.parse().source.file).toMatch(/source-lines-elsewhere\.test\.ts$/);
  });
});

// A look-alike of scaleElsewhere (never jitted).
export function scaleHere(a: Float64Array, n: number) {
  const i = cuda.grid(1);
  if (i < n) a[i] = a[i] * 3;
}
