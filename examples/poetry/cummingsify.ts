/**
 * The tutorial's unreliable Cummingsifier (Part 10), shared by clients 5.0 and 5.1: it lower-cases
 * the poem, or fails with GibberishError, or fails some other way. `REED_CUMMINGSIFY=ok|gibberish|
 * fail` picks the outcome (for the smoke tests); otherwise it is random.
 */

/** The "poem" was not a poem after all: the download counts as failed. */
export class GibberishError extends Error {
  override name = "GibberishError";
}

/** The transform failed; the original poem travels with the error (client 5.1). */
export class CannotCummingsify extends Error {
  override name = "CannotCummingsify";
  constructor(readonly poem: string) {
    super("Cannot cummingsify this poem");
  }
}

function outcome(): "ok" | "gibberish" | "fail" {
  const forced = process.env.REED_CUMMINGSIFY;
  if (forced === "ok" || forced === "gibberish" || forced === "fail") return forced;
  return (["ok", "gibberish", "fail"] as const)[Math.floor(Math.random() * 3)]!;
}

/** Client 5.0's version: a random failure is a plain Error. */
export function cummingsify(poem: string): string {
  const o = outcome();
  if (o === "gibberish") throw new GibberishError();
  if (o === "fail") throw new Error("cummingsify failed");
  return poem.toLowerCase();
}

/** Client 5.1's version: a random failure is a CannotCummingsify carrying the poem. */
export function cummingsify51(poem: string): string {
  try {
    return cummingsify(poem);
  } catch (e) {
    if (e instanceof GibberishError) throw e;
    throw new CannotCummingsify(poem);
  }
}
