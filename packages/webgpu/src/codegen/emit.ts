// Typed IR → WGSL compute shader.
//
// Shape of the output: a uniform struct (grid, dispatch extent, scalars,
// lengths), storage bindings for array parameters, workgroup/const arrays,
// helpers, then `main` with @workgroup_size(nb_bx, nb_by, nb_bz) from override
// constants (one pipeline per block shape). The prologue turns the (possibly
// 2-D/3-D folded) dispatch back into the user's blockIdx and exits the padding
// workgroups. All IR locals are function-scope `var`s declared up front.
//
// Expressions may need statements before them ("pre-lines"): lazily evaluated
// arms of ?: and && whose evaluation has effects, atomics under bounds checks,
// broadcasts of uniform conditions. Such pre-lines go into the enclosing
// statement's block, in evaluation order.
//
// No Node-only imports here: a browser build uses this file as is.

import {
  CompileError, loadType, loopPassBounds, quadLoadAt, type ArrayRef, type LoopPassBounds, type AtomicExpr, type ElemType, type Expr, type KernelArray,
  type BinaryOp, type KernelIR, type Loc, type LoopStmt, type QuadLoad, type ScalarType, type Stmt,
} from '@numbat/core';
import { HelperSet } from './helpers.js';
import { MATH_LOWERING } from './math.js';
import { f32Bits, literal, sanitize, WGSL_TYPE, zeroOf } from './names.js';
import {
  ERR_BARRIER, ERR_LOOP, ERR_OOB, ERR_WORDS, isNarrow, LOOP_PASS_MARGIN, LOOP_UNROLL, U_FIXED_WORDS, type ArgLayout, type ArrayBinding, type ScalarSlot,
} from './layout.js';
import {
  analyzeWgslUniformity, containsBarrier, containsLoopExit, containsReturn, needsExitFlag, type WgslUniformity,
} from './uniformity.js';

export interface EmitOptions {
  boundscheck: boolean;
  /** Vendor-precision sin/cos/tan and division instead of the exact-range polyfills. */
  fastmath?: boolean;
  /** Parameters that receive the same buffer as an earlier one: param → that earlier param. */
  aliases?: ReadonlyMap<number, number>;
  /**
   * The driver ends every loop of a thread after this many passes in total
   * (llvmpipe: 65535): innermost loops are unrolled and a cut loop is reported.
   */
  loopIterationLimit?: number;
}

/** A place in the kernel that can report a run-time error. */
export type ErrorSite =
  | { kind: 'oob'; array: string; line?: number; signed: boolean }
  | { kind: 'barrier'; line?: number }
  | { kind: 'loop'; line?: number; limit: number };

export interface WgslKernel {
  code: string;
  /** For each WGSL line (index 0 = line 1), the user source location it came from. */
  lineLocs: (Loc | undefined)[];
  layout: ArgLayout;
  sites: ErrorSite[];
  /** Override constant sizing the dynamic shared array, with its bytes per element (user's and in WGSL). */
  dynamicShared?: { override: string; elemBytes: number; slotBytes: number };
  /** Bytes of workgroup memory used, not counting the dynamic shared array. */
  workgroupBytes: number;
  /** Kernel uses the exit-flag transform (returns under varying control before barriers). */
  exitFlag: boolean;
  /** The block is dispatched as one row of threads (llvmpipe variant: a barrier loop exits on a broadcast value). */
  linearBlock?: boolean;
  /** Under a driver loop limit: how the loops were written (LoopForm). */
  loopForm?: LoopForm;
}

/** How an array's elements are stored in WGSL. */
type Storage =
  | 'plain'        // array<T>
  | 'atomic'       // array<atomic<i32|u32>>
  | 'atomicf32'    // array<atomic<u32>> holding f32 bits
  | 'packed'       // read-only global 8/16-bit: array<u32> words
  | 'packedAtomic' // written global 8/16-bit: array<atomic<u32>> words (byte stores by and/or)
  | 'widened';     // shared/local/const 8/16-bit: one i32 per element (stores arrive wrapped: core's 'narrow-store' rule)

interface ArrInfo {
  name: string;
  user: string;
  elem: ElemType;
  storage: Storage;
  space: ArrayRef['space'];
  /** A u32 WGSL expression for the element count. */
  len: string;
}

interface Line { depth: number; text: string; loc?: Loc }

interface LoopCtx {
  /** 'continuing': WGSL continue/break map 1:1; 'wrapped': body runs inside a one-pass inner loop. */
  mode: 'continuing' | 'wrapped';
  breakFlag?: string;
  /** Loop contains no barrier (inside an exit-flag guard, a return can break out of it). */
  barrierFree: boolean;
  /** Under a driver loop limit: set on every deliberate exit of the loop. */
  doneFlag?: string;
}



/**
 * How loops are written under a driver loop limit. 'plain': as without a limit (all the
 * passes the thread can run are bounded, far below the limit); 'counted': every loop
 * counts its passes and checks that it was left on purpose, innermost loops whose
 * passes are bounded (and few in all) run one iteration per pass, the others
 * LOOP_UNROLL; 'unrolled': every innermost loop that can be runs LOOP_UNROLL per pass.
 */
export type LoopForm = 'plain' | 'counted' | 'unrolled';

export function emitWgsl(ir: KernelIR, opts: EmitOptions): WgslKernel {
  const limit = opts.loopIterationLimit;
  if (limit === undefined) return new Emitter(ir, opts).run();
  // Unrolled loops cost the driver's compiler (llvmpipe: 2-3× the time) for nothing when
  // a loop's passes are few: only loops the IR cannot bound need it. The bound counts the
  // kernel's loops and numbat's own (helpers, compare-exchange loops), so it is only
  // known after emission: each form is tried, plainest first, and kept if its count fits.
  const bounds = loopPassBounds(ir.body);
  const budget = Math.floor(limit / LOOP_PASS_MARGIN);
  const irFinite = [...bounds.values()].every((b) => b.passes < Infinity);
  for (const form of ['plain', 'counted'] as const) {
    if (form === 'plain' && !irFinite) continue;
    const e = new Emitter(ir, opts, form, bounds);
    const k = e.run();
    const { bounded, unbounded } = e.passTotals();
    if (bounded <= budget && (form === 'counted' || !unbounded)) return k;
    if (bounded > budget) break;
  }
  return new Emitter(ir, opts, 'unrolled', bounds).run();
}

class Emitter {
  private out: Line[] = [];
  private depth = 0;
  private loc?: Loc;
  private tmpCount = 0;
  private readonly helpers = new HelperSet();
  /** Kernel-specific functions (per-array atomics, packed access), by name. */
  private readonly generated = new Map<string, string>();
  private readonly sites: ErrorSite[] = [];
  private readonly arrays = new Map<string, ArrInfo>();
  private readonly localNames: string[] = [];
  private readonly loops: LoopCtx[] = [];
  private readonly u: WgslUniformity;
  private readonly exitFlag: boolean;
  /** Inside an exit-flag guard: number of barrier-free loops entered since the guard. */
  private guardLoopDepth = -1;
  private usesBroadcast = false;
  private countsPasses = false;
  /** Loops with a barrier being emitted around the current statement. */
  private barrierLoopDepth = 0;
  /** A loop with a barrier decides something from a broadcast (a workgroup-memory value). */
  private broadcastInBarrierLoop = false;
  private usesErrors = false;
  private readonly layout: ArgLayout;
  private readonly rw = new Set<number>();
  private readonly atomicParams = new Set<number>();
  private dynamicShared?: WgslKernel['dynamicShared'];
  private workgroupBytes = 0;
  private readonly privateConsts = new Set<number>();
  private readonly constInits: string[] = [];

  constructor(
    private readonly ir: KernelIR,
    private readonly opts: EmitOptions,
    private readonly loopForm: LoopForm = 'unrolled',
    private readonly passBounds: LoopPassBounds = new Map(),
  ) {
    const rep = (p: number): number => opts.aliases?.get(p) ?? p;
    ir.params.forEach((p, i) => {
      if (p.written) this.rw.add(rep(i));
      if (p.atomic) this.atomicParams.add(rep(i));
    });
    for (const a of ir.arrays) {
      if (a.space === 'const' && (a.values ?? []).some((v) => literal(loadType(a.elem), v) === undefined)) this.privateConsts.add(a.id);
    }
    this.u = analyzeWgslUniformity(ir, (p) => this.rw.has(rep(p)), (id) => this.privateConsts.has(id));
    this.exitFlag = needsExitFlag(ir, this.u);
    this.layout = this.planLayout(rep);
  }

  run(): WgslKernel {
    const ir = this.ir;
    for (const l of ir.locals) this.localNames[l.id] = `${sanitize(l.name)}_${l.id}`;
    // Body first: it decides which helpers, sites and declarations are needed.
    this.depth = 1;
    this.emitBlock(ir.body, true);
    const body = this.out;
    this.out = [];

    const lines: Line[] = [];
    const push = (text: string, depth = 0): void => { for (const t of text.split('\n')) lines.push({ depth, text: t }); };
    push(`// numbat kernel '${ir.name}' → WGSL (target webgpu)`);
    this.emitDeclarations(push);
    for (const code of this.helpers.code()) push(code);
    for (const code of this.generated.values()) push(code);
    push('');
    // llvmpipe miscompiles a loop with a barrier whose exit reads workgroup memory (our
    // broadcast) in a SIMD group the block leaves partly empty: with blockDim.x < 8 the
    // driver's loop passes run out for every later loop, and threads of a partly filled last
    // group stop. Such kernels dispatch the block as one row of bx*by*bz threads (threadIdx
    // taken apart from the linear index), so only the block's total matters: the launch
    // refuses totals that leave a group partly empty (docs/backends/webgpu.md).
    const linearBlock = this.opts.loopIterationLimit !== undefined && this.broadcastInBarrierLoop;
    if (linearBlock) {
      push('@compute @workgroup_size(nb_bx * nb_by * nb_bz)');
      push('fn main(@builtin(local_invocation_index) nb_lidx: u32, @builtin(workgroup_id) nb_wid: vec3u) {');
      push('let nb_lid = vec3u(nb_lidx % nb_bx, (nb_lidx / nb_bx) % nb_by, nb_lidx / (nb_bx * nb_by));', 1);
    } else {
      push('@compute @workgroup_size(nb_bx, nb_by, nb_bz)');
      push('fn main(@builtin(local_invocation_id) nb_lid: vec3u, @builtin(local_invocation_index) nb_lidx: u32, @builtin(workgroup_id) nb_wid: vec3u) {');
    }
    push('// blockIdx from the dispatch (grids over 65535 blocks are folded into 2-D/3-D dispatches)', 1);
    push('let nb_lin = (nb_wid.z * nb_a.disp_y + nb_wid.y) * nb_a.disp_x + nb_wid.x;', 1);
    push('if (nb_lin >= nb_a.nblocks) { return; }', 1);
    push('let nb_bid = vec3i(vec3u(nb_lin % nb_a.grid_x, (nb_lin / nb_a.grid_x) % nb_a.grid_y, nb_lin / (nb_a.grid_x * nb_a.grid_y)));', 1);
    if (this.usesErrors) push('nb_thread = nb_lid; nb_block = vec3u(nb_bid);', 1);
    for (const init of this.constInits) push(init, 1);
    for (const l of ir.locals) push(`var ${this.localNames[l.id]}: ${WGSL_TYPE[l.type]} = ${zeroOf(l.type)};`, 1);
    for (const a of ir.arrays) {
      if (a.space === 'local') push(`var ${this.arr({ space: 'local', id: a.id }).name}: array<${this.slotType(a)}, ${a.size}>;`, 1);
    }
    if (this.exitFlag) push('var nb_ret = false;', 1);
    lines.push(...body);
    if (this.usesErrors && !this.endsFlow(...ir.body)) push('nb_flush();', 1);
    push('}');

    const text: string[] = [];
    const lineLocs: (Loc | undefined)[] = [];
    let lastLine: number | undefined;
    for (const l of lines) {
      // A `// line N` marker wherever the user's line changes (for reading inspect('wgsl')).
      if (l.loc && l.loc.line !== lastLine && !/^[{}]|^} else \{$/.test(l.text)) {
        text.push('  '.repeat(l.depth) + `// line ${l.loc.line}`);
        lineLocs.push(l.loc);
        lastLine = l.loc.line;
      }
      text.push('  '.repeat(l.depth) + l.text);
      lineLocs.push(l.loc);
    }
    return {
      code: text.join('\n') + '\n', lineLocs, layout: this.layout, sites: this.sites,
      dynamicShared: this.dynamicShared, workgroupBytes: this.workgroupBytes, exitFlag: this.exitFlag, linearBlock,
      loopForm: this.opts.loopIterationLimit !== undefined ? this.loopForm : undefined,
    };
  }

  /**
   * The most WGSL loop passes a thread can run, after emission: `bounded` sums the
   * loops and helper calls with a bound, `unbounded` says whether any has none.
   */
  passTotals(): { bounded: number; unbounded: boolean } {
    let bounded = 0, unbounded = false;
    const add = (p: number): void => { if (p < Infinity) bounded += p; else unbounded = true; };
    for (const [s, { passes: p }] of this.passBounds) {
      // A loop whose update can leave it runs its body in a one-pass inner loop: twice the passes.
      add(containsLoopExit(s.update) || containsReturn(s.update) ? 2 * p : p);
    }
    add(this.helpers.passes);
    // Kernel-specific functions with a loop are compare-exchange retries: no bound.
    for (const code of this.generated.values()) if (/\bloop\b/.test(code)) unbounded = true;
    return { bounded, unbounded };
  }

  // ---------------------------------------------------------------- layout

  private planLayout(rep: (p: number) => number): ArgLayout {
    const ir = this.ir;
    const scalars: ScalarSlot[] = [];
    const lengthWord = new Map<number, number>();
    const arrays: ArrayBinding[] = [];
    const byRep = new Map<number, ArrayBinding>();
    let word = U_FIXED_WORDS;
    ir.params.forEach((p, i) => {
      if (p.type.kind === 'scalar') {
        scalars.push({ param: i, word: word++, type: p.type.type, field: `${sanitize(p.name)}_p${i}` });
        return;
      }
      lengthWord.set(i, word++);
      const r = rep(i);
      const existing = byRep.get(r);
      if (existing) { existing.params.push(i); return; }
      const elem = p.type.elem;
      const b: ArrayBinding = {
        params: [i], binding: arrays.length + 1, name: `${sanitize(p.name)}_g`, elem,
        packed: isNarrow(elem), readOnly: !this.rw.has(r),
      };
      byRep.set(r, b);
      arrays.push(b);
    });
    return { uniformWords: Math.ceil(word / 4) * 4, scalars, lengthWord, arrays };
  }

  private bindingOf(param: number): ArrayBinding {
    return this.layout.arrays.find((b) => b.params.includes(param))!;
  }

  private arr(r: ArrayRef): ArrInfo {
    const key = r.space === 'global' ? `g${r.param}` : `k${r.id}`;
    let info = this.arrays.get(key);
    if (info) return info;
    if (r.space === 'global') {
      const b = this.bindingOf(r.param);
      const rep = b.params[0];
      const atomic = this.atomicParams.has(this.opts.aliases?.get(rep) ?? rep);
      const storage: Storage = b.packed ? (b.readOnly ? 'packed' : 'packedAtomic')
        : atomic ? (b.elem === 'f32' ? 'atomicf32' : 'atomic') : 'plain';
      info = { name: b.name, user: this.ir.params[r.param].name, elem: b.elem, storage, space: 'global', len: `nb_a.${this.lenField(r.param)}` };
    } else {
      const a = this.ir.arrays[r.id];
      const base = `${sanitize(a.name)}_${r.space[0]}${a.id}`;
      let storage: Storage = isNarrow(a.elem) ? 'widened' : 'plain';
      if (r.space === 'shared' && a.atomic && !isNarrow(a.elem)) storage = a.elem === 'f32' ? 'atomicf32' : 'atomic';
      const len = r.space === 'shared' && a.size === 0 ? `nb_dynlen_${a.id}` : `${a.size}u`;
      info = { name: base, user: a.name, elem: a.elem, storage, space: r.space, len };
    }
    this.arrays.set(key, info);
    return info;
  }

  private lenField(param: number): string {
    return `${sanitize(this.ir.params[param].name)}_n${param}`;
  }

  /** Element type of a kernel array's WGSL declaration. */
  private slotType(a: KernelArray): string {
    const info = this.arr({ space: a.space, id: a.id } as ArrayRef);
    switch (info.storage) {
      case 'atomic': return `atomic<${a.elem}>`;
      case 'atomicf32': return 'atomic<u32>';
      case 'widened': return 'i32';
      default: return a.elem;
    }
  }

  private emitDeclarations(push: (text: string, depth?: number) => void): void {
    const ir = this.ir;
    push('struct NbArgs {');
    push('grid_x: u32, grid_y: u32, grid_z: u32,', 1);
    push('disp_x: u32, disp_y: u32, nblocks: u32,', 1);
    push('nb_zero: u32, // always 0 (nb_opq)', 1);
    const fields: { word: number; text: string }[] = [];
    for (const s of this.layout.scalars) fields.push({ word: s.word, text: `${s.field}: ${s.type === 'bool' ? 'u32' : s.type},` });
    for (const [p, w] of this.layout.lengthWord) fields.push({ word: w, text: `${this.lenField(p)}: u32,` });
    fields.sort((a, b) => a.word - b.word);
    for (const f of fields) push(f.text, 1);
    const used = fields.length ? fields[fields.length - 1].word + 1 : U_FIXED_WORDS;
    for (let w = used; w < this.layout.uniformWords; w++) push(`nb_pad${w}: u32,`, 1);
    push('}');
    push('@group(0) @binding(0) var<uniform> nb_a: NbArgs;');
    for (const b of this.layout.arrays) {
      const info = this.arr({ space: 'global', param: b.params[0] });
      const elem = info.storage === 'packed' ? 'u32' : info.storage === 'packedAtomic' || info.storage === 'atomicf32' ? 'atomic<u32>'
        : info.storage === 'atomic' ? `atomic<${b.elem}>` : b.elem;
      const names = b.params.map((p) => ir.params[p].name).join("', '");
      if (b.vec4Of !== undefined) {
        push(`@group(0) @binding(${b.binding}) var<storage, read> ${b.name}: array<vec4<${b.elem}>>; // '${names}' again, four elements at a time`);
        continue;
      }
      push(`@group(0) @binding(${b.binding}) var<storage, ${b.readOnly ? 'read' : 'read_write'}> ${b.name}: array<${elem}>; // '${names}'${b.packed ? ` (${b.elem}, packed in u32 words)` : ''}`);
    }
    if (this.usesErrors) {
      this.layout.errorBinding = this.layout.arrays.length + 1;
      push(`@group(0) @binding(${this.layout.errorBinding}) var<storage, read_write> nb_err: array<atomic<u32>, ${ERR_WORDS}>;`);
    }
    push('override nb_bx: u32 = 1u;');
    push('override nb_by: u32 = 1u;');
    push('override nb_bz: u32 = 1u;');
    for (const a of ir.arrays) {
      if (a.space === 'shared') {
        const info = this.arr({ space: 'shared', id: a.id });
        const slotBytes = 4;
        if (a.size === 0) {
          // Sized at launch from sharedMem: the array's size (at least 1) and its length.
          push(`override nb_dyn_${a.id}: u32 = 1u;`);
          push(`override nb_dynlen_${a.id}: u32 = 0u;`);
          this.dynamicShared = { override: `nb_dyn_${a.id}`, elemBytes: elemBytes(a.elem), slotBytes };
        } else {
          this.workgroupBytes += a.size * slotBytes;
        }
        push(`var<workgroup> ${info.name}: array<${this.slotType(a)}, ${a.size === 0 ? `nb_dyn_${a.id}` : info.len}>;`);
      } else if (a.space === 'const') {
        const info = this.arr({ space: 'const', id: a.id });
        const t = loadType(a.elem);
        const values = (a.values ?? []).map((v) => wrapConst(a.elem, v));
        if (this.privateConsts.has(a.id)) {
          // NaN/Infinity have no WGSL literal: fill a private copy at run time.
          push(`var<private> ${info.name}: array<${t}, ${a.size}>;`);
          this.helpers.use('nb_f32_bits');
          this.constInits.push(`${info.name} = array<${t}, ${a.size}>(${values.map((v) => literal(t, v) ?? `nb_f32_bits(0x${f32Bits(v).toString(16)}u)`).join(', ')});`);
        } else {
          push(`const ${info.name} = array<${t}, ${a.size}>(${values.map((v) => literal(t, v)!).join(', ')});`);
        }
      }
    }
    if (this.usesBroadcast) { push('var<workgroup> nb_bcast: u32;'); this.workgroupBytes += 4; }
    if (this.exitFlag) {
      push('var<workgroup> nb_nexit: atomic<u32>;');
      push('var<workgroup> nb_exiter: atomic<u32>;');
      this.workgroupBytes += 8;
    }
    // The passes of the kernel's loops the thread has run (llvmpipe variant): a cut loop's report says how many.
    if (this.countsPasses) push('var<private> nb_passes: u32;');
    if (this.usesErrors) {
      push('var<private> nb_thread: vec3u;');
      push('var<private> nb_block: vec3u;');
      push(`fn nb_report(kind: u32, site: u32, a: u32, b: u32) {
  if (atomicAdd(&nb_err[0], 1u) == 0u) {
    atomicStore(&nb_err[1], kind); atomicStore(&nb_err[2], site);
    atomicStore(&nb_err[3], a); atomicStore(&nb_err[4], b);
    atomicStore(&nb_err[5], nb_thread.x); atomicStore(&nb_err[6], nb_thread.y); atomicStore(&nb_err[7], nb_thread.z);
    atomicStore(&nb_err[8], nb_block.x); atomicStore(&nb_err[9], nb_block.y); atomicStore(&nb_err[10], nb_block.z);
  }
}
// Bounds checks: the index if it is in range, else note the first failure
// (reported by nb_flush at exit) and use element 0. Plain private-variable
// writes keep the check cheap in hot loops.
var<private> nb_bad: vec3u;
fn nb_flush() {
  if (nb_bad.x != 0u) { nb_report(${ERR_OOB}u, nb_bad.x - 1u, nb_bad.y, nb_bad.z); }
}
fn nb_ck_i(i: i32, n: u32, site: u32) -> u32 {
  let u = bitcast<u32>(i);
  if (u >= n && nb_bad.x == 0u) { nb_bad = vec3u(site + 1u, u, n); }
  return select(0u, u, u < n);
}
fn nb_ck_u(u: u32, n: u32, site: u32) -> u32 {
  if (u >= n && nb_bad.x == 0u) { nb_bad = vec3u(site + 1u, u, n); }
  return select(0u, u, u < n);
}
fn nb_ok_i(i: i32, n: u32, site: u32) -> bool {
  let u = bitcast<u32>(i);
  if (u >= n && nb_bad.x == 0u) { nb_bad = vec3u(site + 1u, u, n); }
  return u < n;
}
fn nb_ok_u(u: u32, n: u32, site: u32) -> bool {
  if (u >= n && nb_bad.x == 0u) { nb_bad = vec3u(site + 1u, u, n); }
  return u < n;
}`);
    }
  }

  // ---------------------------------------------------------------- lines

  private line(text: string): void {
    this.out.push({ depth: this.depth, text, loc: this.loc });
  }

  /** Runs `f` with output going to a fresh list (depths relative to 0); returns the lines. */
  private capture<T>(f: () => T): [T, Line[]] {
    const saved = this.out, savedDepth = this.depth;
    this.out = []; this.depth = 0;
    try {
      const r = f();
      return [r, this.out];
    } finally {
      this.out = saved; this.depth = savedDepth;
    }
  }

  private flush(lines: Line[], extra = 0): void {
    for (const l of lines) this.out.push({ depth: l.depth + this.depth + extra, text: l.text, loc: l.loc });
  }

  private tmp(prefix = 't'): string {
    return `nb_${prefix}${this.tmpCount++}`;
  }

  private fail(construct: string, message: string, loc?: Loc): never {
    throw new CompileError(construct, message, this.ir.name, this.ir.source, loc ?? this.loc);
  }

  // ---------------------------------------------------------------- statements

  /**
   * Emits a statement list. `structural`: the list runs under block-uniform
   * control in an exit-flag kernel (see emitStructural).
   */
  private emitBlock(stmts: Stmt[], structural: boolean): void {
    if (this.exitFlag && structural) { this.emitStructural(stmts); return; }
    for (let k = 0; k < stmts.length; k++) {
      const s = stmts[k];
      const quad = this.opts.boundscheck ? undefined : quadLoadAt(stmts, k);
      if (quad && this.quadLoad(quad)) { k += 3; continue; }
      this.emitStmt(s, false);
      if (s.kind === 'return' || s.kind === 'break' || s.kind === 'continue') return; // the rest is dead
      if (this.endsFlow(s)) return; // Tint warns (on stderr) about code after it
      // Inside a loop the check is needed after the last statement too: the loop's update and
      // condition would run again for a thread that returned (found by the fuzzer, seed 5001344).
      if (this.exitFlag && this.guardLoopDepth >= 0 && (k + 1 < stmts.length || this.guardLoopDepth > 0) && containsReturn([s])) {
        // A return inside this statement set nb_ret: skip the rest of the list.
        if (this.guardLoopDepth > 0) { this.line('if (nb_ret) { break; }'); continue; }
        this.line('if (!nb_ret) {');
        this.depth++;
        this.emitBlock(stmts.slice(k + 1), false);
        this.depth--;
        this.line('}');
        return;
      }
    }
  }

  /**
   * Exit-flag mode: a kernel with barriers whose `return`s may differ between
   * threads of a block. WGSL requires every barrier under uniform control, so a
   * return only sets nb_ret (and counts the thread in nb_nexit); statements that
   * are neither barriers, nor constructs holding barriers, nor uniform
   * computations run under `if (!nb_ret)`. Each barrier checks that no thread
   * has exited while others wait, which is what the simulator reports.
   */
  private emitStructural(stmts: Stmt[]): void {
    let group: Stmt[] = [];
    const flushGroup = (): void => {
      if (!group.length) return;
      this.line('if (!nb_ret) {');
      this.depth++;
      const saved = this.guardLoopDepth;
      this.guardLoopDepth = 0;
      this.emitBlock(group, false);
      this.guardLoopDepth = saved;
      this.depth--;
      this.line('}');
      group = [];
    };
    for (const s of stmts) {
      const barrierish = s.kind === 'barrier' || ((s.kind === 'if' || s.kind === 'loop') && containsBarrier([s]));
      const uniformAssign = s.kind === 'assign' && this.u.core.uniformLocals.has(s.local);
      // Uniform loop exits stay outside the guard: every thread must leave the loop together.
      const uniformExit = s.kind === 'break' || s.kind === 'continue' || (s.kind === 'if' && containsLoopExit([s]) && this.u.core.isUniform(s.cond) && !containsReturn([s]));
      if (barrierish || uniformAssign || uniformExit) {
        flushGroup();
        this.emitStmt(s, true);
        if (s.kind === 'break' || s.kind === 'continue') return;
      } else {
        group.push(s);
        if (s.kind === 'return') break;
      }
    }
    flushGroup();
  }

  /**
   * Does the emitted WGSL of these statements never reach what follows them
   * (Tint's behaviour analysis: break/continue, a return that is a WGSL return,
   * an if/else whose two arms both end so)? Code after it is not emitted: Tint
   * would warn "code is unreachable" on stderr for a valid kernel.
   */
  private endsFlow(...stmts: Stmt[]): boolean {
    return stmts.some((s) => s.kind === 'break' || s.kind === 'continue'
      || (s.kind === 'return' && !this.exitFlag)
      || (s.kind === 'if' && s.else.length > 0 && this.endsFlow(...s.then) && this.endsFlow(...s.else))
      || (s.kind === 'loop' && this.neverLeft(s)));
  }

  /**
   * A loop that only a return leaves: for Tint a loop falls through only by a
   * break of its own (the condition's, the body's, or the update's when the body
   * can reach the update). In exit-flag kernels a return is a break.
   */
  private neverLeft(s: LoopStmt): boolean {
    if (s.cond || containsBreak(s.body) || (this.exitFlag && containsReturn(s.body))) return false;
    const reachesUpdate = !this.endsFlow(...s.body) || containsContinue(s.body);
    return !(reachesUpdate && (containsBreak(s.update) || (this.exitFlag && containsReturn(s.update))));
  }

  private emitStmt(s: Stmt, structural: boolean): void {
    const savedLoc = this.loc;
    if (s.loc) this.loc = s.loc;
    try {
      switch (s.kind) {
        case 'assign': {
          const v = this.expr(s.value);
          this.line(`${this.localNames[s.local]} = ${v};`);
          break;
        }
        case 'store': this.store(s.array, s.index, s.value, s.inBounds); break;
        case 'expr': {
          const v = this.expr(s.expr);
          if (!/^nb_t\d+$/.test(v)) this.line(`_ = ${v};`);
          break;
        }
        case 'if': {
          const mustBeUniform = containsBarrier(s.then) || containsBarrier(s.else) || (this.inBarrierLoop() && containsLoopExit([s]));
          const c = this.condition(s.cond, mustBeUniform);
          this.line(`if (${c}) {`);
          this.depth++;
          this.emitBlock(s.then, structural);
          this.depth--;
          if (s.else.length) {
            this.line('} else {');
            this.depth++;
            this.emitBlock(s.else, structural);
            this.depth--;
          }
          this.line('}');
          break;
        }
        case 'loop': this.loop(s, structural); break;
        case 'break': {
          const l = this.loops[this.loops.length - 1];
          if (l.mode === 'wrapped' && l.breakFlag) this.line(`${l.breakFlag} = true;`);
          else if (l.doneFlag) this.line(`${l.doneFlag} = true;`);
          this.line('break;');
          break;
        }
        case 'continue': {
          const l = this.loops[this.loops.length - 1];
          this.line(l.mode === 'wrapped' ? 'break;' : 'continue;');
          break;
        }
        case 'return':
          if (this.exitFlag) {
            this.line('if (!nb_ret) { nb_ret = true; atomicAdd(&nb_nexit, 1u); atomicMax(&nb_exiter, nb_lidx + 1u); }');
            if (this.guardLoopDepth > 0) this.line('break;');
          } else if (this.opts.boundscheck) {
            this.usesErrors = true;
            this.line('nb_flush();');
            this.line('return;');
          } else {
            this.line('return;');
          }
          break;
        case 'barrier': this.barrier(); break;
      }
    } finally {
      this.loc = savedLoc;
    }
  }

  /**
   * Four consecutive loads of a read-only array as one vec4 load through a
   * second binding of its buffer (false: not possible here, emit them one by
   * one). Without bounds checks only: the kernel promises the indices are inside.
   */
  private quadLoad(q: QuadLoad): boolean {
    const vec = this.vec4Binding(q.param);
    if (!vec) return false;
    const saved = this.loc;
    if (q.stmts[0].loc) this.loc = q.stmts[0].loc;
    const [idx] = this.seq([q.index]);
    const v = this.tmp('v');
    this.line(`let ${v} = ${vec.name}[bitcast<u32>(${idx}) >> 2u];`);
    q.locals.forEach((l, k) => this.line(`${this.localNames[l]} = ${v}.${'xyzw'[k]};`));
    this.loc = saved;
    return true;
  }

  /** The array<vec4<T>> binding of parameter `param`'s buffer, made on first use; undefined where there can be none. */
  private vec4Binding(param: number): ArrayBinding | undefined {
    const b = this.bindingOf(param);
    const info = this.arr({ space: 'global', param });
    if (!b.readOnly || info.storage !== 'plain' || !['f32', 'i32', 'u32'].includes(b.elem)) return undefined;
    let vec = this.layout.arrays.find((x) => x.vec4Of === b.binding);
    if (vec) return vec;
    // One more storage binding, and the error report's: keep within WebGPU's default 8 per stage.
    if (this.layout.arrays.length + 2 > 8) return undefined;
    vec = { params: [...b.params], binding: this.layout.arrays.length + 1, name: `${b.name}4`, elem: b.elem, packed: false, readOnly: true, vec4Of: b.binding };
    this.layout.arrays.push(vec);
    return vec;
  }

  private inBarrierLoop(): boolean {
    const l = this.loops[this.loops.length - 1];
    return l !== undefined && !l.barrierFree;
  }

  private barrier(): void {
    const anyWritableGlobal = this.layout.arrays.some((b) => !b.readOnly);
    if (anyWritableGlobal) this.line('storageBarrier();');
    this.line('workgroupBarrier();');
    if (this.exitFlag) {
      this.usesErrors = true;
      const site = this.site({ kind: 'barrier', line: this.loc?.line });
      const seen = this.tmp('seen');
      // Read the exit count between two barriers, so that no thread can exit
      // (after this barrier) before every thread has read it.
      this.line(`let ${seen} = atomicLoad(&nb_nexit);`);
      this.line('workgroupBarrier();');
      this.line(`if (${seen} != 0u && !nb_ret) { nb_report(${ERR_BARRIER}u, ${site}u, atomicLoad(&nb_exiter) - 1u, 0u); }`);
    }
  }

  private loop(s: LoopStmt, structural: boolean): void {
    const hasBarrier = containsBarrier([s]);
    const barrierFree = !hasBarrier;
    // The tail `if (!c) break;` of a do-while becomes `break if !c;` in WGSL's continuing block.
    let update = s.update;
    let breakIf: Expr | undefined;
    const last = update[update.length - 1];
    if (last && last.kind === 'if' && last.else.length === 0 && last.then.length === 1 && last.then[0].kind === 'break') {
      breakIf = last.cond;
      update = update.slice(0, -1);
    }
    const mode: LoopCtx['mode'] = containsLoopExit(update) || containsReturn(update) ? 'wrapped' : 'continuing';
    if (mode === 'wrapped' && breakIf) { update = s.update; breakIf = undefined; }
    const ctx: LoopCtx = { mode, barrierFree };
    if (mode === 'wrapped') {
      ctx.breakFlag = this.tmp('brk');
      this.line(`var ${ctx.breakFlag} = false;`);
    }
    // Under a driver loop limit, every way out of the loop sets a flag; leaving
    // without it means the driver cut the loop short (reported after the loop).
    const limited = this.opts.loopIterationLimit !== undefined && this.loopForm !== 'plain';
    if (limited) {
      ctx.doneFlag = this.tmp('done');
      this.line(`var ${ctx.doneFlag} = false;`);
    }
    const done = ctx.doneFlag ? `${ctx.doneFlag} = true; ` : '';
    const savedGuard = this.guardLoopDepth;
    if (this.guardLoopDepth >= 0 && barrierFree) this.guardLoopDepth++;
    if (hasBarrier) this.barrierLoopDepth++;
    // Helper calls in here run once per pass at most.
    const savedScale = this.helpers.scale;
    const bound = this.passBounds.get(s) ?? { trips: Infinity, passes: Infinity };
    this.helpers.scale = bound.passes;
    this.line('loop {');
    this.depth++;
    if (limited) { this.countsPasses = true; this.line('nb_passes += 1u;'); }
    const bounded = this.loopForm === 'counted' && bound.passes < Infinity;
    if (limited && mode === 'continuing' && !bounded && this.unrollable(s)) {
      this.unrolledBody(s, update, breakIf, ctx, structural, bound.trips);
    } else {
      if (s.cond) {
        const c = this.condition(s.cond, hasBarrier);
        this.line(`if (!(${c})) { ${done}break; }`);
      }
      this.loops.push(ctx);
      if (mode === 'continuing') {
        this.emitBlock(s.body, structural);
        this.loops.pop();
        if (update.length || breakIf) {
          this.line('continuing {');
          this.depth++;
          // Inside `continuing`, break/continue of this loop are not allowed (none are left here).
          this.loops.push({ mode: 'continuing', barrierFree });
          this.emitBlock(update, structural);
          this.loops.pop();
          if (breakIf) {
            const c = this.condition(breakIf, hasBarrier);
            if (ctx.doneFlag) {
              // break if on the condition itself: WGSL's uniformity analysis sees the same value.
              const b = this.tmp('b');
              this.line(`let ${b} = ${c};`);
              this.line(`${ctx.doneFlag} = ${b};`);
              this.line(`break if ${b};`);
            } else {
              this.line(`break if ${c};`);
            }
          }
          this.depth--;
          this.line('}');
        }
      } else {
        this.line('loop {');
        this.depth++;
        this.emitBlock(s.body, structural);
        if (!this.endsFlow(...s.body)) this.line('break;');
        this.depth--;
        this.line('}');
        this.loops.pop();
        // Only returns leave a body that ends so without break/continue: the rest is unreachable.
        if (!this.endsFlow(...s.body) || containsLoopExit(s.body)) {
          this.line(`if (${ctx.breakFlag}) { ${done}break; }`);
          this.loops.push({ mode: 'continuing', barrierFree });
          this.emitBlock(update, structural);
          this.loops.pop();
        }
      }
    }
    this.depth--;
    this.line('}');
    this.helpers.scale = savedScale;
    this.guardLoopDepth = savedGuard;
    if (hasBarrier) this.barrierLoopDepth--;
    if (ctx.doneFlag && !this.neverLeft(s)) {
      this.usesErrors = true;
      const site = this.site({ kind: 'loop', line: this.loc?.line, limit: this.opts.loopIterationLimit! });
      // A thread that returned (exit-flag kernels) left the loop on purpose.
      this.line(`if (!${ctx.doneFlag}${this.exitFlag ? ' && !nb_ret' : ''}) { nb_report(${ERR_LOOP}u, ${site}u, nb_passes, 0u); }`);
    }
  }

  /**
   * An innermost loop without barriers, continue or a final unconditional exit
   * can run LOOP_UNROLL iterations per pass of the WGSL loop: llvmpipe counts
   * passes (65535 per thread, all loops together), so this multiplies what a
   * thread can iterate before the driver cuts it.
   */
  private unrollable(s: LoopStmt): boolean {
    const body = [...s.body, ...s.update];
    const tail = s.body[s.body.length - 1];
    return !containsBarrier(body) && !hasNestedLoop(body) && !containsContinue(s.body)
      && !(tail && (tail.kind === 'break' || tail.kind === 'return' || tail.kind === 'continue')) && !this.endsFlow(...s.body)
      && !(this.exitFlag && this.guardLoopDepth >= 0);
  }

  /**
   * A loop of at most `trips` ≤ LOOP_UNROLL iterations per entry (a small loop inside an
   * unbounded one) needs only that many copies, and a last test, to finish in one pass.
   */
  private unrolledBody(s: LoopStmt, update: Stmt[], breakIf: Expr | undefined, ctx: LoopCtx, structural: boolean, trips: number): void {
    const done = `${ctx.doneFlag} = true; `;
    const copies = trips < LOOP_UNROLL ? Math.max(1, trips) : LOOP_UNROLL;
    for (let k = 0; k < copies; k++) {
      if (s.cond) this.line(`if (!(${this.condition(s.cond, false)})) { ${done}break; }`);
      this.loops.push(ctx);
      this.emitBlock(s.body, structural);
      this.loops.pop();
      this.loops.push({ mode: 'continuing', barrierFree: true });
      this.emitBlock(update, structural);
      this.loops.pop();
      if (breakIf) this.line(`if (${this.condition(breakIf, false)}) { ${done}break; }`);
    }
    // Were the bound wrong, the next pass would simply go on.
    if (copies < LOOP_UNROLL && s.cond) this.line(`if (!(${this.condition(s.cond, false)})) { ${done}break; }`);
  }

  /**
   * A condition. When it guards a barrier (or a loop exit around one), WGSL must
   * see it as uniform: core has already proven it uniform, and where WGSL's
   * stricter analysis cannot, thread 0's value is broadcast to the block.
   */
  private condition(e: Expr, mustBeUniform: boolean): string {
    const c = this.expr(e);
    if (!mustBeUniform || this.u.strict(e)) return c;
    this.usesBroadcast = true;
    if (this.barrierLoopDepth > 0) this.broadcastInBarrierLoop = true;
    const v = this.tmp('v');
    this.line(`let ${v} = ${c};`);
    this.line('workgroupBarrier();');
    this.line(`if (nb_lidx == 0u) { nb_bcast = select(0u, 1u, ${v}); }`);
    const b = this.tmp('c');
    this.line(`let ${b} = workgroupUniformLoad(&nb_bcast) != 0u;`);
    return b;
  }

  // ---------------------------------------------------------------- memory

  private site(s: ErrorSite): number {
    this.sites.push(s);
    return this.sites.length - 1;
  }

  /** A checked index (u32) for a load, or the raw index when bounds checks are off. */
  private index(r: ArrayRef, idx: string, idxType: ScalarType, forHelper: boolean, inBounds = false): string {
    const info = this.arr(r);
    if (this.opts.boundscheck && !inBounds) {
      this.usesErrors = true;
      const site = this.site({ kind: 'oob', array: info.user, line: this.loc?.line, signed: idxType === 'i32' });
      return `nb_ck_${idxType === 'i32' ? 'i' : 'u'}(${idx}, ${info.len}, ${site}u)`;
    }
    return forHelper && idxType === 'i32' ? `bitcast<u32>(${idx})` : idx;
  }

  /** A bool expression that checks (and reports) an index whose use must be skipped when out of range. */
  private inBounds(r: ArrayRef, idx: string, idxType: ScalarType): string {
    const info = this.arr(r);
    this.usesErrors = true;
    const site = this.site({ kind: 'oob', array: info.user, line: this.loc?.line, signed: idxType === 'i32' });
    return `nb_ok_${idxType === 'i32' ? 'i' : 'u'}(${idx}, ${info.len}, ${site}u)`;
  }

  private loadAt(info: ArrInfo, ix: string): string {
    switch (info.storage) {
      case 'plain': case 'widened': return `${info.name}[${ix}]`;
      case 'atomic': return `atomicLoad(&${info.name}[${ix}])`;
      case 'atomicf32': return `bitcast<f32>(atomicLoad(&${info.name}[${ix}]))`;
      case 'packed': case 'packedAtomic': return `${this.packedLoader(info)}(${ix})`;
    }
  }

  private packedLoader(info: ArrInfo): string {
    const fn = `nb_ld_${info.name}`;
    if (!this.generated.has(fn)) {
      const byte = info.elem === 'i8' || info.elem === 'u8';
      const word = byte ? 'i >> 2u' : 'i >> 1u';
      const shift = byte ? '(i & 3u) * 8u' : '(i & 1u) * 16u';
      const w = info.storage === 'packedAtomic' ? `atomicLoad(&${info.name}[${word}])` : `${info.name}[${word}]`;
      const bits = byte ? '8u' : '16u';
      const ext = info.elem === 'i8' || info.elem === 'i16' ? `extractBits(bitcast<i32>(w), ${shift}, ${bits})` : `bitcast<i32>(extractBits(w, ${shift}, ${bits}))`;
      this.generated.set(fn, `fn ${fn}(i: u32) -> i32 {\n  let w = ${w};\n  return ${ext};\n}`);
    }
    return fn;
  }

  private packedStorer(info: ArrInfo): string {
    const fn = `nb_st_${info.name}`;
    if (!this.generated.has(fn)) {
      const byte = info.elem === 'i8' || info.elem === 'u8';
      const word = byte ? 'i >> 2u' : 'i >> 1u';
      const shift = byte ? '(i & 3u) * 8u' : '(i & 1u) * 16u';
      const mask = byte ? '0xffu' : '0xffffu';
      // Neighbouring elements share a word and may be written by other threads
      // at the same time: clear, then set, this element's bits atomically.
      this.generated.set(fn, `fn ${fn}(i: u32, v: i32) {\n  let sh = ${shift};\n  let m = ${mask} << sh;\n  atomicAnd(&${info.name}[${word}], ~m);\n  atomicOr(&${info.name}[${word}], (bitcast<u32>(v) << sh) & m);\n}`);
    }
    return fn;
  }

  private storeAt(info: ArrInfo, ix: string, v: string): string {
    switch (info.storage) {
      case 'plain': return `${info.name}[${ix}] = ${v};`;
      // An 8/16-bit store's value is already in the element's range (core's 'narrow-store' rule).
      case 'widened': return `${info.name}[${ix}] = ${v};`;
      case 'atomic': return `atomicStore(&${info.name}[${ix}], ${v});`;
      case 'atomicf32': return `atomicStore(&${info.name}[${ix}], bitcast<u32>(${v}));`;
      case 'packed': return this.fail('store to read-only array', `numbat internal error: store to read-only array '${info.user}'`);
      case 'packedAtomic': return `${this.packedStorer(info)}(${ix}, ${v});`;
    }
  }

  private store(r: ArrayRef, index: Expr, value: Expr, inBounds = false): void {
    const info = this.arr(r);
    const helperIx = info.storage === 'packedAtomic';
    if (this.opts.boundscheck && !inBounds) {
      // JS evaluates (and here checks) the index before the value.
      const i = this.tmp('i');
      this.line(`let ${i} = ${this.expr(index)};`);
      this.line(`if (${this.inBounds(r, i, index.type)}) {`);
      this.depth++;
      const v = this.expr(value);
      const ix = helperIx && index.type === 'i32' ? `bitcast<u32>(${i})` : i;
      this.line(this.storeAt(info, ix, v));
      this.depth--;
      this.line('}');
      return;
    }
    const [ix, v] = this.seq([index, value]);
    this.line(this.storeAt(info, helperIx && index.type === 'i32' ? `bitcast<u32>(${ix})` : ix, v));
  }

  // ---------------------------------------------------------------- atomics

  private atomic(e: AtomicExpr): string {
    const info = this.arr(e.array);
    const t = e.type;
    if (e.array.space === 'local') return this.fail('atomic on local array', `numbat internal error: atomic on local array '${info.user}'`, e.loc);
    const result = this.tmp();
    // Index first (JS order), then the operands.
    const i = this.tmp('i');
    this.line(`let ${i} = ${this.expr(e.index)};`);
    const ixU = e.index.type === 'i32' ? `bitcast<u32>(${i})` : i;
    this.line(`var ${result}: ${WGSL_TYPE[t]};`);
    let close = false;
    if (this.opts.boundscheck) {
      this.line(`if (${this.inBounds(e.array, i, e.index.type)}) {`);
      this.depth++;
      close = true;
    }
    const operands = e.expected ? this.seq([e.expected, e.value]) : this.seq([e.value]);
    this.line(`${result} = ${this.atomicCall(info, e, ixU, operands)};`);
    if (close) { this.depth--; this.line('}'); }
    return result;
  }

  private atomicCall(info: ArrInfo, e: AtomicExpr, ix: string, operands: string[]): string {
    const ptr = `&${info.name}[${ix}]`;
    if (info.storage === 'atomicf32') {
      if (e.op === 'exch') return `bitcast<f32>(atomicExchange(${ptr}, bitcast<u32>(${operands[0]})))`;
      return `${this.f32AtomicHelper(info, e.op)}(${ix}, ${operands.join(', ')})`;
    }
    if (info.storage !== 'atomic') return this.fail('atomic', `numbat internal error: atomic on non-atomic array '${info.user}'`, e.loc);
    switch (e.op) {
      case 'add': return `atomicAdd(${ptr}, ${operands[0]})`;
      case 'sub': return `atomicSub(${ptr}, ${operands[0]})`;
      case 'max': return `atomicMax(${ptr}, ${operands[0]})`;
      case 'min': return `atomicMin(${ptr}, ${operands[0]})`;
      case 'and': return `atomicAnd(${ptr}, ${operands[0]})`;
      case 'or': return `atomicOr(${ptr}, ${operands[0]})`;
      case 'xor': return `atomicXor(${ptr}, ${operands[0]})`;
      case 'exch': return `atomicExchange(${ptr}, ${operands[0]})`;
      // No NaN in integers: nanmin/nanmax are min/max (the frontend already maps them).
      case 'nanmin': return `atomicMin(${ptr}, ${operands[0]})`;
      case 'nanmax': return `atomicMax(${ptr}, ${operands[0]})`;
      case 'inc': case 'dec': return `${this.wrapCounterHelper(info, e.op)}(${ix}, ${operands[0]})`;
      case 'cas': {
        const fn = `nb_cas_${info.name}`;
        if (!this.generated.has(fn)) {
          const T = info.elem;
          // A weak compare-exchange may fail spuriously: retry while the old value still matches.
          this.generated.set(fn, `fn ${fn}(i: u32, expected: ${T}, v: ${T}) -> ${T} {
  loop {
    let r = atomicCompareExchangeWeak(&${info.name}[i], expected, v);
    if (r.exchanged || r.old_value != expected) { return r.old_value; }
  }
}`);
        }
        return `${fn}(${ix}, ${operands.join(', ')})`;
      }
    }
  }

  /** CUDA's atomicInc/atomicDec on u32 (WGSL has neither), by compare-exchange loop; the new value as ir/semantics.ts says. */
  private wrapCounterHelper(info: ArrInfo, op: 'inc' | 'dec'): string {
    const fn = `nb_atomic_${op}_${info.name}`;
    if (this.generated.has(fn)) return fn;
    if (info.elem !== 'u32') return this.fail(`atomic ${op} on ${info.elem}`, `numbat internal error: cuda.atomic.${op} on '${info.user}' (${info.elem})`);
    const next = op === 'inc' ? 'select(old + 1u, 0u, old >= v)' : 'select(old - 1u, v, old == 0u || old > v)';
    this.generated.set(fn, `fn ${fn}(i: u32, v: u32) -> u32 {
  var old = atomicLoad(&${info.name}[i]);
  loop {
    let r = atomicCompareExchangeWeak(&${info.name}[i], old, ${next});
    if (r.exchanged) { return old; }
    old = r.old_value;
  }
}`);
    return fn;
  }

  /** f32 atomics on bit-cast atomic<u32>, by compare-exchange loop (nanmin/nanmax ignore a NaN; min/max come legalised). */
  private f32AtomicHelper(info: ArrInfo, op: AtomicExpr['op']): string {
    const fn = `nb_atomic_${op}_${info.name}`;
    if (this.generated.has(fn)) return fn;
    const p = `&${info.name}[i]`;
    if (op === 'cas') {
      // JS compares values (===): -0 matches +0 and NaN matches nothing.
      this.generated.set(fn, `fn ${fn}(i: u32, expected: f32, v: f32) -> f32 {
  var old = atomicLoad(${p});
  loop {
    if (bitcast<f32>(old) != expected) { return bitcast<f32>(old); }
    let r = atomicCompareExchangeWeak(${p}, old, bitcast<u32>(v));
    if (r.exchanged) { return bitcast<f32>(old); }
    old = r.old_value;
  }
}`);
      return fn;
    }
    let next: string;
    switch (op) {
      case 'add': next = 'bitcast<f32>(old) + v'; break;
      case 'sub': next = 'bitcast<f32>(old) - v'; break;
      // Math.min/max arrive as a loop over cas (core's 'atomic-float-minmax' rule).
      case 'max': case 'min': return this.fail(`atomic ${op} on f32`, `numbat internal error: atomic ${op} on f32 reached the WGSL emitter (legalisation writes it as a cas loop)`);
      case 'nanmax': case 'nanmin': {
        const nan = this.helpers.use('nb_isnan');
        const m = this.helpers.use(op === 'nanmax' ? 'nb_fmax' : 'nb_fmin');
        next = `select(select(${m}(bitcast<f32>(old), v), v, ${nan}(bitcast<f32>(old))), bitcast<f32>(old), ${nan}(v))`;
        break;
      }
      default: return this.fail(`atomic ${op} on f32`, `cuda.atomic.${op} needs an integer array ('${info.user}' holds f32)`);
    }
    this.generated.set(fn, `fn ${fn}(i: u32, v: f32) -> f32 {
  var old = atomicLoad(${p});
  loop {
    let r = atomicCompareExchangeWeak(${p}, old, bitcast<u32>(${next}));
    if (r.exchanged) { return bitcast<f32>(old); }
    old = r.old_value;
  }
}`);
    return fn;
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Emits several operands in order. When a later operand needs pre-lines, an
   * earlier operand that reads memory is first saved in a `let`, so that the
   * pre-lines (an atomic, say) cannot change what it reads.
   */
  private seq(es: Expr[], rtConst = false): string[] {
    const parts = es.map((e) => this.capture(() => this.expr(e, rtConst)));
    const out: string[] = [];
    parts.forEach(([s, lines], k) => {
      this.flush(lines);
      const laterLines = parts.slice(k + 1).some(([, l]) => l.length > 0);
      if (laterLines && readsMemory(es[k])) {
        const t = this.tmp();
        this.line(`let ${t} = ${s};`);
        out.push(t);
      } else out.push(s);
    });
    return out;
  }

  private expr(e: Expr, rtConst = false): string {
    const savedLoc = this.loc;
    if (e.loc) this.loc = e.loc;
    try {
      return this.exprInner(e, rtConst);
    } finally {
      this.loc = savedLoc;
    }
  }

  private exprInner(e: Expr, rtConst: boolean): string {
    // Operations on constants only would be const-evaluated by WGSL, where an
    // overflow or NaN is a shader-creation error: pass constants through an
    // identity function so that they are run-time values with JS's results.
    const rt = isConstTree(e) && e.kind !== 'const';
    switch (e.kind) {
      case 'const': return typeof e.value === 'bigint' ? this.fail('64-bit integers', 'numbat internal error: a 64-bit constant reached the WGSL emitter') : this.constant(e.type, e.value, rtConst);
      case 'param': {
        const slot = this.layout.scalars.find((s) => s.param === e.index)!;
        return slot.type === 'bool' ? `(nb_a.${slot.field} != 0u)` : `nb_a.${slot.field}`;
      }
      case 'local': return this.localNames[e.id];
      case 'special': return special(e.reg, 'xyz'[e.dim]);
      case 'unary': {
        const [x] = this.seq([e.x], rt);
        if (e.op === 'neg') return e.type === 'f32' ? `${this.helpers.use('nb_neg')}(${x})` : `(-${x})`;
        return e.op === 'not' ? `(!${x})` : `(~${x})`;
      }
      case 'binary': {
        const [a, b0] = this.seq([e.a, e.b], rt);
        const exact = e.opType === 'f32' && !this.opts.fastmath;
        // x - x, x / x, x == x, x <= x … are folded by drivers that assume no NaN/Infinity
        // (the operands may be one value under two names, or two equal expressions the
        // driver merges, like (a + 1) - (a + 1)): hide the right operand, always.
        const b = exact && OPAQUE_RIGHT.has(e.op) ? this.opaque(b0) : b0;
        if (e.op === 'div' && exact && !safeDivisor(e.b)) return this.opaque(`${this.helpers.use('nb_div')}(${a}, ${b})`);
        if (e.opType === 'bool' && ORDERED.has(e.op)) {
          // JS compares booleans as numbers (false < true); WGSL has no ordered bool comparison.
          return this.binary(e.op, 'u32', `select(0u, 1u, ${a})`, `select(0u, 1u, ${b})`);
        }
        const r = this.binary(e.op, e.opType, a, b);
        return exact && FLOAT_ARITH.has(e.op) ? this.opaque(r) : r;
      }
      case 'logical': {
        const a = this.expr(e.a, rt);
        const [b, lines] = this.capture(() => this.expr(e.b, rt));
        if (!lines.length) return `(${a} ${e.op === 'and' ? '&&' : '||'} ${b})`;
        // The right operand needs statements: evaluate it only when JS would.
        const t = this.tmp();
        this.line(`var ${t} = ${a};`);
        this.line(`if (${e.op === 'and' ? t : `!${t}`}) {`);
        this.flush(lines, 1);
        this.line(`  ${t} = ${b};`);
        this.line('}');
        return t;
      }
      case 'cond': {
        const c = this.expr(e.c, rt);
        const [a, la] = this.capture(() => this.expr(e.a, rt));
        const [b, lb] = this.capture(() => this.expr(e.b, rt));
        const effects = this.opts.boundscheck ? (hasLoadOrAtomic(e.a) || hasLoadOrAtomic(e.b)) : false;
        if (!la.length && !lb.length && !effects) return `select(${b}, ${a}, ${c})`;
        const t = this.tmp();
        this.line(`var ${t}: ${WGSL_TYPE[e.type]};`);
        this.line(`if (${c}) {`);
        this.flush(la, 1);
        this.line(`  ${t} = ${a};`);
        this.line('} else {');
        this.flush(lb, 1);
        this.line(`  ${t} = ${b};`);
        this.line('}');
        return t;
      }
      case 'select': {
        const [c, a, b] = this.seq([e.c, e.a, e.b], rt);
        return `select(${b}, ${a}, ${c})`;
      }
      case 'convert': {
        const [x] = this.seq([e.x], rt);
        const r = this.convert(e.x.type, e.type, x);
        // An integer the driver knows (a local still 0) would make `f32(0) / y` foldable to 0.
        return hidesIntToFloat(e, this.opts.fastmath) ? this.opaque(r) : r;
      }
      case 'bitcast': {
        // f32 <-> i32/u32 only: WGSL has no f64 or 64-bit integers
        const [x] = this.seq([e.x], rt);
        return `bitcast<${WGSL_TYPE[e.type]}>(${x})`;
      }
      case 'load': {
        const info = this.arr(e.array);
        const [idx] = this.seq([e.index]);
        const packed = info.storage === 'packed' || info.storage === 'packedAtomic';
        return this.loadAt(info, this.index(e.array, idx, e.index.type, packed, e.inBounds));
      }
      case 'length': {
        const info = this.arr(e.array);
        return `i32(${info.len})`;
      }
      case 'math': {
        const args = this.seq(e.args, rt);
        return MATH_LOWERING[e.fn](args, e.type, this.helpers, this.opts.fastmath ?? false);
      }
      case 'atomic': return this.atomic(e);
    }
  }

  private constant(t: ScalarType, v: number | boolean, rtConst: boolean): string {
    const lit = literal(t, v);
    if (lit === undefined) {
      if (t !== 'f32') return this.fail('f64 value', 'numbat internal error: constant without a WGSL literal');
      const bits = `${this.helpers.use('nb_f32_bits')}(0x${f32Bits(Number(v)).toString(16)}u)`;
      return this.opts.fastmath ? bits : this.opaque(bits);
    }
    // f32 constants are opaque (no x * 0 → 0, x / 0 dropped, constant reassociation).
    if (t === 'f32' && !this.opts.fastmath) return this.opaque(lit);
    if (!rtConst || t === 'bool') return lit;
    const fn = `nb_rt_${t}`;
    if (!this.generated.has(fn)) this.generated.set(fn, `fn ${fn}(x: ${t}) -> ${t} { return x; }`);
    return `${fn}(${lit})`;
  }

  /** A value the driver's optimiser cannot see through (see nb_opq). */
  private opaque(x: string): string {
    return `${this.helpers.use('nb_opq')}(${x})`;
  }

  private binary(op: BinaryOp, t: ScalarType, a: string, b: string): string {
    const int = t === 'i32' || t === 'u32';
    const h = (name: string): string => `${this.helpers.use(name)}(${a}, ${b})`;
    switch (op) {
      case 'add': return `(${a} + ${b})`;
      case 'sub': return `(${a} - ${b})`;
      case 'mul': return `(${a} * ${b})`;
      case 'div': return `(${a} / ${b})`;
      // Integer divisors are never 0 or (signed) -1 here, shift counts are in [0, 31]: legalisation (core) made them so.
      // A float `%` arrives as a call of nb_fmod (core's 'float-rem' rule: WGSL's `%` is inexact).
      case 'rem': return int ? `(${a} % ${b})` : this.fail('operator', 'numbat internal error: a float % reached the WGSL emitter (legalisation writes it as fmod)');
      case 'truncdiv': return `(${a} / ${b})`;
      case 'floordiv': return this.fail('operator', 'numbat internal error: floordiv reached the WGSL emitter (legalisation writes it as truncdiv)');
      case 'and': return `(${a} & ${b})`;
      case 'or': return `(${a} | ${b})`;
      case 'xor': return `(${a} ^ ${b})`;
      case 'shl': return `(${a} << bitcast<u32>(${b}))`;
      case 'shr': return `(${a} >> bitcast<u32>(${b}))`;
      case 'ushr': return `(${a} >> ${b})`;
      case 'eq': return `(${a} == ${b})`;
      case 'ne': return `(${a} != ${b})`;
      case 'lt': return `(${a} < ${b})`;
      case 'le': return `(${a} <= ${b})`;
      case 'gt': return `(${a} > ${b})`;
      case 'ge': return `(${a} >= ${b})`;
      // Integers only: float min/max are legalised into selects.
      case 'min': return `min(${a}, ${b})`;
      case 'max': return `max(${a}, ${b})`;
      // A new BinaryOp is a build error here (op is `never`), not a run-time failure.
      default: return this.fail('operator', `numbat internal error: unknown binary op ${op satisfies never}`);
    }
  }

  /** f32 reaching an integer conversion is in [0, 2^32), f32 reaching bool is a number: legalisation (core) made it so. */
  private convert(from: ScalarType, to: ScalarType, x: string): string {
    if (from === to) return x;
    if (to === 'bool') return from === 'f32' ? `(${x} != 0.0f)` : from === 'i32' ? `(${x} != 0i)` : `(${x} != 0u)`;
    if (from === 'bool') return to === 'i32' ? `select(0i, 1i, ${x})` : to === 'u32' ? `select(0u, 1u, ${x})` : `select(0.0f, 1.0f, ${x})`;
    switch (to) {
      case 'i32': return from === 'u32' ? `bitcast<i32>(${x})` : `i32(${x})`;
      case 'u32': return from === 'i32' ? `bitcast<u32>(${x})` : `u32(${x})`;
      case 'f32': return `f32(${x})`;
      case 'f64': return this.fail('conversion to f64', 'numbat internal error: f64 conversion reached the WGSL emitter');
      // Core refuses 64-bit integers on webgpu (caps.i64 absent) before this point.
      case 'i64': case 'u64': return this.fail('64-bit integers', `numbat internal error: a conversion to ${to} reached the WGSL emitter`);
      // A new ScalarType is a build error here (to is `never`), not a run-time failure.
      default: return this.fail('conversion', `numbat internal error: unknown conversion to ${to satisfies never}`);
    }
  }
}

/** f32 operations whose results pass through nb_opq. */
const FLOAT_ARITH = new Set(['add', 'sub', 'mul', 'div']);
/** f32 operations whose right operand passes through nb_opq (it may be the left one). */
const OPAQUE_RIGHT = new Set(['sub', 'div', 'eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const ORDERED = new Set(['lt', 'le', 'gt', 'ge']);

/** i32/u32/bool → f32 conversions pass through nb_opq (drivers fold `0.0 / y`, `0.0 * y` to 0). */
function hidesIntToFloat(e: Expr, fastmath: boolean | undefined): boolean {
  return !fastmath && e.kind === 'convert' && e.type === 'f32' && e.x.type !== 'f32';
}

/** A constant divisor in the range where WGSL's division is exact enough (|y| in [2^-126, 2^126]). */
function safeDivisor(e: Expr): boolean {
  if (e.kind !== 'const') return false;
  const v = Math.abs(Number(e.value));
  return v >= 1.1754943508222875e-38 && v <= 8.507059173023462e37;
}

function special(reg: string, c: string): string {
  switch (reg) {
    case 'threadIdx': return `i32(nb_lid.${c})`;
    case 'blockIdx': return `nb_bid.${c}`;
    case 'blockDim': return `i32(nb_b${c})`;
    default: return `i32(nb_a.grid_${c})`;
  }
}

function hasNestedLoop(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'loop' || (s.kind === 'if' && (hasNestedLoop(s.then) || hasNestedLoop(s.else))));
}

/** A `continue` of the loop these statements belong to (not of a nested loop). */
/** A break of this loop (not of a nested one). */
function containsBreak(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'break' || (s.kind === 'if' && (containsBreak(s.then) || containsBreak(s.else))));
}

function containsContinue(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'continue' || (s.kind === 'if' && (containsContinue(s.then) || containsContinue(s.else))));
}

function isConstTree(e: Expr): boolean {
  switch (e.kind) {
    case 'const': return true;
    case 'unary': case 'convert': return isConstTree(e.x);
    case 'binary': return isConstTree(e.a) && isConstTree(e.b);
    case 'math': return e.args.every(isConstTree);
    default: return false;
  }
}

function readsMemory(e: Expr): boolean {
  return hasLoadOrAtomic(e);
}

function hasLoadOrAtomic(e: Expr): boolean {
  switch (e.kind) {
    case 'load': case 'atomic': return true;
    case 'unary': case 'convert': return hasLoadOrAtomic(e.x);
    case 'binary': case 'logical': return hasLoadOrAtomic(e.a) || hasLoadOrAtomic(e.b);
    case 'cond': case 'select': return hasLoadOrAtomic(e.c) || hasLoadOrAtomic(e.a) || hasLoadOrAtomic(e.b);
    case 'math': return e.args.some(hasLoadOrAtomic);
    default: return false;
  }
}

function elemBytes(e: ElemType): number {
  return e === 'i8' || e === 'u8' ? 1 : e === 'i16' || e === 'u16' ? 2 : e === 'f64' ? 8 : 4;
}

/** A constant table's value as JS would hold it in a typed array of `elem`. */
function wrapConst(elem: ElemType, v: number): number {
  switch (elem) {
    case 'i8': return (v << 24) >> 24;
    case 'u8': return v & 0xff;
    case 'i16': return (v << 16) >> 16;
    case 'u16': return v & 0xffff;
    case 'i32': return v | 0;
    case 'u32': return v >>> 0;
    default: return Math.fround(v);
  }
}
