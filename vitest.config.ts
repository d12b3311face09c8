import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests live beside the code they test (style.md §11).
export default defineConfig({
  // The examples import the package by name, as a partner's app does (tsconfig.json `paths`).
  resolve: {
    alias: {
      "omnia-iac/cdktf": fileURLToPath(new URL("./provider/cdktf/cdktf.ts", import.meta.url)),
      "omnia-iac/cdktn": fileURLToPath(new URL("./provider/cdktf/cdktn.ts", import.meta.url)),
    },
  },
  test: {
    include: ["{schemas,platform,controller,provider,bench,examples}/**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**", "**/cdktf.out/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // A throwaway PostgreSQL server for the store tests (OMNIA_TEST_DATABASE_URL).
    globalSetup: ["controller/store/test-support/postgres-global-setup.ts"],
  },
});
