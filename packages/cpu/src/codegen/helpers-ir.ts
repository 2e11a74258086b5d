// The CPU helper module: small functions the generated kernel calls and that
// need instructions llvm-bindings cannot build (atomic loads, cmpxchg), as
// textual LLVM 14 IR. The same text serves x86-64 and AArch64 (nothing in it
// is target-specific; NativeModule.setTarget gives the module its triple).
// Atomic RMW helpers come from the shared generator (llvm/atomics.ts).

import { atomicHelperIR, fenceHelperIR, sincosWrapperIR, type AtomicUse } from '@numbat/llvm';
import { ERR_BARRIER_EXIT, ERR_BOUNDS, ERR_GRID_EXIT, INFO } from './abi.js';

const gep = (word: number): string => `getelementptr i32, i32* %info, i64 ${word}`;

const claim = `  %flagp = ${gep(INFO.ERR_FLAG)}
  %r = cmpxchg i32* %flagp, i32 0, i32 1 seq_cst seq_cst
  %ok = extractvalue { i32, i1 } %r, 1
  br i1 %ok, label %rec, label %done`;

const RUNTIME_HELPERS = `
define i32 @numbat_error_pending(i32* %info) alwaysinline nounwind {
  %flagp = ${gep(INFO.ERR_FLAG)}
  %v = load atomic i32, i32* %flagp monotonic, align 4
  ret i32 %v
}

; Dynamic scheduling (abi.ts): the first of the next %chunk blocks, claimed by
; whichever worker asks first (the caller compares it unsigned with its end).
define i32 @numbat_claim_blocks(i32* %info, i32 %chunk) alwaysinline nounwind {
  %p = ${gep(INFO.NEXT_BLOCK)}
  %v = atomicrmw add i32* %p, i32 %chunk monotonic
  ret i32 %v
}

; The stoppable variant's poll at loop back-edges (same word, its own name so
; that inspect('llvm') shows where a kernel polls).
define i32 @numbat_stop_requested(i32* %info) alwaysinline nounwind {
  %flagp = ${gep(INFO.ERR_FLAG)}
  %v = load atomic i32, i32* %flagp monotonic, align 4
  ret i32 %v
}

; An out-of-bounds access (codegen/oob-report.ts: one call per kernel function).
; The block comes as its linear id (x fastest, as in kernel.ts's block loop):
; its coordinates are decoded here, on the cold path, not at every check.
define void @numbat_report_oob(i32* %info, i32 %site, i32 %index, i32 %tx, i32 %ty, i32 %tz, i32 %blk) noinline cold nounwind {
entry:
${claim}
rec:
  %gxp = ${gep(INFO.GRID)}
  %gx = load i32, i32* %gxp, align 4
  %gyp = ${gep(INFO.GRID + 1)}
  %gy = load i32, i32* %gyp, align 4
  %bx = urem i32 %blk, %gx
  %rest = udiv i32 %blk, %gx
  %by = urem i32 %rest, %gy
  %bz = udiv i32 %rest, %gy
${[
  [INFO.ERR_KIND, String(ERR_BOUNDS)], [INFO.ERR_SITE, '%site'], [INFO.ERR_INDEX, '%index'],
  [INFO.ERR_THREAD, '%tx'], [INFO.ERR_THREAD + 1, '%ty'], [INFO.ERR_THREAD + 2, '%tz'],
  [INFO.ERR_BLOCK, '%bx'], [INFO.ERR_BLOCK + 1, '%by'], [INFO.ERR_BLOCK + 2, '%bz'],
].map(([w, v], i) => `  %w${i} = ${gep(Number(w))}\n  store i32 ${v}, i32* %w${i}, align 4`).join('\n')}
  br label %done
done:
  ret void
}

; A thread returned while others wait at a barrier: record the first exited
; and the first waiting thread (linear ids; the runtime makes coordinates).
define void @numbat_report_barrier_exit(i32* %info, i32 %site, i8* %exited, i32 %n, i32 %bx, i32 %by, i32 %bz) noinline cold nounwind {
entry:
${claim}
rec:
  br label %loop
loop:
  %i = phi i32 [ 0, %rec ], [ %i1, %loop ]
  %fe = phi i32 [ -1, %rec ], [ %fe1, %loop ]
  %fa = phi i32 [ -1, %rec ], [ %fa1, %loop ]
  %p = getelementptr i8, i8* %exited, i32 %i
  %e = load i8, i8* %p
  %isE = icmp ne i8 %e, 0
  %feNone = icmp slt i32 %fe, 0
  %takeE = and i1 %isE, %feNone
  %fe1 = select i1 %takeE, i32 %i, i32 %fe
  %faNone = icmp slt i32 %fa, 0
  %notE = xor i1 %isE, true
  %takeA = and i1 %notE, %faNone
  %fa1 = select i1 %takeA, i32 %i, i32 %fa
  %i1 = add i32 %i, 1
  %more = icmp slt i32 %i1, %n
  br i1 %more, label %loop, label %write
write:
${[
  [INFO.ERR_KIND, String(ERR_BARRIER_EXIT)], [INFO.ERR_SITE, '%site'], [INFO.ERR_THREAD, '%fe1'], [INFO.ERR_OTHER, '%fa1'],
  [INFO.ERR_BLOCK, '%bx'], [INFO.ERR_BLOCK + 1, '%by'], [INFO.ERR_BLOCK + 2, '%bz'],
].map(([w, v], i) => `  %x${i} = ${gep(Number(w))}\n  store i32 ${v}, i32* %x${i}, align 4`).join('\n')}
  br label %done
done:
  ret void
}

; First thread that has not returned (n when none).
define i32 @numbat_first_alive(i8* %exited, i32 %n) nounwind {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %next ]
  %more = icmp slt i32 %i, %n
  br i1 %more, label %test, label %out
test:
  %p = getelementptr i8, i8* %exited, i32 %i
  %e = load i8, i8* %p
  %alive = icmp eq i8 %e, 0
  br i1 %alive, label %out, label %next
next:
  %i1 = add i32 %i, 1
  br label %loop
out:
  ret i32 %i
}
`;

// The grid barrier of a cooperative launch: each block is its own native call
// (launch.ts), so all blocks are resident. COUNT gathers arrivals and finished
// blocks; the block that makes it reach GRID_BLOCKS resets it and bumps GEN,
// which the others wait for (yielding the core). A block that finishes before a
// barrier every other block reaches is an error (as in the simulator), reported
// by whoever completes that barrier; the error flag also releases every waiter.
// numbat_grid_sync returns 1 when the launch has failed (the block then stops).
const GRID_HELPERS = `
declare i32 @sched_yield() nounwind

define void @numbat_report_grid_exit(i32* %info, i32 %left, i32 %waiting) noinline cold nounwind {
entry:
${claim}
rec:
  %k = ${gep(INFO.ERR_KIND)}
  store i32 ${ERR_GRID_EXIT}, i32* %k, align 4
  %l = ${gep(INFO.ERR_THREAD)}
  store i32 %left, i32* %l, align 4
  %w = ${gep(INFO.ERR_OTHER)}
  store i32 %waiting, i32* %w, align 4
  br label %done
done:
  ret void
}

define i32 @numbat_grid_sync(i32* %info, i32 %blk) noinline nounwind {
entry:
  %nbp = ${gep(INFO.GRID_BLOCKS)}
  %nb = load i32, i32* %nbp, align 4
  %genp = ${gep(INFO.GRID_GEN)}
  %countp = ${gep(INFO.GRID_COUNT)}
  %leftp = ${gep(INFO.GRID_LEFT)}
  %flagp = ${gep(INFO.ERR_FLAG)}
  %gen = load atomic i32, i32* %genp acquire, align 4
  %c0 = atomicrmw add i32* %countp, i32 1 seq_cst
  %c = add i32 %c0, 1
  %last = icmp eq i32 %c, %nb
  br i1 %last, label %release, label %wait
release:
  %left = load atomic i32, i32* %leftp seq_cst, align 4
  %someLeft = icmp ne i32 %left, 0
  br i1 %someLeft, label %exited, label %open
exited:
  call void @numbat_report_grid_exit(i32* %info, i32 -1, i32 %blk)
  br label %open
open:
  store atomic i32 0, i32* %countp seq_cst, align 4
  %gen1 = add i32 %gen, 1
  store atomic i32 %gen1, i32* %genp seq_cst, align 4
  br label %out
wait:
  %now = load atomic i32, i32* %genp acquire, align 4
  %passed = icmp ne i32 %now, %gen
  br i1 %passed, label %out, label %check
check:
  %err = load atomic i32, i32* %flagp monotonic, align 4
  %failed = icmp ne i32 %err, 0
  br i1 %failed, label %out, label %yield
yield:
  %y = call i32 @sched_yield()
  br label %wait
out:
  %e = load atomic i32, i32* %flagp seq_cst, align 4
  %stop = icmp ne i32 %e, 0
  %r = zext i1 %stop to i32
  ret i32 %r
}

; A block of a grid-barrier kernel has finished. When that completes a barrier
; other blocks wait at, they wait for a block that will never come: an error.
; LEFT is read once COUNT is full, not taken from this block's own increment:
; another block may finish between this block's two increments (then both have
; finished and nobody waits; the earlier value of LEFT said someone did). With
; COUNT full every block is counted, each finished one in LEFT first, so LEFT
; read then is exact.
define void @numbat_grid_leave(i32* %info, i32 %blk) noinline nounwind {
entry:
  %nbp = ${gep(INFO.GRID_BLOCKS)}
  %nb = load i32, i32* %nbp, align 4
  %genp = ${gep(INFO.GRID_GEN)}
  %countp = ${gep(INFO.GRID_COUNT)}
  %leftp = ${gep(INFO.GRID_LEFT)}
  %l0 = atomicrmw add i32* %leftp, i32 1 seq_cst
  %c0 = atomicrmw add i32* %countp, i32 1 seq_cst
  %c = add i32 %c0, 1
  %full = icmp eq i32 %c, %nb
  br i1 %full, label %check, label %done
check:
  %left = load atomic i32, i32* %leftp seq_cst, align 4
  %waiters = icmp ne i32 %left, %nb
  br i1 %waiters, label %fail, label %done
fail:
  call void @numbat_report_grid_exit(i32* %info, i32 %blk, i32 -1)
  %gen = load atomic i32, i32* %genp seq_cst, align 4
  %gen1 = add i32 %gen, 1
  store atomic i32 %gen1, i32* %genp seq_cst, align 4
  br label %done
done:
  ret void
}
`;

/** The helper module for one kernel: runtime helpers plus the atomics it uses (and the f32 sin-and-cos pair, `sincos`). */
export function cpuHelperModule(atomics: Iterable<AtomicUse>, gridSync = false, sincos = false): string {
  // Fences: one coherent memory and blocks run by OS threads, so each scope is a seq_cst fence.
  const parts = [RUNTIME_HELPERS, fenceHelperIR('block'), fenceHelperIR('device'), fenceHelperIR('system')];
  if (gridSync) parts.push(GRID_HELPERS);
  if (sincos) parts.push(sincosWrapperIR('f32', 'sincosf')); // target-hooks.ts mathFor: libm's, the bits of its sinf and cosf
  for (const a of atomics) parts.push(atomicHelperIR(a.op, a.elem, a.addrSpace, { plain: a.plain }));
  return parts.join('\n');
}
