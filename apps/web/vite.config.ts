import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

// `vite dev` talks to a carewatch server on :3000 (tRPC, Socket.IO, Facility API) on the same
// origin as far as the browser can tell, so the display cookie goes along as in production.
const server = process.env.CAREWATCH_DEV_SERVER ?? "http://localhost:3000";

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      "/trpc": { target: server, changeOrigin: false },
      "/socket.io": { target: server, ws: true, changeOrigin: false },
      "/api": { target: server, changeOrigin: false },
      "/auth": { target: server, changeOrigin: false },
    },
  },
  build: {
    // Wall displays are recent Chromium-based TVs/mini-PCs; no legacy transpilation needed.
    target: "es2022",
  },
});
