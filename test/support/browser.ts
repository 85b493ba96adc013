/**
 * Real Chromium (Debian's package) driven by playwright-core. A missing browser fails the tests
 * with the command that installs it; it never skips them.
 */
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Screenshots the tests take, kept as artifacts. */
export const artifactsDir = "test-output";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`The browser tests need Chromium at ${chromiumPath}. Install it with \`apt-get install -y chromium\`, or set CHROMIUM_PATH.`);
  }
  mkdirSync(artifactsDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    // No sandbox as root in CI; no background traffic, which this machine's closed network refuses.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}
