import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// Unit tests of the web app's modules. Only the Svelte compiler is needed (rune classes in
// `.svelte.ts` files), not SvelteKit; the browser build of Svelte is used so $state/$derived
// are reactive as they are on the wall.
export default defineConfig({
  plugins: [svelte()],
  resolve: { conditions: ["browser"] },
  test: {
    name: "web",
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
