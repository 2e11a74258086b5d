// Packs what bench/gpu/run.sh needs on a fresh GPU machine that has neither
// LLVM nor this checkout's node_modules and build into .carry/ (git-ignored),
// next to the PTX cache and Node binary that bench/cuda/prepare.mjs put in
// .carry/cuda, and reports what travels against the device tool's 64 MiB:
//   .carry/nm      the runtime packages: koffi (+ its linux-x64 binary), acorn,
//                  webgpu (Dawn, linux-x64 only), @numbat/* links into packages/
//   .carry/dist    packages/*/dist without .d.ts and source maps
//   .carry/cuda    node.xz, cache/ (the PTX entries; inspect texts and libdevice
//                  subsets removed: a GPU run reads neither)
// run.sh copies nm to node_modules and dist to packages/*/dist where they are missing.
//   node bench/gpu/pack.mjs        (run by bench/cuda/prepare.mjs)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const carry = join(root, '.carry');
const LIMIT = 64 * 2 ** 20;
const PACKAGES = ['core', 'cpu', 'cuda', 'llvm', 'webgpu'];

/** node_modules entries copied whole, and those copied in part. */
const MODULES = {
  acorn: ['package.json', 'dist'],
  koffi: null,
  '@koromix/koffi-linux-x64': null,
  webgpu: ['package.json', 'index.js', 'dist/linux-x64'],
};

export function pack() {
  const nm = join(carry, 'nm');
  rmSync(nm, { recursive: true, force: true });
  for (const [name, parts] of Object.entries(MODULES)) {
    const from = join(root, 'node_modules', name);
    if (!existsSync(from)) throw new Error(`pack: node_modules/${name} is missing (npm install first)`);
    for (const part of parts ?? ['']) cpSync(join(from, part), join(nm, name, part), { recursive: true, dereference: true });
  }
  // Relative to node_modules/@numbat once run.sh has copied nm there.
  mkdirSync(join(nm, '@numbat'), { recursive: true });
  for (const p of PACKAGES) symlinkSync(`../../packages/${p}`, join(nm, '@numbat', p));

  const dist = join(carry, 'dist');
  rmSync(dist, { recursive: true, force: true });
  for (const p of PACKAGES) {
    cpSync(join(root, 'packages', p, 'dist'), join(dist, p), { recursive: true, filter: (f) => !/\.d\.ts$|\.map$/.test(f) });
  }

  // The PTX entries alone.
  const cache = join(carry, 'cuda', 'cache');
  for (const f of walk(cache)) {
    if (f.endsWith('.texts.json')) rmSync(f);
  }
  for (const d of existsSync(join(cache, 'cuda')) ? readdirSync(join(cache, 'cuda')) : []) {
    if (d.startsWith('libdevice-')) rmSync(join(cache, 'cuda', d), { recursive: true, force: true });
  }
  return sizes();
}

/** Bytes of what travels: the working tree git sends (tracked and untracked-not-ignored) and the carried .carry and .gl. */
export function sizes() {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  let tree = 0;
  for (const f of listed) { try { tree += statSync(join(root, f)).size; } catch { /* deleted, not committed */ } }
  const parts = { 'working tree': tree };
  for (const d of ['.carry/cuda/node.xz', '.carry/cuda/cache', '.carry/nm', '.carry/dist', '.gl']) parts[d] = bytes(join(root, d));
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { parts, total, limit: LIMIT, fits: total <= LIMIT };
}

function bytes(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  return s.isDirectory() ? walk(p).reduce((a, f) => a + statSync(f).size, 0) : s.size;
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  });
}

export function describe(s) {
  const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return Object.entries(s.parts).map(([k, v]) => `${k} ${mib(v)}`).join(', ') + `; total ${mib(s.total)} of ${mib(s.limit)}${s.fits ? '' : ' (TOO LARGE)'}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = pack();
  console.log(`pack: ${describe(s)}`);
  process.exit(s.fits ? 0 : 1);
}
