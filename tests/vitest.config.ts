import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The live tests drive the web app's Board, a Svelte 5 rune class (`.svelte.ts`). Compiled as
  // for the browser (no SvelteKit, no DOM needed), so $state/$derived are reactive as on the
  // wall; only the Svelte modules: socket.io-client and the rest keep their Node builds.
  plugins: [svelte({ dynamicCompileOptions: () => ({ generate: "client" }) })],
  test: {
    name: "tests",
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "bench/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser and kill tests start servers and Chromium: one file at a time per worker is plenty.
    fileParallelism: true,
    // A throwaway PostgreSQL server (when the run asks for that engine: the tests-pg project, and
    // `cw copy`'s target) and a throwaway Redis (the multi-process tests), one each per project.
    globalSetup: ["../packages/store/src/test-pg/global-setup.ts", "./support/redis-setup.ts"],
  },
});
