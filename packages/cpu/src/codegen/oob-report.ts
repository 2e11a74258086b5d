// The out-of-bounds reports of one kernel function share a single cold block:
// each failing check only jumps there, handing over what varies (site, index,
// threadIdx) through phis, and that block makes the one `numbat_report_oob`
// call (helpers-ir.ts, which also decodes the linear block id). With a call of
// its own per check (nine arguments, the block coordinates recomputed), the
// ~50 checks of a kernel using random were ~40 % of its compile time.

import type { LLVMNS } from '@numbat/llvm';
import type { BlockFrame, FunctionUnit } from './context.js';
import type { KernelStorage } from './storage.js';

type Value = LLVMNS.Value;

export interface OobReport {
  /** Ends the current block with a jump to the report of `site` (the index into plan.sites). */
  jump(site: number, index: Value, thread: readonly [Value, Value, Value]): void;
}

export function oobReport(f: FunctionUnit, storage: KernelStorage, frame: BlockFrame): OobReport {
  const { e } = f, b = e.b;
  let shared: { block: LLVMNS.BasicBlock; phis: LLVMNS.PHINode[] } | undefined;
  /** Built at the first failing check (a kernel without checks has none). */
  const build = (): NonNullable<typeof shared> => {
    const from = b.GetInsertBlock()!;
    const block = f.block('oob.report');
    b.SetInsertPoint(block);
    const phis = ['oob.site', 'oob.index', 'oob.tx', 'oob.ty', 'oob.tz'].map((name) => b.CreatePHI(e.i32, 4, name));
    e.call('numbat_report_oob', e.void, [storage.info, ...phis, frame.blk], [e.ptr(e.i32), e.i32, e.i32, e.i32, e.i32, e.i32, e.i32]);
    b.CreateBr(frame.errorExit);
    b.SetInsertPoint(from);
    return { block, phis };
  };
  return {
    jump(site, index, thread) {
      shared ??= build();
      const from = b.GetInsertBlock()!;
      [e.int(site), index, ...thread].forEach((v, i) => shared!.phis[i].addIncoming(v, from));
      b.CreateBr(shared.block);
    },
  };
}
