// ESLint for the whole monorepo (flat config): ESLint's and typescript-eslint's recommended
// rules (syntax only, no type information, so it stays fast), and eslint-plugin-svelte's for
// the web app. Formatting is Prettier's job (`.prettierrc`); `pnpm lint` runs both.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";
import svelteConfig from "./svelte.config.js";

export default defineConfig(
  { ignores: ["**/dist/", "**/build/", "**/.svelte-kit/", "**/node_modules/", "data/", "tests/artifacts/", "docs/screenshots/"] },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Deliberate in this code base: with noUncheckedIndexedAccess, `xs[i]!` states an index
      // the code has just checked.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Test helpers read arbitrary JSON responses.
      "@typescript-eslint/no-explicit-any": "off",
      // `_`-prefixed names are deliberately unused (callback signatures, destructuring to omit).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  {
    // The web app runs in the browser.
    files: ["apps/web/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts", "**/*.svelte.js"],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"], svelteConfig } },
    rules: {
      // The Maps it flags are locals of pure helpers (merge, count), never state a template reads;
      // the board's reactive state is $state in the rune class.
      "svelte/prefer-svelte-reactivity": "off",
      // Pages are full loads the server guards (data-sveltekit-reload) and the app has no base
      // path: resolve() would add nothing to an href or a replaceState URL.
      "svelte/no-navigation-without-resolve": "off",
    },
  },
);
