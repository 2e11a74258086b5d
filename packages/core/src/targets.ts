// Choosing a target. 'auto' = the available registered target with the highest
// priority (built-ins: cuda, then a hardware WebGPU adapter, then cpu, then the
// simulator); NUMBAT_TARGET overrides it. 'auto' asks a child process
// (probe.ts) about targets this process has not loaded, so only the chosen
// backend's native code ever loads here.

import { backendInProcess, BackendUnavailableError, loadBackend, registeredTargets, registryGeneration, targetOptions, type Availability, type Backend, type Target } from './backend.js';

const availability = new Map<Target, Promise<Availability>>();
/** The registry generation the caches below were filled under (a registration empties them). */
let cachedGeneration = -1;

function expireCaches(): void {
  if (cachedGeneration === registryGeneration()) return;
  cachedGeneration = registryGeneration();
  availability.clear();
  autoChoice = undefined;
}

/** Availability of a target, cached; never throws. */
export function targetAvailability(target: Target): Promise<Availability> {
  expireCaches();
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
  expireCaches();
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
  expireCaches();
  const want = requested && requested !== 'auto' ? requested : envTarget();
  if (want && want !== 'auto') {
    const known = registeredTargets();
    if (!known.includes(want)) return Promise.reject(new Error(`numbat: unknown target '${want}' (expected one of ${known.join(', ')}, or 'auto'; a backend outside these is added with registerBackend)`));
    return Promise.resolve(want);
  }
  autoChoice ??= chooseAuto();
  return autoChoice;
}

/** The available target with the highest priority; 'sim' (core's own) when none is. */
async function chooseAuto(): Promise<Target> {
  const candidates = registeredTargets()
    .map((name) => ({ name, ...targetOptions(name) }))
    .filter((c): c is typeof c & { priority: number } => c.priority !== undefined)
    .sort((a, b) => b.priority - a.priority);
  // Probed together (each in its own child process when not loaded here).
  const avail = await Promise.all(candidates.map((c) => autoAvailability(c.name)));
  const i = candidates.findIndex((c, k) => avail[k].ok && (!c.hardwareOnly || avail[k].hardware));
  return i >= 0 ? candidates[i].name : 'sim';
}

/** The backend for a target, for launching: refuses an unavailable one with its reason. */
export async function usableBackend(target: Target): Promise<Backend> {
  const a = await targetAvailability(target);
  if (!a.ok) throw new BackendUnavailableError(target, a.reason ?? 'unavailable');
  return loadBackend(target);
}
