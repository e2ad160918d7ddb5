import { defineConfig } from "tsup";

// One self-contained file per entry; workspace packages are bundled, npm dependencies stay external.
export default defineConfig({
  entry: { main: "src/main.ts", cw: "src/cli/main.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  noExternal: [/^@carewatch\//],
});
