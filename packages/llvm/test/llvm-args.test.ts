// LLVM's process options (capi.ts llvmArgs): numbat's defaults, then NUMBAT_LLVM_ARGS; a
// default the variable names again is left out (LLVM would end the process on an option
// given twice).
import { describe, expect, it } from 'vitest';
import { llvmArgs } from '@numbat/llvm';

describe('LLVM options', () => {
  it('turns the post-RA scheduler off on x86-64 only', () => {
    expect(llvmArgs('', 'x64')).toEqual(['-post-RA-scheduler=false']);
    expect(llvmArgs('', 'arm64')).toEqual([]);
  });
  it('appends NUMBAT_LLVM_ARGS after the defaults', () => {
    expect(llvmArgs('  -slp-threshold=-4   -time-passes ', 'x64')).toEqual(['-post-RA-scheduler=false', '-slp-threshold=-4', '-time-passes']);
  });
  it('leaves out a default the variable sets itself, with one dash or two', () => {
    expect(llvmArgs('-post-RA-scheduler=true', 'x64')).toEqual(['-post-RA-scheduler=true']);
    expect(llvmArgs('--post-RA-scheduler', 'x64')).toEqual(['--post-RA-scheduler']);
  });
});
