// Dumps the LLVM IR the cpu code generator builds for every kernel of the
// conformance corpus and of the examples, so a refactoring of the code
// generator can be checked to leave it unchanged (diff -r two dumps).
//   node packages/cpu/scripts/dump-ir.mjs OUT_DIR [--no-opt] [--only NAME_SUBSTRING]
// Per kernel: <case>.<kernel>.w<W>[.poll][.nobc].ll as built (W = 1, 4, the
// host's width; the stoppable variant; bounds checks off) and .opt.ll (the
// host's width, optimised as the backend does). Needs a build (npx tsc -b).
// Entry names carry a per-compile suffix: compare with them normalised, e.g.
//   diff <(sed -E 's/numbat_run_\w+/numbat_run_X/g' A/f.ll) <(sed -E 's/numbat_run_\w+/numbat_run_X/g' B/f.ll)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cuda, loadBackend, registerBackend } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { loadLLVM, runStages } from '@numbat/llvm';
import { CPU_STAGES, laneWidthFor } from '../dist/codegen/compile.js';
import { buildCpuModule } from '../dist/codegen/kernel.js';
import { hostTarget } from '../dist/codegen/target.js';

const out = process.argv[2];
if (!out) throw new Error('usage: dump-ir.mjs OUT_DIR [--no-opt] [--only NAME]');
const noOpt = process.argv.includes('--no-opt');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
mkdirSync(out, { recursive: true });

// A target that is the cpu backend, but records the IR each compile gets.
const captured = [];
let current = 'unnamed';
const cpu = await loadBackend('cpu');
registerBackend('cpudump', async () => ({
  ...cpu, target: 'cpudump',
  async compile(ir, opts) {
    captured.push({ name: current, ir, boundscheck: opts.boundscheck });
    return cpu.compile(ir, opts);
  },
}));

for (const c of CORPUS) {
  if (only && !c.name.includes(only)) continue;
  current = c.name;
  try {
    const k = cuda.jit(c.kernel, { ...c.options, target: 'cpudump', cache: false });
    await k.inspect('ir', ...c.args());
  } catch { /* refused kernels have no IR to compare */ }
}
// The examples, run small on the recording target (their kernels compile on first launch).
for (const ex of ['dot', 'histogram', 'option-pricing', 'pi', 'random-walk']) {
  if (only && !ex.includes(only)) continue;
  current = `example-${ex}`;
  const m = await import(new URL(`../../../examples/${ex}.mjs`, import.meta.url));
  await m.run({ target: 'cpudump', size: 'small' });
}

const target = hostTarget(), W = laneWidthFor(target), llvm = loadLLVM();
const seen = new Map();
for (const { name, ir, boundscheck } of captured) {
  let base = `${name}.${ir.name}`;
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  if (n) base += `.${n}`;
  const variants = [
    [`w${W}`, { boundscheck, laneWidth: W }],
    [`w${W}.poll`, { boundscheck, laneWidth: W, poll: true }],
    [`w${W}.nobc`, { boundscheck: false, laneWidth: W }],
    ['w4', { boundscheck, laneWidth: 4 }],
    ['w1', { boundscheck, laneWidth: 1 }],
  ];
  for (const [tag, opts] of variants) {
    let text;
    try { text = buildCpuModule(llvm, ir, opts).text; } catch (e) { text = `ERROR ${e.message}`; }
    writeFileSync(join(out, `${base}.${tag}.ll`), text);
  }
  if (noOpt) continue;
  const s = { ir, opts: { boundscheck, laneWidth: W }, target };
  try {
    const { texts } = runStages(`dump ${base}`, CPU_STAGES.filter((x) => x.name !== 'emit'), s);
    writeFileSync(join(out, `${base}.opt.ll`), texts.opt);
  } catch (e) {
    writeFileSync(join(out, `${base}.opt.ll`), `ERROR ${e.message}`);
  } finally {
    s.nm?.dispose();
  }
}
console.log(`${captured.length} kernels dumped to ${out}`);
