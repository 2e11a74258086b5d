// Child process of runtime-safety.test.ts: an array longer than a kernel can
// index (2^31 + 16 bytes) must be refused by name, not seen with a negative length.
import { cuda } from '@numbat/core';

const k = cuda.jit(function len(big, out) { out[0] = big.length; }, { target: 'cpu' });
const out = new Int32Array(1);
const r = await k.configure(1, 1)(new Uint8Array(2 ** 31 + 16), out).then(() => `resolved, length ${out[0]}`, (e) => `${e.name}: ${e.message}`);
console.log(JSON.stringify({ r }));
