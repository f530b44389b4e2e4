/**
 * The built package's declarations (dist/**\/*.d.ts) are valid strict TypeScript for a user: a
 * program importing every entry by name type-checks with `skipLibCheck` off.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

test("a user's strict program type-checks against the shipped declarations (skipLibCheck off)", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      "--noEmit",
      "--ignoreConfig",
      "--strict",
      "--exactOptionalPropertyTypes",
      "false",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--lib",
      "es2022,dom",
      "--types",
      "node",
      "test/fixtures/consumer/consumer.ts",
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
