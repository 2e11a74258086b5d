// scripts/llvm-bindings-shared/build.sh: --check tells a static addon from one
// linked against the shared libLLVM-14, and a rebuild that cannot run leaves the
// installed addon as it was and exits 0 (bootstrap goes on). In a scratch copy
// of the script's layout, so the real install is not touched.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'scripts/llvm-bindings-shared');

function scratch(addonBytes: Buffer | string) {
  const root = mkdtempSync(join(tmpdir(), 'numbat-lbs-'));
  mkdirSync(join(root, 'scripts/llvm-bindings-shared'), { recursive: true });
  for (const f of ['build.sh', 'CMakeLists.txt']) copyFileSync(join(SCRIPT, f), join(root, 'scripts/llvm-bindings-shared', f));
  const release = join(root, 'node_modules/llvm-bindings/build/Release');
  mkdirSync(release, { recursive: true });
  mkdirSync(join(root, 'node_modules/llvm-bindings/src'));
  writeFileSync(join(release, 'llvm-bindings.node'), addonBytes);
  return { root, addon: join(release, 'llvm-bindings.node'), run: (args: string[], env: Record<string, string> = {}) => spawnSync('bash', [join(root, 'scripts/llvm-bindings-shared/build.sh'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } }) };
}

describe('scripts/llvm-bindings-shared/build.sh', () => {
  it('--check: 1 for an addon that does not link libLLVM-14', () => {
    const s = scratch('not an ELF file');
    try {
      expect(s.run(['--check']).status).toBe(1);
    } finally { rmSync(s.root, { recursive: true, force: true }); }
  });

  it('a rebuild that cannot run (no node-addon-api in the scratch project) leaves the addon as it was and exits 0', () => {
    const s = scratch('the installed static addon');
    try {
      const r = s.run([]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/numbat: not rebuilding llvm-bindings against the shared libLLVM|rebuilding llvm-bindings against the shared libLLVM failed/);
      expect(readFileSync(s.addon, 'utf8')).toBe('the installed static addon');
      expect(s.run(['--check']).status).toBe(1);
    } finally { rmSync(s.root, { recursive: true, force: true }); }
  });
});
