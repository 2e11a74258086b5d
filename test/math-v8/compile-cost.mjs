// In-process compile time on cpu (cache off, LLVM loaded by a warm-up first) of
// `if (i < n) o[i] = Math.fn(a[i])` for f64 library functions, and whether the region became a
// lane group (vector doubles in the optimised run function). Median of --runs compiles.
//   node test/math-v8/compile-cost.mjs sin,cos,tan,pow [--runs 3]
import { cuda } from '@numbat/core';
import '@numbat/cpu';

const argv = process.argv.slice(2);
const fns = (argv.find((a) => !a.startsWith('--')) ?? 'sin,cos,tan,pow').split(',');
const runs = Number(argv[argv.indexOf('--runs') + 1] ?? 3) || 3;
const kernelOf = (fn, arity) => (0, eval)(arity === 2
  ? `(function v8_${fn}(a, b, o) { const i = cuda.grid(1); if (i < o.length) o[i] = Math.${fn}(a[i], b[i]); })`
  : `(function v8_${fn}(a, o) { const i = cuda.grid(1); if (i < o.length) o[i] = Math.${fn}(a[i]); })`);
const compile = async (fn) => {
  const arity = ['pow', 'atan2', 'hypot'].includes(fn) ? 2 : 1;
  const args = [...Array.from({ length: arity }, () => new Float64Array(64)), new Float64Array(64)];
  const t = performance.now();
  const opt = await cuda.jit(kernelOf(fn, arity), { target: 'cpu', cache: false }).inspect('opt', ...args);
  const ms = performance.now() - t;
  const run = opt.split(/\n(?=define )/).filter((f) => /^define .*@numbat_run_/.test(f)).join('\n');
  return { ms, lanes: /<8 x double>|<4 x double>/.test(run) };
};
await compile('exp'); // loads LLVM
for (const fn of fns) {
  const rs = [];
  for (let i = 0; i < runs; i++) rs.push(await compile(fn));
  const ms = rs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(runs / 2)];
  console.log(`${fn}: ${ms.toFixed(0)} ms (median of ${runs}), ${rs[0].lanes ? 'lane group' : 'thread by thread'}`);
}
