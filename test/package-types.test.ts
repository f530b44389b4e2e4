/**
 * The built package's declarations (dist/**\/*.d.ts) are valid strict TypeScript for a user: a
 * program importing every entry by name type-checks with `skipLibCheck` off, and they hold no
 * internals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";

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

test("the shipped declarations leave out members marked @internal", () => {
  // tsconfig.build.json sets stripInternal: a user's editor never offers reed's internals.
  const root = new URL("../dist/", import.meta.url);
  const leaked: string[] = [];
  for (const f of readdirSync(root, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith(".d.ts")) continue;
    if (readFileSync(new URL(f, root), "utf8").includes("@internal")) leaked.push(f);
  }
  assert.deepEqual(leaked, []);
  // And the internals are really gone, not just their tags: Channel's wait queues, for one.
  assert.doesNotMatch(readFileSync(new URL("channels/channel.d.ts", root), "utf8"), /recvq/);
});
