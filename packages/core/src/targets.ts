// Choosing a target. 'auto' = cuda if a CUDA device works, else a hardware
// WebGPU adapter, else cpu, else the simulator; NUMBAT_TARGET overrides it.

import { BackendUnavailableError, loadBackend, TARGETS, type Availability, type Backend, type Target } from './backend.js';

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

function envTarget(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NUMBAT_TARGET || undefined;
}

let autoChoice: Promise<Target> | undefined;

export function resolveTarget(requested: Target | 'auto' | undefined): Promise<Target> {
  const want = requested && requested !== 'auto' ? requested : (envTarget() as Target | 'auto' | undefined);
  if (want && want !== 'auto') {
    if (!TARGETS.includes(want)) return Promise.reject(new Error(`numbat: unknown target '${want}' (expected one of ${TARGETS.join(', ')}, or 'auto')`));
    return Promise.resolve(want);
  }
  autoChoice ??= (async () => {
    const cuda = await targetAvailability('cuda');
    if (cuda.ok) return 'cuda';
    const webgpu = await targetAvailability('webgpu');
    if (webgpu.ok && webgpu.hardware) return 'webgpu';
    const cpu = await targetAvailability('cpu');
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
