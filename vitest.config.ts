import { defineConfig } from "vitest/config";

// Tests live beside the code they test (style.md §11).
export default defineConfig({
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
