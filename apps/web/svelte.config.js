// The one SvelteKit config lives at the repository root (editor, svelte-check and build share it).
export { default } from "../../svelte.config.js";
