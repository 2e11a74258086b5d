// The child process of probe.ts: loads one backend, asks it whether it works
// and prints the answer as one JSON line. Run as `node probe-child.js <target>`.

// By the package's name, as the backends import core: one copy of core in the process.
import { targetAvailability } from '@numbat/core';
import type { Target } from './backend.js';

const target = process.argv[process.argv.length - 1] as Target;
const a = await targetAvailability(target);
process.stdout.write(JSON.stringify(a) + '\n', () => process.exit(0));
