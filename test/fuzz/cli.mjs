// npm run fuzz -- [--seconds N | --count N] [--targets sim,cpu,webgpu,cuda,ptx] [--seed S]
//                 [--exclude fam,...] [--include fam,...] [--no-reduce] [--out dir] [--families]
//                 [--kinds exact,f64,f32] (float kinds to draw; f32 alone suits a webgpu-only run)
//                 [--slow S] (report kernels whose compile and launch on a target takes over S seconds; default 10)
//                 [--jobs N] (kernels checked at once, each in a worker process; default: the number of cores)
// Differential fuzzing of generated kernels (see docs/fuzzing.md). Families of known open
// bugs (KNOWN_OPEN in fuzz.mjs) are excluded unless named in --include (or --include all).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { FAMILIES } from './gen.mjs';
import { fuzz, KNOWN_OPEN, SLOW_MS } from './fuzz.mjs';

process.env.XDG_RUNTIME_DIR ??= '/tmp/numbat-xdg';
mkdirSync(process.env.XDG_RUNTIME_DIR, { recursive: true });

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const list = (s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);

if (argv.includes('--families')) {
  for (const [f, d] of Object.entries(FAMILIES)) console.log(`${f.padEnd(16)} ${KNOWN_OPEN.includes(f) ? '(off: known open bug) ' : ''}${d}`);
  process.exit(0);
}
const include = list(opt('include', ''));
const exclude = [...new Set([...list(opt('exclude', '')), ...(include.includes('all') ? [] : KNOWN_OPEN.filter((f) => !include.includes(f)))])];
for (const f of [...exclude, ...include]) if (f !== 'all' && !(f in FAMILIES)) { console.error(`unknown family '${f}' (see --families)`); process.exit(2); }
const seconds = Number(opt('seconds', argv.includes('--count') ? Infinity : 60));
const count = Number(opt('count', Infinity));
const seed = Number(opt('seed', Date.now() % 1e6));
const targets = list(opt('targets', 'sim,cpu,webgpu,cuda,ptx'));
const out = opt('out', 'test/fuzz/failures');
const kinds = opt('kinds') ? list(opt('kinds')) : null;
const slowMs = Number(opt('slow', SLOW_MS / 1000)) * 1000;
const jobs = Number(opt('jobs', availableParallelism()));
if (!(Number.isInteger(jobs) && jobs >= 1)) { console.error(`--jobs wants a whole number >= 1, got '${opt('jobs')}'`); process.exit(2); }
for (const k of kinds ?? []) if (!['exact', 'f64', 'f32'].includes(k)) { console.error(`unknown kind '${k}' (exact, f64, f32)`); process.exit(2); }

console.log(`numbat fuzz: seed ${seed}, ${Number.isFinite(count) ? `${count} kernels` : `${seconds} s`}, targets ${targets.join(',')}${kinds ? `, kinds ${kinds.join(',')}` : ''}, excluded families: ${exclude.join(',') || 'none'}, ${jobs} job${jobs > 1 ? 's' : ''}`);
let last = Date.now();
const summary = await fuzz({
  seed, count, seconds, targets, exclude, kinds, slowMs, jobs, reduceFailures: !argv.includes('--no-reduce'),
  onFailure(f) {
    mkdirSync(out, { recursive: true });
    const file = join(out, `seed-${f.seed}.test.ts.txt`);
    writeFileSync(file, f.test + '\n');
    console.log(`\nFAIL seed ${f.seed}: ${f.key}\n${f.source}\n  -> ${file}`);
  },
  onSlow(k) {
    mkdirSync(out, { recursive: true });
    const file = join(out, `slow-seed-${k.seed}-${k.target}.js.txt`);
    writeFileSync(file, k.source + '\n');
    console.log(`\nSLOW seed ${k.seed}: ${k.target} took ${(k.ms / 1000).toFixed(1)} s to compile and launch\n  -> ${file}`);
  },
  onProgress(s) { if (Date.now() - last > 10000) { last = Date.now(); process.stdout.write(`  ${s.kernels} kernels, ${s.failures.length} failing\n`); } },
});

console.log(`\n${summary.kernels} kernels in ${summary.seconds.toFixed(0)} s (seeds ${seed}..${seed + summary.kernels - 1}); ${summary.jsChecked} also against plain JS`);
const cols = ['ok', 'mismatch', 'internal', 'refused', 'launch-error', 'generator', 'skipped', 'slow'];
console.log(`  ${'target'.padEnd(10)}${cols.map((c) => c.padStart(13)).join('')}`);
for (const [t, o] of Object.entries(summary.perTarget)) console.log(`  ${t.padEnd(10)}${cols.map((c) => String(o[c] ?? 0).padStart(13)).join('')}`);
for (const [t, why] of Object.entries(summary.skipReasons)) console.log(`  ${t} skipped: ${Object.keys(why).join('; ')}`);
console.log(`mean ms per kernel and stage (${jobs > 1 ? `per process, ${jobs} at once` : 'one process'}):`);
for (const [t, o] of Object.entries(summary.stageMs)) {
  console.log(`  ${t.padEnd(10)}${Object.entries(o.ms).map(([k, v]) => `${k} ${(v / o.kernels).toFixed(1)}`).join(', ')} (${o.kernels} kernels)`);
}
console.log('coverage (kernels using each construct):');
const cov = Object.entries(summary.coverage).sort((a, b) => a[0].localeCompare(b[0]));
for (let k = 0; k < cov.length; k += 4) console.log('  ' + cov.slice(k, k + 4).map(([c, n]) => `${c}: ${n}`.padEnd(34)).join(''));
if (summary.slow.length) console.log(`slow (compile and launch over ${slowMs / 1000} s; also counted above by outcome): ${summary.slow.map((k) => `seed ${k.seed} ${k.target} ${(k.ms / 1000).toFixed(1)} s`).join(', ')}`);
console.log(`${summary.failures.length} failing kernels${summary.failures.length ? ` (reduced, in ${out}/)` : ''}`);
process.exitCode = summary.failures.length ? 1 : 0;
