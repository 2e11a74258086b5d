// The child process of probe.ts: loads one backend, asks it whether it works
// and prints the answer as one JSON line. Run as `node probe-child.js <target>`.

import { targetAvailability } from './index.js';
import type { Target } from './backend.js';

const target = process.argv[process.argv.length - 1] as Target;
const a = await targetAvailability(target);
process.stdout.write(JSON.stringify(a) + '\n', () => process.exit(0));
