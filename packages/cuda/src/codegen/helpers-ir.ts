// The NVPTX helper module, linked into every kernel module: what llvm-bindings
// 0.4.2 cannot build (globals in address spaces 3 and 4, named metadata,
// atomicrmw/cmpxchg), written as textual LLVM 14 IR. The kernel module calls
// small accessor functions (`numbat_shared_ptr_3()`) that this module defines
// (alwaysinline, so they vanish), and declares the kernel here to mark it with
// `!nvvm.annotations` — no printed IR is ever patched.

import type { ElemType, KernelArray } from '@numbat/core';
import { atomicHelperIR, fenceHelperIR, sincosWrapperIR, type AtomicUse } from '@numbat/llvm';
import { ACTIVEMASK_IR } from './warp.js';
import { ERR, ERR_BARRIER_EXIT, ERR_BOUNDS, type CudaPlan } from './abi.js';

export function elemIR(e: ElemType): string {
  switch (e) {
    case 'i8': case 'u8': return 'i8';
    case 'i16': case 'u16': return 'i16';
    case 'i32': case 'u32': return 'i32';
    case 'f32': return 'float';
    case 'f64': return 'double';
    case 'i64': case 'u64': return 'i64';
  }
}

/** Textual types of the kernel's parameters (abi.ts), in order. */
export function kernelParamTypesIR(plan: CudaPlan): string[] {
  const out: string[] = [];
  for (const p of plan.params) {
    if (p.kind === 'array') out.push(`${elemIR(p.elem)} addrspace(1)*`, 'i32');
    else out.push(p.type === 'f32' ? 'float' : p.type === 'f64' ? 'double' : p.type === 'i64' || p.type === 'u64' ? 'i64' : 'i32');
  }
  out.push('i32 addrspace(1)*', 'i32 addrspace(1)*', 'i32', 'i32');
  return out;
}

/** A constant in textual IR, exactly (floats as the hex of their double bits). */
export function constantIR(e: ElemType, v: number): string {
  if (e === 'f32' || e === 'f64') {
    // One NaN, quiet: a payload carried over from V8 or the data could read as signalling.
    if (Number.isNaN(v)) return '0x7FF8000000000000';
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, e === 'f32' ? Math.fround(v) : v);
    return `0x${d.getBigUint64(0).toString(16).toUpperCase().padStart(16, '0')}`;
  }
  const bits = e === 'i8' || e === 'u8' ? 8 : e === 'i16' || e === 'u16' ? 16 : 32;
  const n = Math.trunc(v) | 0;
  return String(bits === 32 ? n : (n << (32 - bits)) >> (32 - bits));
}

export const sharedPtrFn = (id: number): string => `numbat_shared_ptr_${id}`;
export const constPtrFn = (id: number): string => `numbat_const_ptr_${id}`;
export const DYNAMIC_SHARED_FN = 'numbat_dynamic_shared_ptr';
export const REPORT_OOB_FN = 'numbat_report_oob';
export const EXIT_INIT_FN = 'numbat_exit_init';
export const EXIT_MARK_FN = 'numbat_exit_mark';
export const EXIT_CHECK_FN = 'numbat_exit_check';

const word = (w: number, name: string): string => `  %p.${name} = getelementptr i32, i32 addrspace(1)* %rec, i64 ${w}\n`;
const put = (w: number, name: string, v: string): string => `${word(w, name)}  store volatile i32 ${v}, i32 addrspace(1)* %p.${name}, align 4\n`;

// The claim word lives in device memory (atomics on host-mapped memory are not
// atomic everywhere); the record itself is host memory mapped into the device,
// written by the one thread that won the claim, FLAG last.
const REPORT_OOB = `
declare void @llvm.nvvm.membar.sys()

define void @${REPORT_OOB_FN}(i32 addrspace(1)* %claim, i32 addrspace(1)* %rec, i32 %tag, i32 %site, i32 %index, i32 %len, i32 %tx, i32 %ty, i32 %tz, i32 %bx, i32 %by, i32 %bz) noinline cold nounwind {
entry:
  %r = cmpxchg volatile i32 addrspace(1)* %claim, i32 0, i32 1 seq_cst seq_cst
  %won = extractvalue { i32, i1 } %r, 1
  br i1 %won, label %write, label %done
write:
${put(ERR.KIND, 'kind', String(ERR_BOUNDS))}${put(ERR.TAG, 'tag', '%tag')}${put(ERR.SITE, 'site', '%site')}${put(ERR.INDEX, 'index', '%index')}${put(ERR.LENGTH, 'len', '%len')}${put(ERR.THREAD, 'tx', '%tx')}${put(ERR.THREAD + 1, 'ty', '%ty')}${put(ERR.THREAD + 2, 'tz', '%tz')}${put(ERR.BLOCK, 'bx', '%bx')}${put(ERR.BLOCK + 1, 'by', '%by')}${put(ERR.BLOCK + 2, 'bz', '%bz')}  call void @llvm.nvvm.membar.sys()
${put(ERR.FLAG, 'flag', '1')}  br label %done
done:
  ret void
}
`;

// A thread that returns while others wait at a barrier (undefined behaviour
// on a GPU) is counted in shared memory; each barrier checks the count after
// it and, when non-zero, records the error and ends the waiting threads.
const EXIT_TRACKING = `
@numbat_exited = internal addrspace(3) global i32 undef, align 4
@numbat_exited_first = internal addrspace(3) global i32 undef, align 4

declare void @llvm.nvvm.barrier0()

define void @${EXIT_INIT_FN}(i32 %tid) alwaysinline nounwind {
entry:
  %first = icmp eq i32 %tid, 0
  br i1 %first, label %init, label %sync
init:
  store volatile i32 0, i32 addrspace(3)* @numbat_exited, align 4
  store volatile i32 2147483647, i32 addrspace(3)* @numbat_exited_first, align 4
  br label %sync
sync:
  call void @llvm.nvvm.barrier0()
  ret void
}

define void @${EXIT_MARK_FN}(i32 %tid) alwaysinline nounwind {
  %a = atomicrmw min i32 addrspace(3)* @numbat_exited_first, i32 %tid seq_cst
  %b = atomicrmw add i32 addrspace(3)* @numbat_exited, i32 1 seq_cst
  ret void
}

define i1 @${EXIT_CHECK_FN}(i32 addrspace(1)* %claim, i32 addrspace(1)* %rec, i32 %tag, i32 %site, i32 %tid, i32 %bx, i32 %by, i32 %bz) alwaysinline nounwind {
entry:
  %n = load volatile i32, i32 addrspace(3)* @numbat_exited, align 4
  %any = icmp ne i32 %n, 0
  br i1 %any, label %report, label %fine
report:
  %gone = load volatile i32, i32 addrspace(3)* @numbat_exited_first, align 4
  %r = cmpxchg volatile i32 addrspace(1)* %claim, i32 0, i32 1 seq_cst seq_cst
  %won = extractvalue { i32, i1 } %r, 1
  br i1 %won, label %write, label %out
write:
${put(ERR.KIND, 'kind', String(ERR_BARRIER_EXIT))}${put(ERR.TAG, 'tag', '%tag')}${put(ERR.SITE, 'site', '%site')}${put(ERR.THREAD, 'gone', '%gone')}${put(ERR.OTHER, 'other', '%tid')}${put(ERR.BLOCK, 'bx', '%bx')}${put(ERR.BLOCK + 1, 'by', '%by')}${put(ERR.BLOCK + 2, 'bz', '%bz')}  call void @llvm.nvvm.membar.sys()
${put(ERR.FLAG, 'flag', '1')}  br label %out
out:
  ret i1 true
fine:
  ret i1 false
}
`;

/** f32 approximations from NVVM intrinsics: fastmath without libdevice. */
const APPROX = `
declare float @llvm.nvvm.sin.approx.f(float)
declare float @llvm.nvvm.cos.approx.f(float)
declare float @llvm.nvvm.ex2.approx.f(float)
declare float @llvm.nvvm.lg2.approx.f(float)
define float @numbat_approx_sinf(float %x) alwaysinline nounwind { %r = call float @llvm.nvvm.sin.approx.f(float %x)
  ret float %r }
define float @numbat_approx_cosf(float %x) alwaysinline nounwind { %r = call float @llvm.nvvm.cos.approx.f(float %x)
  ret float %r }
define float @numbat_approx_tanf(float %x) alwaysinline nounwind { %s = call float @llvm.nvvm.sin.approx.f(float %x)
  %c = call float @llvm.nvvm.cos.approx.f(float %x)
  %r = fdiv float %s, %c
  ret float %r }
define float @numbat_approx_expf(float %x) alwaysinline nounwind { %y = fmul float %x, ${constantIR('f32', Math.LOG2E)}
  %r = call float @llvm.nvvm.ex2.approx.f(float %y)
  ret float %r }
define float @numbat_approx_log2f(float %x) alwaysinline nounwind { %r = call float @llvm.nvvm.lg2.approx.f(float %x)
  ret float %r }
define float @numbat_approx_logf(float %x) alwaysinline nounwind { %l = call float @llvm.nvvm.lg2.approx.f(float %x)
  %r = fmul float %l, ${constantIR('f32', Math.LN2)}
  ret float %r }
define float @numbat_approx_log10f(float %x) alwaysinline nounwind { %l = call float @llvm.nvvm.lg2.approx.f(float %x)
  %r = fmul float %l, ${constantIR('f32', Math.LN2 / Math.LN10)}
  ret float %r }
define float @numbat_approx_powf(float %x, float %y) alwaysinline nounwind { %l = call float @llvm.nvvm.lg2.approx.f(float %x)
  %m = fmul float %l, %y
  %r = call float @llvm.nvvm.ex2.approx.f(float %m)
  ret float %r }
`;

// cuda.threadfence_block / threadfence / threadfence_system: PTX membar at the
// scope asked (LLVM 14's NVPTX turns every `fence` into membar.sys).
const FENCES = [
  fenceHelperIR('block', '  call void asm sideeffect "membar.cta;", "~{memory}"()'),
  fenceHelperIR('device', '  call void asm sideeffect "membar.gl;", "~{memory}"()'),
  fenceHelperIR('system', '  call void asm sideeffect "membar.sys;", "~{memory}"()'),
].join('\n');

// cuda.cg.this_grid().sync() under a cooperative launch (every block resident):
// the block's barrier, then thread (0,0,0) of each block adds to one counter in
// global memory: block 0 adds 0x80000000 - (blocks - 1), the others 1, so the
// sum of one barrier's additions is exactly 0x80000000: the top bit flips when
// the last block arrives, and the low bits come back to where they were (no reset,
// as cooperative groups' own grid barrier does). Each leader waits for the flip.
export const GRID_SYNC = `@numbat_grid_arrived = internal addrspace(1) global i32 0, align 4
declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.tid.y()
declare i32 @llvm.nvvm.read.ptx.sreg.tid.z()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.y()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.z()
declare i32 @llvm.nvvm.read.ptx.sreg.nctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.nctaid.y()
declare i32 @llvm.nvvm.read.ptx.sreg.nctaid.z()
define void @numbat_grid_sync() alwaysinline nounwind {
entry:
  call void @llvm.nvvm.barrier0()
  %tx = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %ty = call i32 @llvm.nvvm.read.ptx.sreg.tid.y()
  %tz = call i32 @llvm.nvvm.read.ptx.sreg.tid.z()
  %t1 = or i32 %tx, %ty
  %t2 = or i32 %t1, %tz
  %lead = icmp eq i32 %t2, 0
  br i1 %lead, label %arrive, label %after
arrive:
  %bx = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %by = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.y()
  %bz = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.z()
  %gx = call i32 @llvm.nvvm.read.ptx.sreg.nctaid.x()
  %gy = call i32 @llvm.nvvm.read.ptx.sreg.nctaid.y()
  %gz = call i32 @llvm.nvvm.read.ptx.sreg.nctaid.z()
  %g1 = mul i32 %gx, %gy
  %nb = mul i32 %g1, %gz
  %b1 = or i32 %bx, %by
  %b2 = or i32 %b1, %bz
  %first = icmp eq i32 %b2, 0
  %others = sub i32 %nb, 1
  %big = sub i32 -2147483648, %others
  %inc = select i1 %first, i32 %big, i32 1
  call void asm sideeffect "membar.gl;", "~{memory}"()
  %old = atomicrmw add i32 addrspace(1)* @numbat_grid_arrived, i32 %inc seq_cst
  br label %spin
spin:
  %now = load volatile i32, i32 addrspace(1)* @numbat_grid_arrived, align 4
  %flip = xor i32 %old, %now
  %top = and i32 %flip, -2147483648
  %wait = icmp eq i32 %top, 0
  br i1 %wait, label %spin, label %passed
passed:
  call void asm sideeffect "membar.gl;", "~{memory}"()
  br label %after
after:
  call void @llvm.nvvm.barrier0()
  ret void
}`;

export interface HelperModuleInput {
  plan: CudaPlan;
  arrays: readonly KernelArray[];
  atomics: Iterable<AtomicUse>;
  /** Flush f32 denormals (fastmath): answers libdevice's __CUDA_FTZ. */
  ftz: boolean;
  approx: boolean;
  /** The kernel calls cuda.activemask() (warp.ts). */
  activemask?: boolean;
  /** Element types of the four-element loads the kernel calls. */
  quads?: Iterable<'float' | 'i32'>;
  /** Float types whose sin-and-cos pair (@numbat/llvm SINCOS_FNS) the kernel calls. */
  sincos?: Iterable<'f32' | 'f64'>;
}

export const quadLoadFn = (t: 'float' | 'i32'): string => `numbat_quad_load_${t === 'float' ? 'f32' : 'i32'}`;

/**
 * Elements p[0..3] of a global array (core's quadLoadAt groups): one 16-byte
 * ld.global.v4 where p is 16-byte aligned, as device arrays always are; four
 * loads for a host array that is a view at another offset. The vector load is
 * inline PTX: LLVM's O3 splits a plain vector load whose lanes are extracted
 * back into four scalar loads, which then lose the alignment the branch proved.
 * Not `sideeffect`, no clobber: like a load, it may move, but not across stores
 * (LLVM treats an inline-asm call as one that may access memory).
 */
function quadLoadIR(t: 'float' | 'i32'): string {
  const s = `{ ${t}, ${t}, ${t}, ${t} }`, k = [0, 1, 2, 3];
  const [ptx, reg] = t === 'float' ? ['f32', 'f'] : ['u32', 'r'];
  return [
    `define ${s} @${quadLoadFn(t)}(${t} addrspace(1)* %p) alwaysinline nounwind {`,
    `  %a = ptrtoint ${t} addrspace(1)* %p to i64`,
    `  %lo = and i64 %a, 15`,
    `  %ok = icmp eq i64 %lo, 0`,
    `  br i1 %ok, label %vec, label %one`,
    `vec:`,
    `  %v = call ${s} asm "ld.global.v4.${ptx} {$0, $1, $2, $3}, [$4];", "=${reg},=${reg},=${reg},=${reg},l"(i64 %a)`,
    `  br label %join`,
    `one:`,
    ...k.map((i) => `  %p${i} = getelementptr ${t}, ${t} addrspace(1)* %p, i64 ${i}\n  %s${i} = load ${t}, ${t} addrspace(1)* %p${i}, align 4`),
    ...k.map((i) => `  %t${i} = insertvalue ${s} ${i ? `%t${i - 1}` : 'undef'}, ${t} %s${i}, ${i}`),
    `  br label %join`,
    `join:`,
    `  %r = phi ${s} [ %v, %vec ], [ %t3, %one ]`,
    `  ret ${s} %r`,
    `}`,
  ].join('\n');
}

/** The helper module of one kernel. */
export function cudaHelperModule(h: HelperModuleInput): string {
  const types = kernelParamTypesIR(h.plan).join(', ');
  const parts: string[] = [
    `declare void @${h.plan.entry}(${types})`,
    `!nvvm.annotations = !{!0}`,
    `!0 = !{void (${types})* @${h.plan.entry}, !"kernel", i32 1}`,
    `!llvm.module.flags = !{!1}`,
    `!1 = !{i32 4, !"nvvm-reflect-ftz", i32 ${h.ftz ? 1 : 0}}`,
    REPORT_OOB,
  ];
  if (h.plan.tracksExit) parts.push(EXIT_TRACKING);
  if (h.approx) parts.push(APPROX);
  if (h.activemask) parts.push(ACTIVEMASK_IR);
  let dynamic = false;
  for (const a of h.arrays) {
    const t = elemIR(a.elem);
    if (a.space === 'shared' && a.size === 0) dynamic = true;
    else if (a.space === 'shared') {
      const at = `[${a.size} x ${t}]`;
      parts.push(`@numbat_shared_${a.id} = internal addrspace(3) global ${at} undef, align 16`,
        `define ${t} addrspace(3)* @${sharedPtrFn(a.id)}() alwaysinline nounwind {\n  ret ${t} addrspace(3)* getelementptr inbounds (${at}, ${at} addrspace(3)* @numbat_shared_${a.id}, i64 0, i64 0)\n}`);
    } else if (a.space === 'const') {
      const values = a.values ?? [];
      const at = `[${values.length} x ${t}]`;
      const init = values.length ? `[${values.map((v) => `${t} ${constantIR(a.elem, v)}`).join(', ')}]` : 'zeroinitializer';
      parts.push(`@numbat_const_${a.id} = internal addrspace(4) constant ${at} ${init}, align 16`,
        `define ${t} addrspace(4)* @${constPtrFn(a.id)}() alwaysinline nounwind {\n  ret ${t} addrspace(4)* getelementptr inbounds (${at}, ${at} addrspace(4)* @numbat_const_${a.id}, i64 0, i64 0)\n}`);
    }
  }
  if (dynamic) {
    parts.push(`@numbat_dynamic_shared = external addrspace(3) global [0 x i8], align 16`,
      `define i8 addrspace(3)* @${DYNAMIC_SHARED_FN}() alwaysinline nounwind {\n  ret i8 addrspace(3)* getelementptr inbounds ([0 x i8], [0 x i8] addrspace(3)* @numbat_dynamic_shared, i64 0, i64 0)\n}`);
  }
  for (const a of h.atomics) parts.push(atomicHelperIR(a.op, a.elem, a.addrSpace));
  for (const t of h.quads ?? []) parts.push(quadLoadIR(t));
  for (const t of h.sincos ?? []) parts.push(sincosWrapperIR(t, t === 'f32' ? '__nv_sincosf' : '__nv_sincos'));
  parts.push(FENCES);
  if (h.plan.gridSync) parts.push(h.plan.tracksExit ? '' : 'declare void @llvm.nvvm.barrier0()', GRID_SYNC);
  return parts.join('\n') + '\n';
}
