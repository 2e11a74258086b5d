// The WGSL emitter's state and the parts every layer uses: the argument layout
// (one uniform struct, a storage binding per array parameter), each array's
// WGSL storage, the module-scope declarations, the output lines and error sites.
// The layers above: memory and atomics (emit-memory.ts), expressions
// (emit-exprs.ts), statements and the kernel's `main` (emit.ts).
//
// No Node-only imports here: a browser build uses this file as is.

import {
  CompileError, ELEM_BYTES, loadType, type ArrayRef, type ElemType, type KernelArray, type KernelIR, type Loc, type LoopPassBounds,
} from '@numbat/core';
import { HelperSet } from './helpers.js';
import { f32Bits, literal, sanitize } from './names.js';
import { ERR_OOB, ERR_WORDS, isNarrow, U_FIXED_WORDS, type ArgLayout, type ArrayBinding, type ScalarSlot } from './layout.js';
import { analyzeWgslUniformity, needsExitFlag, type WgslUniformity } from './uniformity.js';

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


/**
 * How loops are written under a driver loop limit. 'plain': as without a limit (all the
 * passes the thread can run are bounded, far below the limit); 'counted': every loop
 * counts its passes and checks that it was left on purpose, innermost loops whose
 * passes are bounded (and few in all) run one iteration per pass, the others
 * LOOP_UNROLL; 'unrolled': every innermost loop that can be runs LOOP_UNROLL per pass.
 */
export type LoopForm = 'plain' | 'counted' | 'unrolled';


/** How an array's elements are stored in WGSL. */
export type Storage =
  | 'plain'        // array<T>
  | 'atomic'       // array<atomic<i32|u32>>
  | 'atomicf32'    // array<atomic<u32>> holding f32 bits
  | 'packed'       // read-only global 8/16-bit: array<u32> words
  | 'packedAtomic' // written global 8/16-bit: array<atomic<u32>> words (byte stores by and/or)
  | 'widened';     // shared/local/const 8/16-bit: one i32 per element (stores arrive wrapped: core's 'narrow-store' rule)

export interface ArrInfo {
  name: string;
  user: string;
  elem: ElemType;
  storage: Storage;
  space: ArrayRef['space'];
  /** A u32 WGSL expression for the element count. */
  len: string;
}

export interface Line { depth: number; text: string; loc?: Loc }

export interface LoopCtx {
  /** 'continuing': WGSL continue/break map 1:1; 'wrapped': body runs inside a one-pass inner loop. */
  mode: 'continuing' | 'wrapped';
  breakFlag?: string;
  /** Loop contains no barrier (inside an exit-flag guard, a return can break out of it). */
  barrierFree: boolean;
  /** Under a driver loop limit: set on every deliberate exit of the loop. */
  doneFlag?: string;
}

export abstract class EmitterState {
  protected out: Line[] = [];
  protected depth = 0;
  protected loc?: Loc;
  protected tmpCount = 0;
  protected readonly helpers = new HelperSet();
  /** Kernel-specific functions (per-array atomics, packed access), by name. */
  protected readonly generated = new Map<string, string>();
  protected readonly sites: ErrorSite[] = [];
  protected readonly arrays = new Map<string, ArrInfo>();
  protected readonly localNames: string[] = [];
  protected readonly loops: LoopCtx[] = [];
  protected readonly u: WgslUniformity;
  protected readonly exitFlag: boolean;
  /** Inside an exit-flag guard: number of barrier-free loops entered since the guard. */
  protected guardLoopDepth = -1;
  protected usesBroadcast = false;
  protected countsPasses = false;
  /** Loops with a barrier being emitted around the current statement. */
  protected barrierLoopDepth = 0;
  /** A loop with a barrier decides something from a broadcast (a workgroup-memory value). */
  protected broadcastInBarrierLoop = false;
  protected usesErrors = false;
  protected readonly layout: ArgLayout;
  protected readonly rw = new Set<number>();
  protected readonly atomicParams = new Set<number>();
  protected dynamicShared?: WgslKernel['dynamicShared'];
  protected workgroupBytes = 0;
  protected readonly privateConsts = new Set<number>();
  protected readonly constInits: string[] = [];

  constructor(
    protected readonly ir: KernelIR,
    protected readonly opts: EmitOptions,
    protected readonly loopForm: LoopForm = 'unrolled',
    protected readonly passBounds: LoopPassBounds = new Map(),
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


  // ---------------------------------------------------------------- layout

  protected planLayout(rep: (p: number) => number): ArgLayout {
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

  protected bindingOf(param: number): ArrayBinding {
    return this.layout.arrays.find((b) => b.params.includes(param))!;
  }

  protected arr(r: ArrayRef): ArrInfo {
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

  protected lenField(param: number): string {
    return `${sanitize(this.ir.params[param].name)}_n${param}`;
  }

  /** Element type of a kernel array's WGSL declaration. */
  protected slotType(a: KernelArray): string {
    const info = this.arr({ space: a.space, id: a.id } as ArrayRef);
    switch (info.storage) {
      case 'atomic': return `atomic<${a.elem}>`;
      case 'atomicf32': return 'atomic<u32>';
      case 'widened': return 'i32';
      default: return a.elem;
    }
  }

  protected emitDeclarations(push: (text: string, depth?: number) => void): void {
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
          this.dynamicShared = { override: `nb_dyn_${a.id}`, elemBytes: ELEM_BYTES[a.elem], slotBytes };
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

  protected line(text: string): void {
    this.out.push({ depth: this.depth, text, loc: this.loc });
  }

  /** Runs `f` with output going to a fresh list (depths relative to 0); returns the lines. */
  protected capture<T>(f: () => T): [T, Line[]] {
    const saved = this.out, savedDepth = this.depth;
    this.out = []; this.depth = 0;
    try {
      const r = f();
      return [r, this.out];
    } finally {
      this.out = saved; this.depth = savedDepth;
    }
  }

  protected flush(lines: Line[], extra = 0): void {
    for (const l of lines) this.out.push({ depth: l.depth + this.depth + extra, text: l.text, loc: l.loc });
  }

  protected tmp(prefix = 't'): string {
    return `nb_${prefix}${this.tmpCount++}`;
  }

  protected fail(construct: string, message: string, loc?: Loc): never {
    throw new CompileError(construct, message, this.ir.name, this.ir.source, loc ?? this.loc);
  }

  protected site(s: ErrorSite): number {
    this.sites.push(s);
    return this.sites.length - 1;
  }
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
