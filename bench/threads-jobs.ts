// Jobs for bench/threads.ts, loaded by URL on worker threads.

/** Burns CPU for `ms` milliseconds. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) x += i;
  return x > 0 ? ms : 0;
}

/** Does nothing: measures the cost of a job itself. */
export function noop(): undefined {
  return undefined;
}
