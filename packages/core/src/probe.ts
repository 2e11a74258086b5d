// Which targets work, asked of a child process so that choosing 'auto' never
// loads a backend's native stack (libcuda, Dawn + Mesa's LLVM 15, koffi +
// libLLVM-14) into the user's process: only the target actually chosen is
// loaded here. Loading several of them in one process is what broke
// cpu + 'auto' scripts (two LLVMs; see docs/safety.md). Each target is probed
// in its own child (a crash marks that target unavailable, nothing else), and
// the verdicts are cached on disk for a day, keyed by the runtime, numbat's
// packages and the environment the probe depends on (a new driver after a
// reboot, another NUMBAT_LIBLLVM or PATH: probed again).
//
// Node-like runtimes only (loaded lazily by targets.ts); in a browser, or with
// NUMBAT_PROBE=inprocess, availability is asked in-process as before.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Availability, Target } from './backend.js';
import { cacheRoot } from './disk-cache.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'probe-child.js');
/** How long a cached verdict is trusted. */
const MAX_AGE_MS = 24 * 3600 * 1000;
const CHILD_TIMEOUT_MS = 60_000;
/** Environment variables a backend's availability depends on (prefixes end in '_'). */
const ENV_KEYS = ['PATH', 'LD_LIBRARY_PATH', 'LD_PRELOAD', 'CUDA_', 'NUMBAT_', 'XDG_RUNTIME_DIR', 'DISPLAY', 'WAYLAND_DISPLAY', 'VK_', 'MESA_', 'LIBGL_', 'GALLIUM_', '__EGL', 'DAWN_'];

/** How to run a script with this runtime (node, deno, bun). */
function runtimeCommand(script: string): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno) return [process.execPath, 'run', '-A', script];
  return [process.execPath, script];
}

function probeKey(target: Target): string {
  const env = Object.keys(process.env).filter((k) => k !== 'NUMBAT_TARGET' && ENV_KEYS.some((p) => (p.endsWith('_') ? k.startsWith(p) : k === p))).sort()
    .map((k) => `${k}=${process.env[k]}`);
  let pkg = '';
  try {
    // The installed backend (its version and when it was installed), resolved as loadBackend does.
    const p = createRequire(import.meta.url).resolve(`@numbat/${target}/package.json`);
    pkg = `${p}@${readFileSync(p, 'utf8').length}@${statSync(p).mtimeMs}`;
  } catch { /* not installed: probed (and refused) like any other */ }
  let boot = '';
  try { boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { /* not Linux */ }
  const self = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  return createHash('sha256').update([target, process.execPath, JSON.stringify(process.versions), hostname(), boot, pkg, self, ...env].join('\u0000')).digest('hex').slice(0, 32);
}

function readVerdict(file: string): Availability | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { time: number; availability: Availability };
    if (typeof v.time === 'number' && Date.now() - v.time < MAX_AGE_MS && typeof v.availability?.ok === 'boolean') return v.availability;
  } catch { /* absent or unreadable: probe */ }
  return undefined;
}

function writeVerdict(file: string, availability: Availability): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${Date.now()}`;
    writeFileSync(tmp, JSON.stringify({ time: Date.now(), availability }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch { /* a read-only cache: probe again next time */ }
}

function runChild(target: Target): Promise<Availability> {
  const [cmd, ...args] = runtimeCommand(CHILD);
  return new Promise((resolve) => {
    execFile(cmd, [...args, target], { timeout: CHILD_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (line) {
        try {
          return resolve(JSON.parse(line) as Availability);
        } catch { /* fall through */ }
      }
      const why = err ? ((err as { signal?: string }).signal ? `killed by ${(err as { signal?: string }).signal}` : err.message.split('\n')[0]) : 'no answer';
      resolve({ ok: false, reason: `probing '${target}' in a child process failed (${why})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}` });
    });
  });
}

/** Whether the child script is here: a bundle moved away from node_modules has no probe-child.js next to it. */
export function canProbeInChild(): boolean {
  return existsSync(CHILD);
}

/** Availability of `target` as a fresh process sees it, from the disk cache or a child process. */
export async function probeInChild(target: Target): Promise<Availability> {
  const file = join(cacheRoot(), 'probe', `${probeKey(target)}.json`);
  const cached = readVerdict(file);
  if (cached) return cached;
  const a = await runChild(target);
  // A probe that timed out or crashed says nothing durable; only real verdicts are kept.
  if (a.ok || !/in a child process failed/.test(a.reason ?? '')) writeVerdict(file, a);
  return a;
}
