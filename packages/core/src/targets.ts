// Choosing a target. 'auto' = the available registered target with the highest
// priority (built-ins: cuda, then a hardware WebGPU adapter, then cpu, then the
// simulator); NUMBAT_TARGET overrides it. 'auto' asks a child process
// (probe.ts) about targets this process has not loaded, so only the chosen
// backend's native code ever loads here.

import { log } from './log.js';
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
  const p = proc();
  if (availability.has(target) || backendInProcess(target) || !p?.versions?.node || p.env?.NUMBAT_PROBE === 'inprocess') {
    return targetAvailability(target);
  }
  let probe: ChildProbe;
  try {
    if (!loadChildProbe) return targetAvailability(target);
    probe = await loadChildProbe();
  } catch {
    return targetAvailability(target);
  }
  // A bundle (no probe-child.js beside it) asks in-process, as a browser does.
  if (!probe.canProbeInChild()) return targetAvailability(target);
  return probe.probeInChild(target);
}

/** The child-process prober (probe.ts), as the Node entry provides it. */
export interface ChildProbe {
  canProbeInChild(): boolean;
  probeInChild(target: Target): Promise<Availability>;
}
let loadChildProbe: (() => Promise<ChildProbe>) | undefined;

/**
 * Set by the Node entry (index.ts): how to load probe.ts. The browser entry
 * sets none, so a browser bundle never contains Node built-ins.
 */
export function useChildProbe(load: () => Promise<ChildProbe>): void {
  loadChildProbe = load;
}

/** What 'auto' chose and, per target, why it was or was not chosen. */
export interface AutoChoice {
  target: Target;
  reasons: Record<Target, string>;
}

let autoChoice: Promise<AutoChoice> | undefined;

/**
 * 'auto''s choice — the available registered target with the highest priority ('sim' when none
 * is) — with a reason for every target (for `numbat info` and NUMBAT_LOG=info).
 */
export function explainAuto(): Promise<AutoChoice> {
  expireCaches();
  autoChoice ??= (async () => {
    const candidates = registeredTargets()
      .map((name) => ({ name, ...targetOptions(name) }))
      .filter((c): c is typeof c & { priority: number } => c.priority !== undefined)
      .sort((a, b) => b.priority - a.priority);
    // Probed together (each in its own child process when not loaded here).
    const avail = await Promise.all(candidates.map((c) => autoAvailability(c.name)));
    const i = candidates.findIndex((c, k) => avail[k].ok && (!c.hardwareOnly || avail[k].hardware));
    const target: Target = i >= 0 ? candidates[i].name : 'sim';
    const reasons: Record<Target, string> = {};
    candidates.forEach((c, k) => {
      const a = avail[k];
      reasons[c.name] = !a.ok ? `unavailable: ${a.reason ?? 'no reason given'}`
        : c.name === target ? `chosen: the available target with the highest priority (${a.device ?? c.name})`
        : c.hardwareOnly && !a.hardware ? `available, but not chosen: its device (${a.device ?? 'unknown'}) is software, and 'auto' takes ${c.name} only on hardware`
        : `available (${a.device ?? c.name}), but 'auto' prefers ${target}`;
    });
    if (target === 'sim') reasons.sim = 'chosen: no other target works here (the simulator is slow; see the reasons above)';
    log('info', () => `target 'auto' -> ${target} (${Object.entries(reasons).map(([t, r]) => `${t}: ${r}`).join('; ')})`);
    return { target, reasons };
  })();
  return autoChoice;
}

export function resolveTarget(requested: Target | 'auto' | undefined): Promise<Target> {
  expireCaches();
  const want = requested && requested !== 'auto' ? requested : envTarget();
  if (want && want !== 'auto') {
    const known = registeredTargets();
    if (!known.includes(want)) return Promise.reject(new Error(`numbat: unknown target '${want}' (expected one of ${known.join(', ')}, or 'auto'; a backend outside these is added with registerBackend)`));
    if (want !== requested) logEnvOnce(want);
    return Promise.resolve(want);
  }
  return explainAuto().then((c) => c.target);
}

let envLogged = false;
function logEnvOnce(t: Target): void {
  if (envLogged) return;
  envLogged = true;
  log('info', `target 'auto' -> ${t} (NUMBAT_TARGET=${t})`);
}

/** The backend for a target, for launching: refuses an unavailable one with its reason. */
export async function usableBackend(target: Target): Promise<Backend> {
  const a = await targetAvailability(target);
  if (!a.ok) throw new BackendUnavailableError(target, a.reason ?? 'unavailable');
  return loadBackend(target);
}
