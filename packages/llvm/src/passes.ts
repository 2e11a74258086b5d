// The optimisation pipeline of both LLVM backends, fitted to the IR numbat
// emits instead of `default<O2>`/`<O3>`. A kernel module is one big function
// plus helpers that are all `alwaysinline` (or `noinline cold`), so the CGSCC
// inliner walk of the default pipelines, with its function simplification
// pipeline run once per helper and again over the inlined kernel, and their
// eight InstCombine runs over thousands of lines, was most of `optimize` while
// adding nothing: the lane groups are vectorised by the code generator, not by
// LLVM's loop vectoriser. What the generated code needs: the helpers inlined,
// locals promoted to registers (SROA), redundancies removed (EarlyCSE, GVN,
// InstCombine), loop invariants hoisted (LICM after rotation), the control flow
// simplified, and (cpu) the SLP vectoriser, which pays for itself in smaller
// code for `emit`. Measured in docs/backends/cpu.md ("Compile time").

const SIMPLIFY_CFG = 'simplifycfg<bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;no-switch-to-lookup;keep-loops;no-hoist-common-insts;no-sink-common-insts>';
/** The late form `default<O2>` ends with: loops may be merged away, common instructions hoisted and sunk. */
const SIMPLIFY_CFG_LATE = 'simplifycfg<bonus-inst-threshold=1;forward-switch-cond;switch-range-to-icmp;switch-to-lookup;no-keep-loops;hoist-common-insts;sink-common-insts>';

export interface FittedPipeline {
  /** Function passes run first (cuda: `nvvm-reflect`, which the default pipelines add for NVPTX). */
  early?: readonly string[];
  /**
   * Unroll loops as `default<O3>` does: fully when the trip count is a small
   * constant (the ten Philox rounds), then partially. cuda keeps what O3 made
   * of its loops (no GPU here to measure another choice); cpu's lane groups
   * run as fast with the rounds rolled, in less code for `emit`.
   */
  unroll: boolean;
  /** The SLP vectoriser (cpu). */
  slp: boolean;
}

/** A new-pass-manager pipeline string (LLVMRunPasses). */
export function fittedPipeline(o: FittedPipeline): string {
  const fn = [
    'sroa', 'early-cse<memssa>', SIMPLIFY_CFG, 'instcombine',
    'loop-mssa(licm,loop-rotate,licm)',
    ...(o.unroll ? ['loop(indvars,loop-deletion,loop-unroll-full)', 'sroa'] : []),
    'gvn', SIMPLIFY_CFG_LATE,
    ...(o.slp ? ['slp-vectorizer'] : []),
    'instcombine',
    ...(o.unroll ? ['loop-unroll<O3>', 'instcombine'] : []),
  ];
  const early = o.early?.length ? [`function(${o.early.join(',')})`] : [];
  return [...early, 'always-inline', `function(${fn.join(',')})`, 'globaldce'].join(',');
}
