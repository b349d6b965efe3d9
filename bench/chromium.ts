import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium for the browser tests and benchmarks (tests/helpers re-exports it), with the flags this environment needs (no background networking or
 * component updates: nothing may reach out) in one place. `extraArgs`: e.g. the fake camera flags.
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}
