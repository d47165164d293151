// Types of extract.mjs for the tests that import it (test/golden.test.ts).
export const GOLDEN_DIR: string;
export const DEFAULT_SHARED: string;
/** Every golden file as its path under shared/. */
export function goldenFiles(shared?: string): string[];
/** The golden file of a path under shared/ (absolute, ending in .gz). */
export function goldenPath(rel: string): string;
/** The text a golden file holds once decompressed. */
export function goldenContent(rel: string, shared?: string): string;
