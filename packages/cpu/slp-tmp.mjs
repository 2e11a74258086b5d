import { NativeModule } from '@numbat/cpu/llvm';
import { hostTarget } from './dist/codegen/target.js';
import { readFileSync } from 'node:fs';
const nm = NativeModule.parse(readFileSync('/tmp/kt/slp/mc.ll', 'utf8'), 'mc');
const t = hostTarget(); nm.setTarget(t); nm.optimize(t);
const asm = nm.emit(t, 'asm').toString();
console.log(asm.split('\n').filter(l => /\t(v[a-z]+)\s/.test(l)).map(l => l.trim().split(/\s/)[0]).reduce((m, x) => (m[x] = (m[x] ?? 0) + 1, m), {}));
