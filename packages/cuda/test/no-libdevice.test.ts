// Without libdevice (no CUDA toolkit): f32 transcendental math is refused with a
// CompileError that names the call, its line and what to install — unless
// fastmath allows the hardware's approximate f32 instructions. Float % needs
// libdevice too. f64 Math.sin/cos/tan and the other functions of core's f64
// library (V8's bits) need no libdevice. Arithmetic-only kernels compile as usual.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function run(script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NUMBAT_LIBDEVICE: 'none' } });
}

const prelude = `import { cuda } from '@numbat/core';
const report = async (k, ...a) => { try { return 'ptx:' + (await k.inspect('ptx', ...a)); } catch (e) { return e.name + ': ' + e.message; } };`;

describe('cuda without libdevice', () => {
  it('refuses f32 Math.sin with a clear CompileError; fastmath f32 uses sin.approx; f64 sin is core\'s library', () => {
    const out = run(`${prelude}
const f = function s(x) { const i = cuda.threadIdx.x; x[i] = Math.sin(x[i]); };
console.log(JSON.stringify([
  await report(cuda.jit(f, { target: 'cuda' }), new Float32Array(1)),
  await report(cuda.jit(f, { target: 'cuda', fastmath: true }), new Float32Array(1)),
  await report(cuda.jit(f, { target: 'cuda', fastmath: true }), new Float64Array(1)),
  await report(cuda.jit(function r(x) { x[0] = x[0] % 3.5; }, { target: 'cuda' }), new Float32Array(1)),
  await report(cuda.jit(function a(x) { x[0] = x[0] * 2 + Math.sqrt(x[0]); }, { target: 'cuda' }), new Float32Array(1)),
]));`);
    const [plain, fast, fast64, rem, arith] = JSON.parse(out.trim().split('\n').pop()!) as string[];
    expect(plain).toMatch(/^CompileError: Math\.sin on f32 needs libdevice on target 'cuda': .*install the CUDA toolkit.*or compile with fastmath: true/);
    expect(plain).toMatch(/in kernel 's' at /);
    expect(fast).toMatch(/^ptx:[\s\S]*sin\.approx/);
    expect(fast64).toMatch(/^ptx:[\s\S]*\.f64/); // core's f64 library, written in IR: no libdevice call
    expect(fast64).not.toMatch(/__nv_sin/);
    expect(rem).toMatch(/^CompileError: the % operator on f32 needs libdevice/);
    expect(arith).toMatch(/^ptx:[\s\S]*sqrt\.rn\.f32/);
  });
});
