// SSA text of LLVM vector code for the lane math kernels (lane-math-ir.ts,
// lane-math-f32.ts): one function body on <W x double> (or <W x float>)
// values, with their integer words and lane masks, and splat constants.

/**
 * `<W x ty>` with every lane `text`, as a constant expression the parser folds to the same
 * constant vector: a 64-lane kernel written out lane by lane was ~70 KB of text, and parsing it
 * sat on every compile's path (LLVM 14 has these constant expressions; later LLVMs dropped them).
 */
export function splatConstant(W: number, ty: string, text: string): string {
  const V = `<${W} x ${ty}>`;
  return `shufflevector (${V} insertelement (${V} undef, ${ty} ${text}, i32 0), ${V} undef, <${W} x i32> zeroinitializer)`;
}

/** A double as LLVM's exact hexadecimal literal. */
export function hexDouble(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return `0x${dv.getBigUint64(0).toString(16).toUpperCase().padStart(16, '0')}`;
}

/** SSA lines of one function body on <W x double> (with <W x i64> words) or <W x float> (<W x i32>) values, and <W x i1> masks. */
export class VectorIR {
  readonly lines: string[] = [];
  private n = 0;
  readonly D: string; readonly I: string; readonly B: string;
  /** The element types: f64 with i64 words, or f32 with i32 words (lane-math-f32.ts). */
  readonly fe: 'double' | 'float'; readonly ie: 'i64' | 'i32'; private readonly sfx: 'f64' | 'f32';
  constructor(readonly W: number, readonly decls: Set<string>, elem: 'double' | 'float' = 'double') {
    this.fe = elem; this.ie = elem === 'double' ? 'i64' : 'i32'; this.sfx = elem === 'double' ? 'f64' : 'f32';
    this.D = `<${W} x ${this.fe}>`; this.I = `<${W} x ${this.ie}>`; this.B = `<${W} x i1>`;
  }

  private splat(ty: string, text: string): string {
    return splatConstant(this.W, ty, text);
  }
  d(v: number): string { return this.splat(this.fe, hexDouble(this.fe === 'float' ? Math.fround(v) : v)); }
  i(v: bigint | number): string { return this.splat(this.ie, String(v)); }

  op(text: string): string {
    const r = `%v${this.n++}`;
    this.lines.push(`  ${r} = ${text}`);
    return r;
  }
  fadd(a: string, b: string): string { return this.op(`fadd ${this.D} ${a}, ${b}`); }
  fsub(a: string, b: string): string { return this.op(`fsub ${this.D} ${a}, ${b}`); }
  fmul(a: string, b: string): string { return this.op(`fmul ${this.D} ${a}, ${b}`); }
  fdiv(a: string, b: string): string { return this.op(`fdiv ${this.D} ${a}, ${b}`); }
  fneg(a: string): string { return this.op(`fneg ${this.D} ${a}`); }
  /** a × b + c, fused where the target has FMA (the kernels are accurate either way). */
  fma(a: string, b: string, c: string): string {
    const f = `llvm.fmuladd.v${this.W}${this.sfx}`;
    this.decls.add(`declare ${this.D} @${f}(${this.D}, ${this.D}, ${this.D})`);
    return this.op(`call ${this.D} @${f}(${this.D} ${a}, ${this.D} ${b}, ${this.D} ${c})`);
  }
  /** a × b + c rounded once (llvm.fma: fused on every target; the f32 kernels' exact products need it). */
  fmaExact(a: string, b: string, c: string): string {
    const f = `llvm.fma.v${this.W}${this.sfx}`;
    this.decls.add(`declare ${this.D} @${f}(${this.D}, ${this.D}, ${this.D})`);
    return this.op(`call ${this.D} @${f}(${this.D} ${a}, ${this.D} ${b}, ${this.D} ${c})`);
  }
  fabs(a: string): string {
    const f = `llvm.fabs.v${this.W}${this.sfx}`;
    this.decls.add(`declare ${this.D} @${f}(${this.D})`);
    return this.op(`call ${this.D} @${f}(${this.D} ${a})`);
  }
  fcmp(pred: string, a: string, b: string): string { return this.op(`fcmp ${pred} ${this.D} ${a}, ${b}`); }
  icmp(pred: string, a: string, b: string): string { return this.op(`icmp ${pred} ${this.I} ${a}, ${b}`); }
  select(c: string, a: string, b: string, ty = this.D): string { return this.op(`select ${this.B} ${c}, ${ty} ${a}, ${ty} ${b}`); }
  bits(a: string): string { return this.op(`bitcast ${this.D} ${a} to ${this.I}`); }
  float(a: string): string { return this.op(`bitcast ${this.I} ${a} to ${this.D}`); }
  int(op: 'add' | 'sub' | 'shl' | 'ashr' | 'and' | 'xor', a: string, b: string): string { return this.op(`${op} ${this.I} ${a}, ${b}`); }
  sitofp(a: string): string { return this.op(`sitofp ${this.I} ${a} to ${this.D}`); }
  /** c[0] + x (c[1] + x (c[2] + …)) (Horner). */
  poly(x: string, c: readonly number[]): string {
    let acc = this.d(c[c.length - 1]);
    for (let k = c.length - 2; k >= 0; k--) acc = this.fma(acc, x, this.d(c[k]));
    return acc;
  }
  /** Exact a + b as (sum, error) (Knuth's TwoSum; no ordering needed). */
  twoSum(a: string, b: string): [string, string] {
    const s = this.fadd(a, b), bb = this.fsub(s, a), ab = this.fsub(s, bb);
    return [s, this.fadd(this.fsub(a, ab), this.fsub(b, bb))];
  }
  /** round(x · scale) as (float, integer bits whose low bits are it mod 2^k) for |x · scale| < 2^50 (f32: 2^22), branch-free. */
  roundInt(x: string, scale: number): [string, string] {
    const SHIFT = this.fe === 'float' ? 1.5 * 2 ** 23 : 1.5 * 2 ** 52;
    const t = this.fma(x, this.d(scale), this.d(SHIFT));
    return [this.fsub(t, this.d(SHIFT)), this.int('sub', this.bits(t), this.bits(this.d(SHIFT)))];
  }
}
