import { defineConfig } from "tsup";

// One self-contained file: the workspace packages (server, simulator, domain, store) are bundled;
// their npm dependencies stay external, so this package lists the server's runtime ones.
export default defineConfig({
  entry: { demo: "src/main.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  noExternal: [/^@carewatch\//],
});
