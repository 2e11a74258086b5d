// Choosing a target. 'auto' = cuda if a CUDA device works, else a hardware
// WebGPU adapter, else cpu, else the simulator; NUMBAT_TARGET overrides it.
// 'auto' asks a child process (probe.ts) about targets this process has not
// loaded, so only the chosen backend's native code ever loads here.

import { log } from './log.js';
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
  // A bundle (no probe-child.js beside it) asks in-process, as a browser does.
  if (!probe.canProbeInChild()) return targetAvailability(target);
  return probe.probeInChild(target);
}

/** What 'auto' chose and, per target, why it was or was not chosen. */
export interface AutoChoice {
  target: Target;
  reasons: Record<Target, string>;
}

let autoChoice: Promise<AutoChoice> | undefined;

/** 'auto''s choice with a reason for every target (for `numbat info` and NUMBAT_LOG=info). */
export function explainAuto(): Promise<AutoChoice> {
  autoChoice ??= (async () => {
    // Probed together (each in its own child process when not loaded here).
    const [cuda, webgpu, cpu] = await Promise.all((['cuda', 'webgpu', 'cpu'] as const).map(autoAvailability));
    const no = (a: Availability) => `unavailable: ${a.reason ?? 'no reason given'}`;
    const target: Target = cuda.ok ? 'cuda' : webgpu.ok && webgpu.hardware ? 'webgpu' : cpu.ok ? 'cpu' : 'sim';
    const passed = (t: Target) => `available (${t === 'webgpu' ? webgpu.device : cpu.device ?? t}), but 'auto' prefers ${target}`;
    const reasons: Record<Target, string> = {
      cuda: cuda.ok ? `chosen: a CUDA device works (${cuda.device ?? 'GPU'})` : no(cuda),
      webgpu: !webgpu.ok ? no(webgpu)
        : !webgpu.hardware ? `available, but not chosen: its adapter (${webgpu.device ?? 'unknown'}) is software, and 'auto' takes webgpu only on hardware`
        : target === 'webgpu' ? `chosen: a hardware adapter (${webgpu.device ?? 'unknown'})` : passed('webgpu'),
      cpu: !cpu.ok ? no(cpu) : target === 'cpu' ? `chosen: no CUDA device and no hardware WebGPU adapter; LLVM compiles for ${cpu.device ?? 'this CPU'}` : passed('cpu'),
      sim: target === 'sim' ? 'chosen: no other target works here (the simulator is slow; see the reasons above)' : `always available, but 'auto' prefers ${target}`,
    };
    log('info', () => `target 'auto' -> ${target} (${(['cuda', 'webgpu', 'cpu', 'sim'] as const).map((t) => `${t}: ${reasons[t]}`).join('; ')})`);
    return { target, reasons };
  })();
  return autoChoice;
}

export function resolveTarget(requested: Target | 'auto' | undefined): Promise<Target> {
  const want = requested && requested !== 'auto' ? requested : (envTarget() as Target | 'auto' | undefined);
  if (want && want !== 'auto') {
    if (!TARGETS.includes(want)) return Promise.reject(new Error(`numbat: unknown target '${want}' (expected one of ${TARGETS.join(', ')}, or 'auto')`));
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
