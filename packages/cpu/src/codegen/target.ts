// The machine code is generated for: the host's triple, CPU and features
// (x86-64 or AArch64), from LLVM's own host detection.

import { hostCpu, type TargetSpec } from '@numbat/llvm';

let host: TargetSpec | undefined;

export function hostTarget(): TargetSpec {
  if (!host) {
    const h = hostCpu();
    host = { triple: h.triple, cpu: h.name, features: h.features, reloc: 2 /* PIC: the object goes into a shared library */ };
  }
  return host;
}

/** A generic AArch64 target (tests that AArch64 code is produced and verifies on any host). */
export const AARCH64_GENERIC: TargetSpec = { triple: 'aarch64-unknown-linux-gnu', cpu: 'generic', features: '+neon', reloc: 2 };
