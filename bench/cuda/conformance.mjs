// The conformance corpus on 'cuda' against the simulator, as a plain script
// (the GPU machine has no vitest and no TypeScript; the corpus is plain ESM in
// @numbat/core/testsuite). Prints one line per case and writes JSON.
//   node bench/cuda/conformance.mjs [out.json]
import { writeFileSync } from 'node:fs';
import { cuda, targetAvailability } from '@numbat/core';
import { CORPUS, mismatches } from '@numbat/core/testsuite';
import { compileRecords } from '@numbat/cuda';

/** The jit options of a case on cuda (prepare.mjs compiles with exactly these: they are part of the cache key). */
export function caseOptions(c, target) {
  return { ...c.options, target, ...(target === 'cuda' ? { cache: true } : {}) };
}

async function run(c, target) {
  const args = c.args();
  const k = cuda.jit(c.kernel, caseOptions(c, target));
  await k.configure(c.grid, c.block, { sharedMem: c.sharedMem })(...args);
  return args;
}

if (process.argv[1] && import.meta.url.endsWith(`/${process.argv[1].split('/').pop()}`)) {
  const a = await targetAvailability('cuda');
  console.log(`cuda: ${a.ok ? a.device : `unavailable: ${a.reason}`}`);
  const results = [];
  let pass = 0;
  for (const c of CORPUS) {
    const t0 = performance.now();
    let status = 'pass', detail = '';
    try {
      const got = await run(c, 'cuda');
      const want = await run(c, 'sim');
      for (const o of c.outputs) {
        const g = got[o], w = want[o];
        const isFloat = g instanceof Float32Array || g instanceof Float64Array;
        const bad = mismatches(g, w, isFloat, g instanceof Float32Array, c);
        if (bad.length) { status = 'fail'; detail += `output ${o + 1}: ${bad.join('; ')} `; }
      }
    } catch (e) {
      status = 'error'; detail = String(e?.message ?? e).split('\n').slice(0, 6).join(' | ');
    }
    const rec = compileRecords().at(-1);
    if (status === 'pass') pass++;
    results.push({ name: c.name, status, detail, origin: rec?.origin, ms: +(performance.now() - t0).toFixed(1) });
    console.log(`${status.padEnd(5)} ${c.name}${detail ? `  ${detail}` : ''}`);
  }
  console.log(`cuda conformance: ${pass}/${CORPUS.length} pass`);
  if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify({ device: a.device ?? a.reason, pass, total: CORPUS.length, results }, null, 2));
  process.exit(pass === CORPUS.length ? 0 : 1);
}
