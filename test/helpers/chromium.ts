// Debian's Chromium for the end-to-end tests (playwright-core drives it; no browser is ever downloaded).
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

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

/** Chromium (downloads accepted) with one page whose requests and console errors / uncaught exceptions are logged. */
export async function watchedPage(): Promise<{ browser: Browser; page: Page; requests: string[]; consoleErrors: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ acceptDownloads: true });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  context.on("request", (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  return { browser, page, requests, consoleErrors };
}
