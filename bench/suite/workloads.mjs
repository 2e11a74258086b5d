// The suite's workloads: every example (examples/*.mjs exporting `meta` and
// `run`, found at run time, so a new example is benchmarked without edits) and
// the corpus' heavy kernels (./kernels.mjs).
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KERNEL_WORKLOADS } from './kernels.mjs';

export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

// Which anchor job an example repeats exactly (same kernel, same per-sample work).
const EXAMPLE_ANCHORS = { pi: 'mc', 'option-pricing': 'option' };

const oneLine = (e) => String(e?.message ?? e).split('\n')[0];

/**
 * Imports every examples/*.mjs. One that fails to import is still listed, with
 * `error` (its row reads "n/a (reason)"); a module without `run` is not an example.
 */
export async function discoverExamples(dir = EXAMPLES_DIR) {
  const out = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
    const name = basename(file, '.mjs');
    try {
      const mod = await import(pathToFileURL(join(dir, file)).href);
      if (typeof mod.run !== 'function' || !mod.meta) continue;
      out.push({ id: mod.meta.name ?? name, kind: 'example', file, title: mod.meta.title ?? name, unit: mod.meta.unit ?? 'items/s', anchor: EXAMPLE_ANCHORS[mod.meta.name ?? name], module: mod });
    } catch (e) {
      out.push({ id: name, kind: 'example', file, title: name, unit: '?', error: `import failed: ${oneLine(e)}` });
    }
  }
  return out;
}

/** Examples first, then the kernels; `module`/`run` stay out of what is written to JSON. */
export async function allWorkloads(examplesDir = EXAMPLES_DIR) {
  return [...await discoverExamples(examplesDir), ...KERNEL_WORKLOADS];
}

export function describeWorkload(w) {
  const { module, run, ...rest } = w;
  return rest;
}

/** Runs one workload on one target: examples at `size`, kernels at their problem size. */
export async function runWorkload(w, { target, size, quick }) {
  if (w.error) throw new Error(w.error);
  if (w.kind === 'kernel') return w.run({ target, quick });
  return w.module.run({ target, size });
}
