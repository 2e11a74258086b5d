// The conformance corpus (@numbat/core/testsuite) on target 'cpu', each case
// compared with the simulator; skipped, with the reason, where cpu is unavailable.

import { describe, it } from 'vitest';
import { targetAvailability } from '@numbat/core';
import { assertCase, CORPUS, runCase } from '@numbat/core/testsuite';

const target = 'cpu';
const a = await targetAvailability(target);

describe.skipIf(!a.ok)(a.ok ? `${target} matches sim (${a.device ?? 'device'})` : `${target} (skipped: ${a.reason})`, () => {
  for (const c of CORPUS) it(c.name, async () => assertCase(await runCase(c, target)));
});
