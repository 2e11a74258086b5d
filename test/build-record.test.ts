// The build plugin's recorder (@numbat/core/build) and the runtime's `source`
// option: what is recorded (original text, TypeScript's types stripped, module
// bindings as thunks) and that the runtime compiles the record, not fn.toString().
import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { recordKernels } from '@numbat/core/build';

/** Records a module at /p/src/k.js (file names relative to /p). */
function recordOf(code: string, file = '/p/src/k.js') {
  const r = recordKernels(code, file, { root: '/p' });
  return r;
}

describe('recordKernels', () => {
  it('records a kernel, a device function and a reducer with their module bindings', () => {
    const r = recordOf(`import { cuda, reduce as red } from '@numbat/core';
const SCALE = 3;
const dev = cuda.jit((v) => v * SCALE, { device: true });
function k(a) { const i = cuda.grid(1); a[i] = dev(a[i]) + Math.sqrt(2); }
export const kern = cuda.jit(k);
const sum = red((x, y) => x + y + SCALE);
[1, 2].reduce((x, y) => x + y);
`);
    expect(r.recorded).toBe(3);
    expect(r.warnings).toEqual([]);
    expect(r.code).toContain(`cuda.jit((v) => v * SCALE, { source: { text: "(v) => v * SCALE", file: "src/k.js", line: 3, bindings: { SCALE: () => SCALE } }, device: true })`);
    expect(r.code).toContain(`cuda.jit(k, { source: { text: "function k(a) { const i = cuda.grid(1); a[i] = dev(a[i]) + Math.sqrt(2); }", file: "src/k.js", line: 4, bindings: { cuda: () => cuda, dev: () => dev } } })`);
    expect(r.code).toContain(`red((x, y) => x + y + SCALE, { source: { text: "(x, y) => x + y + SCALE", file: "src/k.js", line: 6, bindings: { SCALE: () => SCALE } } })`);
    // Array.prototype.reduce is not numbat's.
    expect(r.code).toContain('[1, 2].reduce((x, y) => x + y);');
  });

  it('strips TypeScript types from the recorded text and skips type-only names', () => {
    const r = recordOf(`import { cuda } from '@numbat/core';
import type { Shape } from './shape';
const N: number = 4;
export function k(a: Float32Array, s: Shape): void { a[0] = (N as number) + 1; }
cuda.jit(k);
`, '/p/src/k.ts');
    expect(r.recorded).toBe(1);
    expect(r.code).toContain('text: "function k(a, s) { a[0] = N + 1; }"');
    expect(r.code).toContain('bindings: { N: () => N }');
  });

  it('adds the record to an options variable without dropping it, and leaves records alone', () => {
    const r = recordOf(`const opts = { target: 'sim' }; cuda.jit((a) => { a[0] = 1; }, opts);`);
    expect(r.code).toMatch(/\{ \.\.\.o, source: \{ text: "\(a\) => \{ a\[0\] = 1; \}"/);
    expect(r.code).toMatch(/\}\)\(opts\)\);$/);
    const again = recordOf(r.code!);
    expect(again.recorded).toBe(0);
  });

  it('warns (and records nothing) for a function from another module, and for a name shadowed at the call', () => {
    const imported = recordOf(`import { k } from './k.js'; cuda.jit(k);`);
    expect(imported.recorded).toBe(0);
    expect(imported.warnings[0].message).toMatch(/not a function defined in this module/);
    const shadowed = recordOf(`const S = 2; function k(a) { a[0] = S; } { const S = 5; cuda.jit(k); }`);
    expect(shadowed.recorded).toBe(1);
    expect(shadowed.warnings[0].message).toMatch(/'S' in the function passed here names another binding/);
    expect(shadowed.code).toContain('bindings: {  }');
  });

  it('leaves modules without kernels untouched', () => {
    expect(recordOf('export const x = [1].map((v) => v + 1);').code).toBeUndefined();
  });
});

describe('the runtime compiles the record, not fn.toString()', () => {
  it('resolves the recorded names through the bindings (as after a minifier renamed them)', async () => {
    // What a minifier leaves: renamed code; the record keeps the author's names.
    const minified = new Function('return function(t){t[0]=Q*2}')() as (a: Float32Array) => void;
    const SCALE = 21;
    const k = cuda.jit(minified, { target: 'sim', source: { text: 'function k(a) { a[0] = SCALE * 2; }', file: 'src/k.js', line: 1, bindings: { SCALE: () => SCALE } } });
    const a = new Float32Array(1);
    await k.configure(1, 1)(a);
    expect(a[0]).toBe(42);
  });

  it('explicit globals win over recorded bindings; a minified text without a record names the plugin', async () => {
    const k = cuda.jit(function k(a: Float32Array) { a[0] = 0; }, { target: 'sim', globals: { S: 7 }, source: { text: 'function k(a) { a[0] = S; }', bindings: { S: () => 1 } } });
    const a = new Float32Array(1);
    await k.configure(1, 1)(a);
    expect(a[0]).toBe(7);
    const bare = cuda.jit(new Function('return function(t){let e=cuda.grid(1);t[e]=Q+e}')(), { target: 'sim' });
    await expect(bare.configure(1, 1)(a)).rejects.toThrow(/'Q' is not defined in the kernel, whose source text is minified.*@numbat\/core\/build/s);
  });

  it('refuses a malformed record with a TypeError naming the option', () => {
    expect(() => cuda.jit((a: Float32Array) => { a[0] = 1; }, { source: { text: 3 } as any })).toThrow(/option 'source'.*text/);
    expect(() => cuda.jit((a: Float32Array) => { a[0] = 1; }, { source: { text: '', bindings: { x: 1 } } as any })).toThrow(/binding 'x' is a thunk/);
  });
});
