import { defineConfig } from "vitest/config";

// Tests live beside the code they test (style.md §11).
export default defineConfig({
  test: {
    include: ["{schemas,platform,controller,provider,bench,examples}/**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**", "**/cdktf.out/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
