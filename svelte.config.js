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
    // The Content-Security-Policy, written by SvelteKit into the built index.html as a
    // <meta http-equiv> with the sha256 of its inline bootstrap script added to script-src (so no
    // 'unsafe-inline' for scripts). This is the one source of truth: the server reads that meta tag
    // at start and sends the same policy as a header on every page, adding frame-ancestors (which
    // a meta tag cannot carry) — apps/server/src/http/security-headers.ts.
    csp: {
      mode: "hash",
      directives: {
        "default-src": ["self"],
        "script-src": ["self"],
        // No 'unsafe-inline' for styles either. Svelte 5 writes `style:` directives through the
        // CSSOM (element.style.cssText), which CSP does not govern, and component CSS goes to
        // built .css files; chart.js sizes its canvas through the CSSOM too. What remains are two
        // inline style *attributes* written by SvelteKit itself, not by our code: the
        // `<div style="display: contents">` around the body in app.html, and the hidden route
        // announcer (root.svelte, inserted after the first client-side navigation). 'unsafe-hashes'
        // with their two hashes allows exactly those two attribute values and nothing else.
        "style-src": [
          "self",
          "unsafe-hashes",
          // "display: contents"
          "sha256-tcbDxjMo+xKqM21aCGYbs/QAJqB7yUXC06oPWDapBgc=",
          // "position: absolute; left: 0; top: 0; clip: rect(0 0 0 0); clip-path: inset(50%); …" (svelte-announcer)
          "sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo=",
        ],
        "img-src": ["self", "data:", "blob:"],
        // tRPC, Socket.IO (polling and WebSocket) and the Facility API are all on this origin;
        // 'self' matches ws:/wss: of the same host in CSP Level 3 (Chromium, Firefox, Safari ≥ 15.4).
        "connect-src": ["self"],
        // apps/web/src/service-worker.ts (/entry offline).
        "worker-src": ["self"],
        "object-src": ["none"],
        "base-uri": ["self"],
        "form-action": ["self"],
      },
    },
  },
};

export default config;
