// The web app imports only this type (never the server code): `import type { AppRouter } from "@carewatch/server/router"`.
export type { AppRouter } from "./router.js";
