// Debian's Chromium for the end-to-end tests (playwright-core drives it; no browser is ever downloaded).
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Appended to the name of a suite that needs Chromium, so that a skipped run says why (CI installs it). */
export const NO_CHROMIUM = HAVE_CHROMIUM ? "" : ` (skipped: ${CHROMIUM} is missing; apt-get install chromium)`;
if (!HAVE_CHROMIUM) console.warn(`${CHROMIUM} is missing: this file's Chromium tests are skipped (apt-get install chromium)`);
/** The flags the environment needs: no sandbox as root, and no background connections of Chromium's own. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
