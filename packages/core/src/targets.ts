// Choosing a target. 'auto' = cuda if a CUDA device works, else a hardware
// WebGPU adapter, else cpu, else the simulator; NUMBAT_TARGET overrides it.
// 'auto' asks a child process (probe.ts) about targets this process has not
// loaded, so only the chosen backend's native code ever loads here.

import { backendInProcess, BackendUnavailableError, loadBackend, TARGETS, type Availability, type Backend, type Target } from './backend.js';

const availability = new Map<Target, Promise<Availability>>();

/** Availability of a target, cached; never throws. */
export function targetAvailability(target: Target): Promise<Availability> {
  let p = availability.get(target);
  if (!p) {
    p = loadBackend(target).then(
      (b) => b.available().catch((e: Error) => ({ ok: false, reason: e.message })),
      (e: Error) => ({ ok: false, reason: e instanceof BackendUnavailableError ? e.reason : e.message }),
    );
    availability.set(target, p);
  }
  return p;
}

type ProcessLike = { env?: Record<string, string | undefined>; versions?: Record<string, string | undefined> };
const proc = (): ProcessLike | undefined => (globalThis as { process?: ProcessLike }).process;

function envTarget(): string | undefined {
  return proc()?.env?.NUMBAT_TARGET || undefined;
}

/**
 * Availability for the 'auto' choice: in-process for a backend already loaded
 * (or registered by hand), else from a child process (Node, Deno, Bun), so that
 * probing never loads libcuda, Dawn/Mesa or LLVM into this process.
 * NUMBAT_PROBE=inprocess asks in-process (as a browser always does).
 */
async function autoAvailability(target: Target): Promise<Availability> {
  const p = proc();
  if (availability.has(target) || backendInProcess(target) || !p?.versions?.node || p.env?.NUMBAT_PROBE === 'inprocess') {
    return targetAvailability(target);
  }
  let probe: typeof import('./probe.js');
  try {
    probe = await import('./probe.js');
  } catch {
    return targetAvailability(target);
  }
  return probe.probeInChild(target);
}

let autoChoice: Promise<Target> | undefined;

export function resolveTarget(requested: Target | 'auto' | undefined): Promise<Target> {
  const want = requested && requested !== 'auto' ? requested : (envTarget() as Target | 'auto' | undefined);
  if (want && want !== 'auto') {
    if (!TARGETS.includes(want)) return Promise.reject(new Error(`numbat: unknown target '${want}' (expected one of ${TARGETS.join(', ')}, or 'auto')`));
    return Promise.resolve(want);
  }
  autoChoice ??= (async () => {
    // Probed together (each in its own child process when not loaded here).
    const [cuda, webgpu, cpu] = await Promise.all((['cuda', 'webgpu', 'cpu'] as const).map(autoAvailability));
    if (cuda.ok) return 'cuda';
    if (webgpu.ok && webgpu.hardware) return 'webgpu';
    if (cpu.ok) return 'cpu';
    return 'sim';
  })();
  return autoChoice;
}

/** The backend for a target, for launching: refuses an unavailable one with its reason. */
export async function usableBackend(target: Target): Promise<Backend> {
  const a = await targetAvailability(target);
  if (!a.ok) throw new BackendUnavailableError(target, a.reason ?? 'unavailable');
  return loadBackend(target);
}
