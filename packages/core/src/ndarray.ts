// cuda.ndarray(data, shape): a typed array or device array with a row-major
// shape of 1-3 dimensions, passed to a kernel as an n-d array (numba's 2-D /
// 3-D arguments: `a[i][j]`, `a.shape[k]`, `a.length` inside the kernel). The
// shape is part of the kernel's signature: each distinct shape compiles its
// own specialisation, with constant extents (numba keeps them at run time).

import { DeviceArray } from './device-array.js';
import { elemTypeOfTypedArray, type ElemType, type TypedArray } from './types.js';

export class NdArray<D extends TypedArray | DeviceArray = TypedArray | DeviceArray> {
  readonly shape: readonly number[];
  constructor(readonly data: D, shape: readonly number[]) {
    if (!(data instanceof DeviceArray) && !elemTypeOfTypedArray(data)) throw new TypeError('cuda.ndarray(data, shape): data must be a typed array (Float32Array, Int32Array, …) or a device array');
    if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3 || shape.some((d) => !Number.isInteger(d) || d < 1 || d > 2147483647)) {
      throw new RangeError(`cuda.ndarray(data, shape): shape must be 1 to 3 positive integers, got ${JSON.stringify(shape)}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new RangeError(`cuda.ndarray(data, [${shape.join(', ')}]): the shape holds ${size} elements but data has ${data.length}`);
    this.shape = Object.freeze([...shape]);
  }
  get dtype(): ElemType { return this.data instanceof DeviceArray ? this.data.dtype : elemTypeOfTypedArray(this.data)!; }
  /** Rows, as a nested JS array's `length` (the first extent). */
  get length(): number { return this.shape[0]; }
}

/** numba-style n-d argument: `cuda.ndarray(new Float32Array(rows * cols), [rows, cols])` (row-major). */
export function ndarray<D extends TypedArray | DeviceArray>(data: D, shape: readonly number[]): NdArray<D> {
  return new NdArray(data, shape);
}
