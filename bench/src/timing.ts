/** The timing rule of the bench workers: best of 3 after a warm-up, in milliseconds (as the peer scripts time). */
export function bestOfThreeMs(f: () => unknown): number {
  f();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return Math.round(best * 10) / 10;
}
