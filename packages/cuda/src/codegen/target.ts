// Which sm_XX the PTX is generated for. LLVM 14's NVPTX back end knows GPUs up
// to sm_86 and PTX ISA 7.5; a newer GPU (sm_89, sm_90, ...) gets sm_86 PTX,
// which its driver JIT-compiles (PTX is forward compatible). Without a GPU
// (inspect, ahead-of-time compiles) the arch is NUMBAT_CUDA_ARCH or sm_86.

import type { TargetSpec } from '@numbat/llvm';

export const NVPTX_TRIPLE = 'nvptx64-nvidia-cuda';
/** The newest arch and PTX ISA the LLVM in use can emit. */
export const MAX_SM = 86;
export const PTX_ISA = '7.5';

/** Archs LLVM 14 accepts, newest first (used to find cached PTX a GPU can run). */
export const KNOWN_SM = [86, 80, 75, 72, 70, 62, 61, 60, 53, 52, 50];

export function smOf(arch: string): number {
  const m = /^(?:sm_|compute_)?(\d+)$/.exec(arch.trim());
  if (!m) throw new Error(`numbat cuda: '${arch}' is not a GPU architecture like sm_80`);
  return Number(m[1]);
}

/** The arch to generate for a device of compute capability major.minor (capped at MAX_SM). */
export function archForCapability(major: number, minor: number): string {
  const sm = major * 10 + minor;
  if (sm >= MAX_SM) return `sm_${MAX_SM}`;
  // The newest arch LLVM knows that is not above the device's.
  const k = KNOWN_SM.find((s) => s <= sm);
  return `sm_${k ?? sm}`;
}

/** NUMBAT_CUDA_ARCH (sm_XX or XX), capped; else sm_86. */
export function defaultArch(): string {
  const env = process.env.NUMBAT_CUDA_ARCH;
  if (!env) return `sm_${MAX_SM}`;
  const sm = smOf(env);
  return archForCapability(Math.floor(sm / 10), sm % 10);
}

/** Archs whose PTX a device of `arch` can load, best first. */
export function loadableArchs(arch: string): string[] {
  const sm = smOf(arch);
  return KNOWN_SM.filter((s) => s <= sm).map((s) => `sm_${s}`);
}

export function nvptxSpec(arch: string): TargetSpec {
  return { triple: NVPTX_TRIPLE, cpu: arch, features: `+ptx${PTX_ISA.replace('.', '')}`, optLevel: 3 };
}
