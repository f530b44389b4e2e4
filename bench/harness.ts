/**
 * A tiny benchmark harness: runs a body in batches, takes the median of several rounds, and
 * prints rows side by side with their anchor as ratios. Numbers are wall-clock ns per operation.
 */
export interface Row {
  name: string;
  nsPerOp: number;
}

/** Median ns/op of `rounds` rounds of `ops` operations each (after one warm-up round). */
export async function measure(ops: number, body: (ops: number) => void | Promise<void>, rounds = 7): Promise<number> {
  await body(Math.min(ops, 10_000));
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await body(ops);
    const t1 = process.hrtime.bigint();
    results.push(Number(t1 - t0) / ops);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)]!;
}

/** Prints rows as a table with each row's ratio to `anchor` (anchor ns / row ns: > 1 means faster). */
export function report(title: string, rows: Row[], anchorName: string): void {
  const anchor = rows.find((r) => r.name === anchorName);
  console.log(`\n${title}`);
  console.log(`${"".padEnd(44)}${"ns/op".padStart(12)}  ${`speed vs ${anchorName}`.padStart(28)}`);
  for (const r of rows) {
    const ratio = anchor ? anchor.nsPerOp / r.nsPerOp : NaN;
    console.log(`${r.name.padEnd(44)}${r.nsPerOp.toFixed(1).padStart(12)}  ${(ratio.toFixed(2) + "x").padStart(28)}`);
  }
}
