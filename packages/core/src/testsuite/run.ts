// The conformance runner: each corpus case on one target, compared with the
// simulator run with the same default float (the simulator itself is compared
// with each case's plain-JS reference). No test framework here: it returns a
// result per case for any test runner to assert on (test/conformance.test.ts
// and packages/<b>/test/conformance.test.ts wrap it for vitest).

// By the package's name, as the corpus and the backends import core: one copy of core in the process.
import { cuda, loadBackend, NdArray, random, type Target } from '@numbat/core';
import { cloneArgs, mismatches, stateMismatches } from './compare.js';
import type { Arrays, CorpusCase } from './corpus/types.js';
import { CORPUS } from './corpus/index.js';

export interface CaseResult {
  name: string;
  /**
   * 'pass': outputs match. 'refused': the target lacks what the case needs and
   * said so as the contract asks (f64 data without caps.f64: a rejection naming
   * f64; 8/16-bit arrays: a CompileError naming them). 'fail': see `problems`.
   */
  status: 'pass' | 'refused' | 'fail';
  /** For 'fail': each mismatching output (first elements that differ), or what went wrong. */
  problems: string[];
  /** For 'fail': the error the launch rejected with, when it did. */
  error?: Error;
}

/** One launch of a case; returns its arguments after the kernel ran. */
async function launch(c: CorpusCase, target: Target, float?: 'f32' | 'f64'): Promise<Arrays> {
  const args = c.args();
  const k = cuda.jit(c.kernel, { ...c.options, target, ...(float ? { float } : {}) });
  await k.configure(c.grid as any, c.block as any, { sharedMem: c.sharedMem })(...args);
  return args;
}

/** Output arguments of `got` that differ from `want` (f32 tolerances when the default float is f32). */
export function caseMismatches(c: CorpusCase, got: Arrays, want: Arrays, f32Default: boolean): string[] {
  const problems: string[] = [];
  for (const o of c.outputs) {
    // A cuda.ndarray argument is compared by its data.
    const data = (a: unknown) => (a instanceof NdArray ? a.data : a) as ArrayLike<number | bigint>;
    const g = data(got[o]), w = data(want[o]);
    const isFloat = g instanceof Float32Array || g instanceof Float64Array;
    const bad = c.randomStates?.includes(o)
      ? stateMismatches(g as ArrayLike<number>, w as ArrayLike<number>, random.STATE_WORDS, c)
      : mismatches(g, w, isFloat, g instanceof Float32Array || f32Default, c);
    if (bad.length > 0) problems.push(`output argument ${o + 1}: ${bad.join('; ')}`);
  }
  return problems;
}

const failed = (c: CorpusCase, e: unknown): CaseResult =>
  ({ name: c.name, status: 'fail', problems: [`rejected: ${(e as Error)?.message ?? String(e)}`], error: e as Error });

/** Runs one case on `target` ('sim': against the case's plain-JS reference). Never throws. */
export async function runCase(c: CorpusCase, target: Target): Promise<CaseResult> {
  try {
    if (target === 'sim') {
      const got = await launch(c, 'sim');
      const want = cloneArgs(c.args());
      c.reference(want);
      return result(c, caseMismatches(c, got, want, false));
    }
    const backend = await loadBackend(target);
    if (c.needsF64 && !backend.caps.f64) {
      // Without f64 the case must be refused with an error that says so (never demoted to f32).
      const e = await launch(c, target).then(() => undefined, (x: Error) => x);
      if (e && /f64|Float64Array/.test(e.message)) return { name: c.name, status: 'refused', problems: [] };
      return { name: c.name, status: 'fail', problems: [e ? `refused without naming f64: ${e.message}` : 'ran f64 data on a target without caps.f64'], error: e };
    }
    const refusal = c.refusedOn?.[target];
    if (refusal) {
      // The target cannot do what the case needs: it must say so at compile time.
      const e = await launch(c, target).then(() => undefined, (x: Error) => x);
      if (e?.name === 'CompileError' && refusal.test(e.message)) return { name: c.name, status: 'refused', problems: [] };
      return { name: c.name, status: 'fail', problems: [e ? `refused, but not as expected (${refusal}): ${e.message}` : `ran, but target '${target}' must refuse it (${refusal})`], error: e };
    }
    if (c.needsI64 && !backend.caps.i64) {
      // Without 64-bit integers the case must be refused with a CompileError naming them.
      const e = await launch(c, target).then(() => undefined, (x: Error) => x);
      if (e && e.name === 'CompileError' && /i64|u64|BigInt/.test(e.message)) return { name: c.name, status: 'refused', problems: [] };
      return { name: c.name, status: 'fail', problems: [e ? `refused without a CompileError naming i64: ${e.message}` : 'ran i64 data on a target without caps.i64'], error: e };
    }
    const float = backend.caps.f64 ? undefined : 'f32';
    let got: Arrays;
    try {
      got = await launch(c, target);
    } catch (e) {
      // 8/16-bit arrays may be refused by targets without them, but only with a CompileError naming them.
      if (c.narrowInts && (e as Error).name === 'CompileError' && /8|16/.test((e as Error).message)) return { name: c.name, status: 'refused', problems: [] };
      return failed(c, e);
    }
    const want = await launch(c, 'sim', float);
    return result(c, caseMismatches(c, got, want, !backend.caps.f64));
  } catch (e) {
    return failed(c, e);
  }
}

function result(c: CorpusCase, problems: string[]): CaseResult {
  return { name: c.name, status: problems.length === 0 ? 'pass' : 'fail', problems };
}

/** Runs every case (or those given) on `target`, one after another. */
export async function runConformance(target: Target, cases: readonly CorpusCase[] = CORPUS): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(c, target));
  return results;
}

/** Throws (for any test framework) unless the case passed or was refused as the contract allows. */
export function assertCase(r: CaseResult): void {
  if (r.status !== 'fail') return;
  throw new Error(`${r.name}: ${r.problems.join('\n')}`, r.error ? { cause: r.error } : undefined);
}
