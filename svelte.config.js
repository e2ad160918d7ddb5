// The SvelteKit configuration of apps/web (apps/web/svelte.config.js re-exports this file, so
// there is one config for the editor, svelte-check and the build).
import adapter from "@sveltejs/adapter-static";

/** @type {import('@sveltejs/kit').Config} */
const config = {
  compilerOptions: { runes: true },
  kit: {
    // A single-page app served by the carewatch server on the same origin as the API, tRPC and
    // Socket.IO. The server guards each page (display token, later accounts) before it serves
    // index.html, so no page needs server-side rendering.
    adapter: adapter({ pages: "build", assets: "build", fallback: "index.html", strict: true }),
    // Wall displays run for weeks: poll for a new deployment and reload (lib/live handles it).
    version: { pollInterval: 60_000 },
  },
};

export default config;
