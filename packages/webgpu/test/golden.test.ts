// Golden tests on the emitted WGSL (no GPU needed). `// line N` markers are
// left out: they follow core's source mapping (tested in errors.test.ts).

import { describe, expect, it } from 'vitest';
import { cuda, f32 } from '@numbat/core';

const saxpy = function saxpy(a: number, x: Float32Array, y: Float32Array, out: Float32Array) {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = a * x[i] + y[i];
};

const reduce = function reduce(arr: Float32Array, partial: Float32Array) {
  const s = cuda.shared.array(128, f32);
  const t = cuda.threadIdx.x;
  const g = cuda.grid(1);
  s[t] = g < arr.length ? arr[g] : 0;
  cuda.syncthreads();
  for (let stride = cuda.blockDim.x >> 1; stride > 0; stride >>= 1) {
    if (t < stride) s[t] += s[t + stride];
    cuda.syncthreads();
  }
  if (t === 0) partial[cuda.blockIdx.x] = s[0];
};

const histogram = function histogram(x: Float32Array, sum: Float32Array, bytes: Uint8Array) {
  const i = cuda.grid(1);
  if (i >= x.length) return;
  cuda.atomic.add(sum, 0, x[i]);
  bytes[i] = x[i] % 7;
};

const tail = function tail(a: Float32Array) {
  const s = cuda.shared.array(64, f32);
  const i = cuda.grid(1);
  if (i >= a.length) return;
  s[cuda.threadIdx.x] = a[i];
  cuda.syncthreads();
  a[i] = s[63 - cuda.threadIdx.x];
};

const loops = function loops(out: Int32Array, n: number) {
  const i = cuda.grid(1);
  let k = 0;
  do { k += i % 3; } while (k < n);
  let j = 0;
  while (true) { j++; if (j * j > k) break; }
  out[i] = Math.floor(k / 2) + (j | 0);
};

const norm = (code: string) => code.replace(/\n *\/\/ line \d+(?=\n)/g, '');
const wgsl = async (fn: (...a: any[]) => void, ...args: unknown[]) => norm(await cuda.jit(fn, { target: 'webgpu', boundscheck: false }).inspect('wgsl', ...args));
const mainOf = (code: string) => norm(code.slice(code.indexOf('@compute')));
const f = (n: number) => new Float32Array(n);

describe('emitted WGSL', () => {
  it('saxpy: uniform block, read-only bindings, blockIdx from a folded dispatch', async () => {
    expect(await wgsl(saxpy, 2.5, f(4), f(4), f(4))).toMatchInlineSnapshot(`
      "// numbat kernel 'saxpy2' → WGSL (target webgpu)
      struct NbArgs {
        grid_x: u32, grid_y: u32, grid_z: u32,
        disp_x: u32, disp_y: u32, nblocks: u32,
        nb_zero: u32, // always 0 (nb_opq)
        a_p0: f32,
        x_n1: u32,
        y_n2: u32,
        out_n3: u32,
        nb_pad11: u32,
      }
      @group(0) @binding(0) var<uniform> nb_a: NbArgs;
      @group(0) @binding(1) var<storage, read> x_g: array<f32>; // 'x'
      @group(0) @binding(2) var<storage, read> y_g: array<f32>; // 'y'
      @group(0) @binding(3) var<storage, read_write> out_g: array<f32>; // 'out'
      override nb_bx: u32 = 1u;
      override nb_by: u32 = 1u;
      override nb_bz: u32 = 1u;
      fn nb_opq(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) + nb_a.nb_zero); }

      @compute @workgroup_size(nb_bx, nb_by, nb_bz)
      fn main(@builtin(local_invocation_id) nb_lid: vec3u, @builtin(local_invocation_index) nb_lidx: u32, @builtin(workgroup_id) nb_wid: vec3u) {
        // blockIdx from the dispatch (grids over 65535 blocks are folded into 2-D/3-D dispatches)
        let nb_lin = (nb_wid.z * nb_a.disp_y + nb_wid.y) * nb_a.disp_x + nb_wid.x;
        if (nb_lin >= nb_a.nblocks) { return; }
        let nb_bid = vec3i(vec3u(nb_lin % nb_a.grid_x, (nb_lin / nb_a.grid_x) % nb_a.grid_y, nb_lin / (nb_a.grid_x * nb_a.grid_y)));
        var i_0: i32 = 0i;
        i_0 = ((nb_bid.x * i32(nb_bx)) + i32(nb_lid.x));
        if ((i_0 < i32(nb_a.out_n3))) {
          out_g[i_0] = nb_opq((nb_opq((nb_a.a_p0 * x_g[i_0])) + y_g[i_0]));
        }
      }
      "
    `);
  });

  it('shared-memory reduction: workgroup array, barriers, for loop with continuing', async () => {
    expect(mainOf(await wgsl(reduce, f(4), f(1)))).toMatchInlineSnapshot(`
      "@compute @workgroup_size(nb_bx, nb_by, nb_bz)
      fn main(@builtin(local_invocation_id) nb_lid: vec3u, @builtin(local_invocation_index) nb_lidx: u32, @builtin(workgroup_id) nb_wid: vec3u) {
        // blockIdx from the dispatch (grids over 65535 blocks are folded into 2-D/3-D dispatches)
        let nb_lin = (nb_wid.z * nb_a.disp_y + nb_wid.y) * nb_a.disp_x + nb_wid.x;
        if (nb_lin >= nb_a.nblocks) { return; }
        let nb_bid = vec3i(vec3u(nb_lin % nb_a.grid_x, (nb_lin / nb_a.grid_x) % nb_a.grid_y, nb_lin / (nb_a.grid_x * nb_a.grid_y)));
        var t_0: i32 = 0i;
        var g_1: i32 = 0i;
        var stride_2: i32 = 0i;
        var tmp_3_3: i32 = 0i;
        t_0 = i32(nb_lid.x);
        g_1 = ((nb_bid.x * i32(nb_bx)) + i32(nb_lid.x));
        s_s0[t_0] = select(nb_opq(0.0f), arr_g[g_1], (g_1 < i32(nb_a.arr_n0)));
        storageBarrier();
        workgroupBarrier();
        stride_2 = (i32(nb_bx) >> bitcast<u32>(1i));
        loop {
          if (!((stride_2 > 0i))) { break; }
          if ((t_0 < stride_2)) {
            tmp_3_3 = t_0;
            s_s0[tmp_3_3] = nb_opq((s_s0[tmp_3_3] + s_s0[(t_0 + stride_2)]));
          }
          storageBarrier();
          workgroupBarrier();
          continuing {
            stride_2 = (stride_2 >> bitcast<u32>(1i));
          }
        }
        if ((t_0 == 0i)) {
          partial_g[nb_bid.x] = s_s0[0i];
        }
      }
      "
    `);
  });

  it('f32 atomic add by compare-exchange; u8 stores into packed words; JS % on floats', async () => {
    const code = await wgsl(histogram, f(4), f(1), new Uint8Array(4));
    expect(code.slice(code.indexOf('fn nb_atomic_add'))).toMatchInlineSnapshot(`
      "fn nb_atomic_add_sum_g(i: u32, v: f32) -> f32 {
        var old = atomicLoad(&sum_g[i]);
        loop {
          let r = atomicCompareExchangeWeak(&sum_g[i], old, bitcast<u32>(bitcast<f32>(old) + v));
          if (r.exchanged) { return bitcast<f32>(old); }
          old = r.old_value;
        }
      }
      fn nb_st_bytes_g(i: u32, v: i32) {
        let sh = (i & 3u) * 8u;
        let m = 0xffu << sh;
        atomicAnd(&bytes_g[i >> 2u], ~m);
        atomicOr(&bytes_g[i >> 2u], (bitcast<u32>(v) << sh) & m);
      }

      @compute @workgroup_size(nb_bx, nb_by, nb_bz)
      fn main(@builtin(local_invocation_id) nb_lid: vec3u, @builtin(local_invocation_index) nb_lidx: u32, @builtin(workgroup_id) nb_wid: vec3u) {
        // blockIdx from the dispatch (grids over 65535 blocks are folded into 2-D/3-D dispatches)
        let nb_lin = (nb_wid.z * nb_a.disp_y + nb_wid.y) * nb_a.disp_x + nb_wid.x;
        if (nb_lin >= nb_a.nblocks) { return; }
        let nb_bid = vec3i(vec3u(nb_lin % nb_a.grid_x, (nb_lin / nb_a.grid_x) % nb_a.grid_y, nb_lin / (nb_a.grid_x * nb_a.grid_y)));
        var i_0: i32 = 0i;
        var lg_1: f32 = 0.0f;
        var lg_2: f32 = 0.0f;
        var lg_3: u32 = 0u;
        i_0 = ((nb_bid.x * i32(nb_bx)) + i32(nb_lid.x));
        if ((i_0 >= i32(nb_a.x_n0))) {
          return;
        }
        let nb_i1 = 0i;
        var nb_t0: f32;
        nb_t0 = nb_atomic_add_sum_g(bitcast<u32>(nb_i1), x_g[i_0]);
        lg_1 = nb_fmod(x_g[i_0], nb_opq(7.0f));
        lg_2 = abs(trunc(lg_1));
        lg_3 = u32(nb_opq((lg_2 - nb_opq(nb_opq((floor(nb_opq((lg_2 * nb_opq(2.3283064365386963e-10f)))) * nb_opq(4294967296.0f)))))));
        nb_st_bytes_g(bitcast<u32>(i_0), (bitcast<i32>(select(0u, select(lg_3, (0u - lg_3), (lg_1 < nb_opq(nb_opq(0.0f)))), (abs(lg_1) < nb_opq(nb_opq(nb_f32_bits(0x7f800000u)))))) & 255i));
      }
      "
    `);
  });

  it('early return before a barrier: exit-flag mode', async () => {
    expect(mainOf(await cuda.jit(tail, { target: 'webgpu' }).inspect('wgsl', f(4)))).toMatchInlineSnapshot(`
      "@compute @workgroup_size(nb_bx, nb_by, nb_bz)
      fn main(@builtin(local_invocation_id) nb_lid: vec3u, @builtin(local_invocation_index) nb_lidx: u32, @builtin(workgroup_id) nb_wid: vec3u) {
        // blockIdx from the dispatch (grids over 65535 blocks are folded into 2-D/3-D dispatches)
        let nb_lin = (nb_wid.z * nb_a.disp_y + nb_wid.y) * nb_a.disp_x + nb_wid.x;
        if (nb_lin >= nb_a.nblocks) { return; }
        let nb_bid = vec3i(vec3u(nb_lin % nb_a.grid_x, (nb_lin / nb_a.grid_x) % nb_a.grid_y, nb_lin / (nb_a.grid_x * nb_a.grid_y)));
        nb_thread = nb_lid; nb_block = vec3u(nb_bid);
        var i_0: i32 = 0i;
        var nb_ret = false;
        if (!nb_ret) {
          i_0 = ((nb_bid.x * i32(nb_bx)) + i32(nb_lid.x));
          if ((i_0 >= i32(nb_a.a_n0))) {
            if (!nb_ret) { nb_ret = true; atomicAdd(&nb_nexit, 1u); atomicMax(&nb_exiter, nb_lidx + 1u); }
          }
          if (!nb_ret) {
            let nb_i0 = i32(nb_lid.x);
            if (nb_ok_i(nb_i0, 64u, 0u)) {
              s_s0[nb_i0] = a_g[nb_ck_i(i_0, nb_a.a_n0, 1u)];
            }
          }
        }
        storageBarrier();
        workgroupBarrier();
        let nb_seen1 = atomicLoad(&nb_nexit);
        workgroupBarrier();
        if (nb_seen1 != 0u && !nb_ret) { nb_report(2u, 2u, atomicLoad(&nb_exiter) - 1u, 0u); }
        if (!nb_ret) {
          let nb_i2 = i_0;
          if (nb_ok_i(nb_i2, nb_a.a_n0, 3u)) {
            a_g[nb_i2] = s_s0[nb_ck_i((63i - i32(nb_lid.x)), 64u, 4u)];
          }
        }
        nb_flush();
      }
      "
    `);
  });

  it('do-while becomes break-if in continuing; Math.floor(int / int) is a floor division', async () => {
    expect(mainOf(await wgsl(loops, new Int32Array(4), 3))).toMatchInlineSnapshot(`
      "@compute @workgroup_size(nb_bx, nb_by, nb_bz)
      fn main(@builtin(local_invocation_id) nb_lid: vec3u, @builtin(local_invocation_index) nb_lidx: u32, @builtin(workgroup_id) nb_wid: vec3u) {
        // blockIdx from the dispatch (grids over 65535 blocks are folded into 2-D/3-D dispatches)
        let nb_lin = (nb_wid.z * nb_a.disp_y + nb_wid.y) * nb_a.disp_x + nb_wid.x;
        if (nb_lin >= nb_a.nblocks) { return; }
        let nb_bid = vec3i(vec3u(nb_lin % nb_a.grid_x, (nb_lin / nb_a.grid_x) % nb_a.grid_y, nb_lin / (nb_a.grid_x * nb_a.grid_y)));
        var i_0: i32 = 0i;
        var k_1: i32 = 0i;
        var j_2: i32 = 0i;
        var lg_3: i32 = 0i;
        i_0 = ((nb_bid.x * i32(nb_bx)) + i32(nb_lid.x));
        k_1 = 0i;
        loop {
          k_1 = (k_1 + (i_0 % 3i));
          continuing {
            break if (!(k_1 < nb_a.n_p1));
          }
        }
        j_2 = 0i;
        loop {
          j_2 = (j_2 + 1i);
          if (((j_2 * j_2) > k_1)) {
            break;
          }
        }
        lg_3 = (k_1 % 2i);
        out_g[i_0] = (((k_1 / 2i) - select(0i, 1i, select(false, ((lg_3 ^ 2i) < 0i), (lg_3 != 0i)))) + j_2);
      }
      "
    `);
  });
});
