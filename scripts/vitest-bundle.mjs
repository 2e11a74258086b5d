// vitest globalSetup: brings the bundled entry points up to date (scripts/bundle.mjs, a
// no-op when they are) before any test imports a package, so `tsc -b` then vitest runs
// the current code through the same entry points users load.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'bundle.mjs');
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/bundle.mjs failed: ${r.stderr || r.stdout}`);
}
