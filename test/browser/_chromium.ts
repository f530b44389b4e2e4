// Shared by the headless-Chromium tests: launches Debian's chromium through playwright-core (never a
// downloaded browser) with a fresh profile, and says loudly why a test is skipped when it is absent.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Where Debian's chromium lives (`apt-get install -y chromium`; .ci/run installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** Why browser tests cannot run here, or null when they can. */
export function skipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `SKIPPED: ${CHROMIUM} is absent; install it with \`apt-get install -y chromium\` (.ci/run does)`;
}

/**
 * Launches headless Chromium on a fresh profile directory (playwright-core passes it as
 * --user-data-dir); `close()` closes the browser and removes the profile.
 */
export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "reed-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1300, height: 1000 },
  });
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
