import { defineConfig } from "tsup";

export default defineConfig({
  entry: { main: "src/main.ts", index: "src/index.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  dts: false,
  // The workspace domain package ships TypeScript source: bundle it, together with what it
  // imports (zod), which this package does not depend on directly. commander stays external.
  noExternal: [/^@carewatch\//, "zod"],
  external: ["commander"],
});
