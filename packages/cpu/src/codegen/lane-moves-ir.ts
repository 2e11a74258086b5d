// Moves between a lane group's scalars and its <W x T> vectors as tiny
// functions of textual IR (linked in like the vector math module, always
// inlined): llvm-bindings cannot build insertelement, extractelement or
// shufflevector. Before, every move went through a scratch alloca (W stores
// and a vector load, or a store and W loads, with a GEP per lane) that SROA
// and InstCombine then turned back into these instructions: a third of the
// option-pricing kernel's IR was such moves and the W-bit packing of masks.
//   pack    (x0, .., xW-1)  -> <x0, .., xW-1>
//   splat   (x)             -> <x, .., x>
//   linear  (b)             -> <b, b+1, .., b+W-1>   (integers)
//   lane    (v, l)          -> v[l]
// Masks (<W x i1>) move through the bits of a W-bit integer instead (maskIR).

export type MoveKind = 'pack' | 'splat' | 'linear' | 'lane';
/** The element types of lane vectors (bool is i1). */
export type MoveType = 'i1' | 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';

const IR_TYPE: Record<MoveType, string> = { i1: 'i1', i8: 'i8', i16: 'i16', i32: 'i32', i64: 'i64', f32: 'float', f64: 'double' };
const NAME = /^numbat_lanes_(pack|splat|linear|lane)_v(\d+)(i1|i8|i16|i32|i64|f32|f64)$/;

/** The function a lane group calls for a move (lane-values.ts) and this module defines. */
export function laneMoveName(kind: MoveKind, W: number, t: MoveType): string {
  return `numbat_lanes_${kind}_v${W}${t}`;
}

/** Definitions of the moves among `names` (a module's declared functions), or '' when none is a move. */
export function laneMovesModule(names: Iterable<string>): string {
  const defs: string[] = [];
  for (const name of new Set(names)) {
    const m = NAME.exec(name);
    if (m) defs.push(moveIR(m[1] as MoveKind, Number(m[2]), m[3] as MoveType));
  }
  return defs.length ? defs.join('\n\n') + '\n' : '';
}

function moveIR(kind: MoveKind, W: number, t: MoveType): string {
  const T = IR_TYPE[t], V = `<${W} x ${T}>`, name = laneMoveName(kind, W, t);
  const head = (ret: string, params: string) => `define ${ret} @${name}(${params}) alwaysinline nounwind readnone {\nentry:`;
  const splat = (x: string) => [`  %ins = insertelement ${V} undef, ${T} ${x}, i32 0`, `  %splat = shufflevector ${V} %ins, ${V} undef, <${W} x i32> zeroinitializer`];
  const lanes = Array.from({ length: W }, (_, l) => l);
  if (t === 'i1' && kind !== 'linear') return [head(kind === 'lane' ? T : V, kind === 'lane' ? `${V} %v, i32 %l` : kind === 'pack' ? lanes.map((l) => `i1 %x${l}`).join(', ') : 'i1 %x'), ...maskIR(kind, W), '}'].join('\n');
  switch (kind) {
    case 'pack': {
      const body = lanes.map((l) => `  %v${l} = insertelement ${V} ${l ? `%v${l - 1}` : 'undef'}, ${T} %x${l}, i32 ${l}`);
      return [head(V, lanes.map((l) => `${T} %x${l}`).join(', ')), ...body, `  ret ${V} %v${W - 1}`, '}'].join('\n');
    }
    case 'splat': return [head(V, `${T} %x`), ...splat('%x'), `  ret ${V} %splat`, '}'].join('\n');
    case 'linear': {
      const steps = `<${lanes.map((l) => `${T} ${l}`).join(', ')}>`;
      return [head(V, `${T} %b`), ...splat('%b'), `  %lin = add ${V} %splat, ${steps}`, `  ret ${V} %lin`, '}'].join('\n');
    }
    case 'lane': return [head(T, `${V} %v, i32 %l`), `  %x = extractelement ${V} %v, i32 %l`, `  ret ${T} %x`, '}'].join('\n');
  }
}

/**
 * Masks (<W x i1>) as the bits of a W-bit integer: a lane is a shift and a
 * truncation, packing is shifts and ors. InstCombine turns a test of all the
 * lanes into one compare of the integer; with insertelement / extractelement
 * it kept W extractions and W - 1 ors (random walk: five times slower).
 */
function maskIR(kind: Exclude<MoveKind, 'linear'>, W: number): string[] {
  const I = `i${W}`;
  switch (kind) {
    case 'lane': {
      const shift = W === 32 ? [] : [`  %l.w = ${W < 32 ? 'trunc' : 'zext'} i32 %l to ${I}`];
      return [`  %bits = bitcast <${W} x i1> %v to ${I}`, ...shift, `  %sh = lshr ${I} %bits, ${W === 32 ? '%l' : '%l.w'}`, `  %x = trunc ${I} %sh to i1`, '  ret i1 %x'];
    }
    case 'splat': return [`  %all = sext i1 %x to ${I}`, `  %v = bitcast ${I} %all to <${W} x i1>`, `  ret <${W} x i1> %v`];
    case 'pack': {
      const out: string[] = [];
      for (let l = 0; l < W; l++) {
        out.push(`  %z${l} = zext i1 %x${l} to ${I}`);
        if (l) out.push(`  %s${l} = shl ${I} %z${l}, ${l}`, `  %o${l} = or ${I} ${l > 1 ? `%o${l - 1}` : '%z0'}, %s${l}`);
      }
      return [...out, `  %v = bitcast ${I} ${W > 1 ? `%o${W - 1}` : '%z0'} to <${W} x i1>`, `  ret <${W} x i1> %v`];
    }
  }
}
