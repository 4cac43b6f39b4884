import { join } from "node:path";

/**
 * Where specs save screenshots: README's docs/screenshots only on request
 * (LEVHUB_SCREENSHOTS=1 npx playwright test), else beside the other test output, so `npm test`
 * leaves the tree clean.
 */
export const SHOTS =
  process.env.LEVHUB_SCREENSHOTS === "1" ? join(process.cwd(), "docs", "screenshots") : join(process.cwd(), "test-results", "screenshots");
