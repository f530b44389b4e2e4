/**
 * The poems shipped with reed (public domain, as the tutorial ships them), found relative to this
 * module so they work from `src/` (tsx) and from `dist/` (the installed package) alike.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The three poems of the tutorial's demo, with the chunk sizes that make them finish together. */
export const CLASSIC_POEMS: readonly { name: string; numBytes: number }[] = [
  { name: "ecstasy", numBytes: 30 },
  { name: "fascination", numBytes: 10 },
  { name: "science", numBytes: 10 },
];

/** The directory holding the shipped poems (`poems/` at the package root). */
export function poemsDir(): string {
  // src/apps/poetry/poems.ts and dist/apps/poetry/poems.js are both three levels below the root.
  return fileURLToPath(new URL("../../../poems/", import.meta.url));
}

/** The path of shipped poem `name` (`"ecstasy"` → `.../poems/ecstasy.txt`). */
export function poemPath(name: string): string {
  return poemsDir() + (name.endsWith(".txt") ? name : `${name}.txt`);
}

/**
 * Finds a poem file: `file` itself if it exists, else the shipped poem of that name.
 * @returns the path, or null when neither exists.
 */
export function findPoem(file: string): string | null {
  if (existsSync(file)) return file;
  if (/^[\w-]+(\.txt)?$/.test(file) && existsSync(poemPath(file))) return poemPath(file);
  return null;
}

/** Reads a shipped poem's bytes. */
export function readPoem(name: string): Uint8Array {
  return readFileSync(poemPath(name));
}
