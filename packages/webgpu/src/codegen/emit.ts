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
// The emitter is built in layers, one file each: its state, the argument layout
// and declarations (emit-state.ts), array accesses and atomics (emit-memory.ts),
// expressions (emit-exprs.ts), and here statements, loops and `main`.
//
// No Node-only imports here: a browser build uses this file as is.

import { loopPassBounds, quadLoadAt, type Expr, type KernelIR, type Loc, type LoopStmt, type QuadLoad, type Stmt } from '@numbat/core';
import { ExprEmitter } from './emit-exprs.js';
import type { EmitOptions, Line, LoopCtx, WgslKernel } from './emit-state.js';
import { sanitize, WGSL_TYPE, zeroOf } from './names.js';
import { ERR_BARRIER, ERR_LOOP, LOOP_PASS_MARGIN, LOOP_UNROLL, type ArrayBinding } from './layout.js';
import { containsBarrier, containsLoopExit, containsReturn } from './uniformity.js';

export type { EmitOptions, ErrorSite, LoopForm, WgslKernel } from './emit-state.js';

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

class Emitter extends ExprEmitter {
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

  // ---------------------------------------------------------------- statements

  /**
   * Emits a statement list. `structural`: the list runs under block-uniform
   * control in an exit-flag kernel (see emitStructural).
   */
  protected emitBlock(stmts: Stmt[], structural: boolean): void {
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
  protected emitStructural(stmts: Stmt[]): void {
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
  protected endsFlow(...stmts: Stmt[]): boolean {
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
  protected neverLeft(s: LoopStmt): boolean {
    if (s.cond || containsBreak(s.body) || (this.exitFlag && containsReturn(s.body))) return false;
    const reachesUpdate = !this.endsFlow(...s.body) || containsContinue(s.body);
    return !(reachesUpdate && (containsBreak(s.update) || (this.exitFlag && containsReturn(s.update))));
  }

  protected emitStmt(s: Stmt, structural: boolean): void {
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
  protected quadLoad(q: QuadLoad): boolean {
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
  protected vec4Binding(param: number): ArrayBinding | undefined {
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

  protected inBarrierLoop(): boolean {
    const l = this.loops[this.loops.length - 1];
    return l !== undefined && !l.barrierFree;
  }

  protected barrier(): void {
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

  protected loop(s: LoopStmt, structural: boolean): void {
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
  protected unrollable(s: LoopStmt): boolean {
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
  protected unrolledBody(s: LoopStmt, update: Stmt[], breakIf: Expr | undefined, ctx: LoopCtx, structural: boolean, trips: number): void {
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
  protected condition(e: Expr, mustBeUniform: boolean): string {
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

}

function hasNestedLoop(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'loop' || (s.kind === 'if' && (hasNestedLoop(s.then) || hasNestedLoop(s.else))));
}

/** A break of this loop (not of a nested one). */
function containsBreak(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'break' || (s.kind === 'if' && (containsBreak(s.then) || containsBreak(s.else))));
}

/** A `continue` of the loop these statements belong to (not of a nested loop). */
function containsContinue(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'continue' || (s.kind === 'if' && (containsContinue(s.then) || containsContinue(s.else))));
}
