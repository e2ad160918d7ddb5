import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "tests",
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "bench/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser and kill tests start servers and Chromium: one file at a time per worker is plenty.
    fileParallelism: true,
  },
});
