// Warp collectives as PTX: shfl.sync, vote.sync, match.sync (sm_70+),
// bar.warp.sync through LLVM 14's NVVM intrinsics, and activemask through a
// helper with inline asm (helpers-ir.ts: LLVM 14 has no intrinsic for it).
// numbat's warp is CUDA's (32 consecutive linear thread ids), so the hardware
// gives ir/warp.ts's meaning directly; 64-bit values (f64, i64, u64) are shuffled
// and matched as two halves.

import type { WarpStmt } from '@numbat/core';
import type { Emitter, LLVMNS } from '@numbat/llvm';

type Value = LLVMNS.Value;

export const ACTIVEMASK_FN = 'numbat_activemask';
/** PTX's shfl modes and their `c` operand (clamp 31 for idx/down/bfly, 0 for up: a full 32-lane segment). */
const SHFL = { shfl_idx: ['idx', 31], shfl_up: ['up', 0], shfl_down: ['down', 31], shfl_xor: ['bfly', 31] } as const;

/** Where the caller is: its linear thread id in the block and the block's thread count (for a partial last warp). */
export interface WarpPlace { linearTid(): Value; blockThreads(): Value }

export function warpPtx(e: Emitter, s: WarpStmt, mask: Value | undefined, value: Value | undefined, lane: Value | undefined, place: WarpPlace): { result?: Value; pred?: Value } {
  const b = e.b;
  switch (s.op) {
    case 'shfl_idx': case 'shfl_up': case 'shfl_down': case 'shfl_xor': {
      const [mode, c] = SHFL[s.op];
      const shfl = (x: Value, t: 'i32' | 'f32'): Value =>
        e.call(`llvm.nvvm.shfl.sync.${mode}.${t}`, t === 'f32' ? e.f32 : e.i32, [mask!, x, lane!, e.int(c)]);
      const t = s.value!.type;
      let r: Value;
      if (t === 'f32') r = shfl(value!, 'f32');
      else if (t !== 'f64' && t !== 'i64' && t !== 'u64') r = shfl(value!, 'i32');
      else {
        const [lo, hi] = halves(e, t === 'f64' ? b.CreateBitCast(value!, e.i64) : value!).map((h) => shfl(h, 'i32'));
        const joined = b.CreateOr(b.CreateShl(b.CreateZExt(hi, e.i64), e.i64c(32)), b.CreateZExt(lo, e.i64));
        r = t === 'f64' ? b.CreateBitCast(joined, e.f64) : joined;
      }
      // ir/warp.ts: a source lane beyond the block (a partial last warp) gives the caller's own
      // value; the hardware leaves it undefined (seen on an H200), so test it here. The
      // hardware's own clamps (shfl_up below 0, shfl_down above 31) already give the own value.
      const tid = place.linearTid();
      const my = b.CreateAnd(tid, e.int(31));
      const k = b.CreateAnd(lane!, e.int(31));
      const src = s.op === 'shfl_idx' ? k : s.op === 'shfl_xor' ? b.CreateXor(my, k) : s.op === 'shfl_up' ? b.CreateSub(my, k) : b.CreateAdd(my, k);
      const srcTid = b.CreateAdd(b.CreateAnd(tid, e.int(~31)), src);
      const inside = b.CreateICmpSLT(srcTid, place.blockThreads());
      return { result: b.CreateSelect(inside, r, value!) };
    }
    case 'all': case 'any': case 'eq':
      return { result: e.call(`llvm.nvvm.vote.${s.op === 'eq' ? 'uni' : s.op}.sync`, e.i1, [mask!, value!]) };
    case 'ballot': return { result: e.call('llvm.nvvm.vote.ballot.sync', e.i32, [mask!, value!]) };
    case 'match_any': return { result: matchAny(e, mask!, value!, s.value!.type) };
    case 'match_all': {
      // match.all.sync's answer, as match.any.sync == mask (the same PTX match.sync family;
      // llvm-bindings cannot take apart match.all's {i32, i1} result).
      const r = matchAny(e, mask!, value!, s.value!.type);
      const same = b.CreateICmpEQ(r, mask!);
      return { result: b.CreateSelect(same, mask!, e.int(0)), pred: same };
    }
    case 'sync': e.call('llvm.nvvm.bar.warp.sync', e.void, [mask!]); return {};
    case 'activemask': return { result: e.call(ACTIVEMASK_FN, e.i32, []) };
  }
}

/** match.any.sync of a 32- or 64-bit integer: the mask's lanes holding the same value. */
function matchAny(e: Emitter, mask: Value, value: Value, t: string): Value {
  const match32 = (x: Value): Value => e.call('llvm.nvvm.match.any.sync.i32', e.i32, [mask, x]);
  if (t !== 'i64' && t !== 'u64') return match32(value);
  // The lanes whose low and high halves both match. (LLVM 14's match.any.sync.i64 gives PTX
  // with a 64-bit destination, which ptxas refuses: "Arguments mismatch for instruction 'match'".)
  const [lo, hi] = halves(e, value).map(match32);
  return e.b.CreateAnd(lo, hi);
}

/** The low and high 32 bits of an i64. */
function halves(e: Emitter, bits: Value): Value[] {
  return [e.b.CreateTrunc(bits, e.i32), e.b.CreateTrunc(e.b.CreateLShr(bits, e.i64c(32)), e.i32)];
}

/** The helper (textual IR) behind ACTIVEMASK_FN. */
export const ACTIVEMASK_IR = `define i32 @${ACTIVEMASK_FN}() alwaysinline nounwind {
  %m = call i32 asm sideeffect "activemask.b32 $0;", "=r"()
  ret i32 %m
}`;
