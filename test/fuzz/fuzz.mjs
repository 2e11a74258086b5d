// The fuzzing loop shared by the command line (cli.mjs) and the CI test (test/fuzz.test.ts):
// generate, check on every target, count, reduce the failures and print them as tests.

import { generate, kernelSource, deviceSources, makeArgs, launchOf, PARAMS } from './gen.mjs';
import { check, runJS, FAILURES } from './run.mjs';
import { reduce } from './reduce.mjs';

/** Families whose bugs (issue 11 and the ones this fuzzer found) are still open: off unless asked. */
export const KNOWN_OPEN = [];

const failureKey = (r) => Object.entries(r)
  .filter(([, v]) => FAILURES.has(v.status))
  .map(([t, v]) => `${t}:${v.status}:${v.status === 'mismatch' ? mismatchedArrays(v.message) : v.message.split(' |')[0].replace(/ at \S+/g, '')}`)
  .join(',');

// The output arrays a mismatch message names (a reduction keeps the same ones wrong).
const mismatchedArrays = (m) => [...new Set([...m.matchAll(/(\w+)\[\d+\]: got/g)].map((x) => x[1]))].join('+');

/** A compile and launch slower than this (ms) is reported as slow: the compile blew up (issue 11, seed 553064 took 72 s on cpu). */
export const SLOW_MS = 10000;

/**
 * Runs `count` kernels (or until `seconds` pass) from `seed` on; returns the summary.
 * onFailure receives { seed, results, reduced, test } for each failing kernel; onSlow
 * { seed, target, ms, source } for each target whose compile and launch took over slowMs
 * (counted in summary.perTarget[target].slow and listed in summary.slow; not reduced).
 */
export async function fuzz({ seed = 1, count = Infinity, seconds = Infinity, targets = ['sim', 'cpu', 'webgpu'], exclude = [], kinds = null, reduceFailures = true, maxReduceTries = 300, slowMs = SLOW_MS, onFailure = () => {}, onSlow = () => {}, onProgress = () => {} } = {}) {
  const t0 = Date.now();
  const summary = { kernels: 0, jsChecked: 0, perTarget: {}, skipReasons: {}, coverage: {}, failures: [], slow: [] };
  const bump = (t, k) => { const o = (summary.perTarget[t] ??= {}); o[k] = (o[k] ?? 0) + 1; };
  for (let s = seed; s < seed + count && (Date.now() - t0) / 1000 < seconds; s++) {
    const p = generate(s, { exclude, kinds });
    const results = await check(p, targets);
    summary.kernels++;
    for (const c of p.coverage) summary.coverage[c] = (summary.coverage[c] ?? 0) + 1;
    for (const [t, r] of Object.entries(results)) {
      bump(t === 'js' ? 'plain JS' : t, r.status);
      if (r.status === 'skipped') ((summary.skipReasons[t] ??= {})[r.message] = true);
      if (t === 'js') summary.jsChecked++;
      if (r.ms > slowMs) {
        bump(t, 'slow');
        const slow = { seed: s, target: t, ms: r.ms, source: programText(p) };
        summary.slow.push(slow);
        onSlow(slow);
      }
    }
    const key = failureKey(results);
    if (key) {
      let reduced = p;
      if (reduceFailures) {
        const failing = Object.keys(results).filter((t) => FAILURES.has(results[t].status));
        const tgts = [...new Set(['sim', ...failing.filter((t) => t !== 'js')])];
        const k0 = failureKey(await check(p, tgts));
        if (k0) reduced = await reduce(p, async (c) => failureKey(await check(c, tgts)) === k0, { maxTries: maxReduceTries });
      }
      const f = { seed: s, exclude, results, key, program: reduced, source: programText(reduced), test: asTest(reduced, results) };
      summary.failures.push(f);
      onFailure(f);
    }
    onProgress(summary);
  }
  summary.seconds = (Date.now() - t0) / 1000;
  return summary;
}

export function programText(p) {
  return [...deviceSources(p).map((d) => d.src), kernelSource(p)].join('\n');
}

const arrayLiteral = (a) => (Array.prototype.every.call(a, (v) => Object.is(v, 0))
  ? `new ${a.constructor.name}(${a.length})`
  : `new ${a.constructor.name}([${Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(', ')}])`);

/** A ready-to-paste vitest case for a failing program (reduced). */
export function asTest(p, results) {
  const devs = deviceSources(p);
  const args = makeArgs(p, !p.f64);
  const { grid, block } = launchOf(p);
  const failing = Object.entries(results).filter(([, r]) => FAILURES.has(r.status));
  const targets = [...new Set(failing.map(([t]) => (t === 'js' ? 'sim' : t)))];
  const lines = [];
  lines.push(`// fuzz seed ${p.seed}: ${failing.map(([t, r]) => `${t} ${r.status}: ${r.message}`).join('; ')}`);
  for (const d of devs) lines.push(`const ${d.name} = cuda.jit(${d.src}, { device: true, globals: { ${devs.slice(0, devs.indexOf(d)).map((x) => x.name).join(', ')} } });`);
  lines.push(`const kern = ${kernelSource(p).replace(/\n/g, '\n  ')};`);
  lines.push(`const args = () => [${args.map((a) => (ArrayBuffer.isView(a) ? arrayLiteral(a) : String(a))).join(', ')}]; // ${PARAMS.join(', ')}`);
  lines.push(`const run = async (target: Target, float?: 'f32') => { const a = args(); await cuda.jit(kern, { target, globals: { ${devs.map((d) => d.name).join(', ')} }, ...(float ? { float } : {}) }).configure(${JSON.stringify(grid)}, ${JSON.stringify(block)})(...a); return a.slice(3, 9); };`);
  if (results.js && results.js.status === 'mismatch') {
    const want = runJS(p).slice(3, 9);
    lines.push(`it('fuzz seed ${p.seed}: sim matches plain JS', async () => {`);
    lines.push(`  expect(await run('sim')).toEqual([${want.map(arrayLiteral).join(', ')}]); // the kernel run as plain JS`);
    lines.push('});');
  }
  for (const t of targets) {
    if (t === 'sim' && !(results.sim && FAILURES.has(results.sim.status))) continue;
    lines.push(`it('fuzz seed ${p.seed}: ${t} ${t === 'sim' ? 'compiles and runs' : 'matches sim'}', async () => {`);
    lines.push(t === 'sim' ? `  await run('sim');` : `  expect(await run('${t}')).toEqual(await run('sim'${p.f64 || t !== 'webgpu' ? '' : ", 'f32'"}));`);
    lines.push('});');
  }
  return lines.join('\n');
}
