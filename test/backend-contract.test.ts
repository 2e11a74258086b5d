// The open backend contract: targets are registered names with an 'auto'
// priority (no closed list in core), capabilities come from `Backend.caps`, and
// every target words its run-time errors through core's one formatter.

import { describe, expect, it } from 'vitest';
import {
  CompileError, cuda, launchErrors, LaunchError, registerBackend, registeredTargets, resolveTarget, simBackend,
  targetAvailability, targetOptions, type Backend,
} from '@numbat/core';
import { assertCase, CORPUS, runCase, runConformance, type CorpusCase } from '@numbat/core/testsuite';

delete process.env.NUMBAT_TARGET; // this file tests the 'auto' choice itself

/** The simulator under another name, with chosen capabilities and hardware flag. */
function fakeBackend(target: string, f64: boolean, hardware: boolean): Backend {
  return { ...simBackend, target, caps: { f64 }, available: async () => ({ ok: true, device: `fake ${target}`, hardware }) };
}

const twice = function double(a: Float32Array) {
  const i = cuda.grid(1);
  if (i < a.length) a[i] = a[i] * 2;
};

describe('target registry', () => {
  it('registers the built-in targets in order, with the auto priorities cuda > hardware webgpu > cpu > sim', () => {
    expect(registeredTargets()).toEqual(['sim', 'cpu', 'webgpu', 'cuda']);
    const p = (t: string) => targetOptions(t)!.priority!;
    expect(p('cuda')).toBeGreaterThan(p('webgpu'));
    expect(p('webgpu')).toBeGreaterThan(p('cpu'));
    expect(p('cpu')).toBeGreaterThan(p('sim'));
    expect(targetOptions('webgpu')!.hardwareOnly).toBe(true);
    expect(targetOptions('cuda')!.hardwareOnly).toBeFalsy();
    expect(targetOptions('nonesuch')).toBeUndefined();
  });

  it('refuses a name that is not a target name', () => {
    expect(() => registerBackend('auto', async () => simBackend)).toThrow(/'auto' is not a target name/);
    expect(() => registerBackend('Bad Name', async () => simBackend)).toThrow(TypeError);
  });

  it('a registered target is accepted by jit and resolveTarget, and runs kernels', async () => {
    expect(() => cuda.jit(twice, { target: 'mine' })).toThrow(/option 'target' of 'double' must be one of 'auto', 'sim', 'cpu', 'webgpu', 'cuda'/);
    await expect(resolveTarget('mine')).rejects.toThrow(/unknown target 'mine' \(expected one of sim, cpu, webgpu, cuda, or 'auto'/);
    registerBackend('mine', async () => fakeBackend('mine', true, false));
    expect(registeredTargets()).toContain('mine');
    expect(await resolveTarget('mine')).toBe('mine');
    expect((await targetAvailability('mine')).device).toBe('fake mine');
    const a = new Float32Array([1, 2, 3]);
    const k = cuda.jit(twice, { target: 'mine' });
    await k.configure(1, 4)(a);
    expect(Array.from(a)).toEqual([2, 4, 6]);
    expect(await k.target()).toBe('mine');
  });

  it('caps.f64 false: core refuses f64 data with a CompileError naming the target', async () => {
    registerBackend('nof64', async () => fakeBackend('nof64', false, false));
    const k = cuda.jit(function copy(a: Float64Array, b: Float64Array) { b[0] = a[0]; }, { target: 'nof64' });
    const e = await k.configure(1, 1)(new Float64Array(1), new Float64Array(1)).catch((x) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect(e.message).toMatch(/argument 1 of kernel 'copy' is a Float64Array, but target 'nof64' has no f64/);
    const f = cuda.jit(twice, { target: 'nof64', float: 'f64' });
    await expect(f.configure(1, 1)(new Float32Array(1))).rejects.toThrow(/asks for float: 'f64', but target 'nof64' has no f64/);
  });

  it('prepare (optional) is called before each compile with the cache option, before the backend compiles; what it throws is ignored', async () => {
    const calls: string[] = [];
    const sim = fakeBackend('prep', true, false);
    registerBackend('prep', async () => ({
      ...sim,
      prepare(opts) { calls.push(`prepare cache=${opts.cache}`); throw new Error('prepare failed'); },
      compile(ir, opts) { calls.push(`compile ${ir.name}`); return sim.compile(ir, opts); },
    }));
    const a = new Float32Array([1, 2]);
    const k = cuda.jit(twice, { target: 'prep' });
    await k.configure(1, 4)(a);
    await k.configure(1, 4)(a); // the same specialisation: no compile, no prepare
    await cuda.jit(twice, { target: 'prep', cache: true }).configure(1, 4)(a);
    expect(Array.from(a)).toEqual([8, 16]);
    expect(calls).toEqual(['prepare cache=false', 'compile double', 'prepare cache=true', 'compile double']);
  });

  it("'auto' takes the available target of highest priority; a hardware-only one needs hardware", async () => {
    registerBackend('soft', async () => fakeBackend('soft', true, false), { priority: 1000, hardwareOnly: true });
    registerBackend('second', async () => fakeBackend('second', true, false), { priority: 500 });
    expect(await resolveTarget('auto')).toBe('second');
    // Registering again replaces the loader, keeps the options, and expires the cached choice.
    registerBackend('soft', async () => fakeBackend('soft', true, true));
    expect(targetOptions('soft')).toEqual({ priority: 1000, hardwareOnly: true });
    expect(await resolveTarget('auto')).toBe('soft');
  });
});

describe('one wording of run-time errors', () => {
  it('formats an out-of-bounds access and a barrier exit', () => {
    const oob = launchErrors.outOfBounds('k', { array: 'a', index: 8, length: 8, line: 3, thread: [7, 0, 0], block: [1, 0, 0] });
    expect(oob).toBeInstanceOf(LaunchError);
    expect(oob.message).toBe("kernel 'k': index 8 out of bounds for array 'a' of length 8 (line 3), thread (7, 0, 0) of block (1, 0, 0)");
    expect(oob.detail).toEqual({ array: 'a', index: 8, length: 8, line: 3, thread: [7, 0, 0], block: [1, 0, 0] });
    const exit = launchErrors.barrierExit('k', { block: [0, 0, 0], exited: [16, 0, 0], waiting: [0, 0, 0] });
    expect(exit.message).toMatch(/^kernel 'k': in block \(0, 0, 0\), thread \(16, 0, 0\) exited while thread \(0, 0, 0\) waits at cuda\.syncthreads\(\) \(line \?\)\. On a GPU/);
  });

  for (const target of registeredTargets()) {
    it(`${target} reports an out-of-bounds store in the shared wording`, async (ctx) => {
      const a = await targetAvailability(target);
      if (!a.ok) ctx.skip();
      const k = cuda.jit(function oob(x: Int32Array) {
        const i = cuda.grid(1);
        x[i + 1] = i;
      }, { target });
      const e = await k.configure(2, 4)(new Int32Array(8)).catch((x) => x);
      expect(e).toBeInstanceOf(LaunchError);
      const want = launchErrors.outOfBounds('oob', { array: 'x', index: 8, length: 8, line: e.detail.line, thread: [3, 0, 0], block: [1, 0, 0] });
      expect(e.message).toBe(want.message);
      expect(e.detail.line).toBeGreaterThan(0);
    });
  }
});

describe('the exported conformance runner', () => {
  const saxpy = CORPUS.find((c) => c.name === 'saxpy')!;
  const f64Case = CORPUS.find((c) => c.needsF64)!;

  it('passes a target that computes what the simulator does', async () => {
    registerBackend('twin', async () => fakeBackend('twin', true, false));
    const results = await runConformance('twin', [saxpy, f64Case]);
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(() => results.forEach(assertCase)).not.toThrow();
  });

  it('fails a target whose results differ from the simulator, naming the output', async () => {
    registerBackend('lazy', async () => ({ ...fakeBackend('lazy', true, false), launch: async () => {} }));
    const r = await runCase(saxpy, 'lazy');
    expect(r.status).toBe('fail');
    expect(r.problems[0]).toMatch(/^output argument 4: \[0\] got 0, want 1; \[1\] got 0, want 1\.25/);
    expect(() => assertCase(r)).toThrow(/saxpy: output argument 4/);
  });

  it("accepts a refusal of f64 data on a target without caps.f64, and reports a launch's error", async () => {
    registerBackend('narrow', async () => fakeBackend('narrow', false, false));
    expect((await runCase(f64Case, 'narrow')).status).toBe('refused');
    expect((await runCase(saxpy, 'narrow')).status).toBe('pass');
    const broken: CorpusCase = { ...saxpy, name: 'broken', grid: 1, block: 2000 };
    const r = await runCase(broken, 'narrow');
    expect(r.status).toBe('fail');
    expect(r.error).toBeInstanceOf(LaunchError);
    expect(r.problems[0]).toMatch(/^rejected: .*block dimension x is 2000, above the limit/);
  });

  it('compares the simulator with the plain-JS reference', async () => {
    const wrong: CorpusCase = { ...saxpy, name: 'wrong', reference: ([, , , out]: any) => { out.fill(-1); } };
    const r = await runCase(wrong, 'sim');
    expect(r.status).toBe('fail');
    expect(r.problems[0]).toMatch(/^output argument 4: \[0\] got 1, want -1/);
  });
});
