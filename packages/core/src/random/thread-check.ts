// The one bounds check of a draw. A state array holds n threads' words
// interleaved (states.ts), so an index i >= n lands on other threads' words
// inside the array: no per-access check would notice. Each library entry that
// touches a thread's words therefore starts with checkThread(states, i, n),
// which the frontend lowers (frontend/thread-check.ts) to one checked access of
// thread i's last word (index length - n + i: out of bounds exactly when i is
// not in 0..n-1), reported like any out-of-bounds access, and which marks the
// entry's later accesses of `states` (all at w * n + i, w < STATE_WORDS) as in
// bounds, so backends drop their individual checks. With boundscheck: false
// there is no check, as for any access.

/** Plain JavaScript meaning (the library functions run as JS): the same check, as a RangeError. */
export function checkThread(states: Uint32Array, i: number, n: number): void {
  if (!(i >= 0 && i < n)) throw new RangeError(`numbat random: thread index ${i} has no state: the states array (length ${states.length}) holds ${n} threads' states`);
}
