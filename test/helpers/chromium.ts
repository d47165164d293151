// Debian's Chromium for the end-to-end tests (playwright-core drives it; no browser is ever downloaded).
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
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
