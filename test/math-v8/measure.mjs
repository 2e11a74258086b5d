// Counts bit mismatches and the largest ulp distance of each f64 Math function on cpu
// against the simulator (JS's Math, i.e. V8), in a lane group (a plain `o[i] = Math.f(a[i])`
// kernel) and on the scalar path (NUMBAT_CPU_LANES=1: no lane groups).
//   node test/math-v8/measure.mjs [fn,fn...] [--n 20000]
import { cuda } from '@numbat/core';
import '@numbat/cpu';
import { F64_FNS, inputs, ulpDistance } from './inputs.mjs';

const argv = process.argv.slice(2);
const nAt = argv.indexOf('--n');
const n = nAt >= 0 ? Number(argv[nAt + 1]) : 20000;
const fns = argv[0] && !argv[0].startsWith('--') ? argv[0].split(',') : F64_FNS;

async function run(fn, args, path) {
  const two = args.length === 2;
  // eslint-disable-next-line no-eval
  const kernel = (0, eval)(two
    ? `(function m_${fn}(a, b, o) { const i = cuda.grid(1); if (i < o.length) o[i] = Math.${fn}(a[i], b[i]); })`
    : `(function m_${fn}(a, o) { const i = cuda.grid(1); if (i < o.length) o[i] = Math.${fn}(a[i]); })`);
  const xs = args.map((a) => Float64Array.from(a));
  const out = new Float64Array(xs[0].length);
  const before = process.env.NUMBAT_CPU_LANES;
  if (path === 'scalar') process.env.NUMBAT_CPU_LANES = '1';
  try {
    await cuda.jit(kernel, { target: path === 'sim' ? 'sim' : 'cpu' }).configure(Math.ceil(out.length / 128), 128)(...xs, out);
  } finally {
    if (before === undefined) delete process.env.NUMBAT_CPU_LANES; else process.env.NUMBAT_CPU_LANES = before;
  }
  return out;
}

const rows = [];
for (const fn of fns) {
  const args = inputs(fn, n);
  // the oracle: JS's Math directly (the simulator runs the same)
  const want = Float64Array.from(args[0], (x, i) => Math[fn](x, args[1]?.[i]));
  const row = { fn, n: want.length };
  for (const path of ['lanes', 'scalar']) {
    const got = await run(fn, args, path);
    let bad = 0, max = 0, worst = '';
    for (let i = 0; i < got.length; i++) {
      if (Object.is(got[i], want[i])) continue;
      bad++;
      const d = ulpDistance(got[i], want[i]);
      if (d > max) { max = d; worst = `${fn}(${args.map((a) => a[i]).join(', ')}) = ${want[i]}, cpu ${got[i]}`; }
    }
    row[path] = { bad, max, worst };
  }
  rows.push(row);
  console.log(`${fn.padEnd(6)} n=${row.n}  lanes: ${row.lanes.bad} differ, max ${row.lanes.max} ulp   scalar: ${row.scalar.bad} differ, max ${row.scalar.max} ulp`);
  if (process.env.WORST) console.log(`   worst lanes: ${row.lanes.worst}\n   worst scalar: ${row.scalar.worst}`);
}
