// Unit conversion, quick and slow. `convertSlowly` stands in for the seed's "unit conversion that
// takes a really long time": it burns CPU for `ms` milliseconds before answering. The server runs
// it on a worker thread with deferToThread (this module is loaded there by URL), or inline to
// show what blocking the reactor looks like.

const METRES: Record<string, number> = { m: 1, km: 1000, mi: 1609.344, ft: 0.3048, in: 0.0254, nmi: 1852 };

/** Converts `value` from one length unit to another. @throws RangeError for an unknown unit. */
export function convert(value: number, from: string, to: string): number {
  const a = METRES[from];
  const b = METRES[to];
  if (a === undefined) throw new RangeError(`Unknown unit: ${from}`);
  if (b === undefined) throw new RangeError(`Unknown unit: ${to}`);
  return (value * a) / b;
}

/** The same conversion, after `ms` milliseconds of CPU-bound work (a deliberately slow method). */
export function convertSlowly(value: number, from: string, to: string, ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
  }
  return convert(value, from, to) + x * 0; // x keeps the loop from being optimised away
}
