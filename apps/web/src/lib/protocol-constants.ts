// The live protocol's constants, taken from packages/domain/src/live.ts itself: the package's
// index ("@carewatch/domain") also evaluates every zod schema, which would put zod in the wall's
// bundle for three numbers. (Types still come from "@carewatch/domain": they cost nothing.)
export { COALESCE_MS, HEARTBEAT_MS, TICKER_LENGTH } from "../../../../packages/domain/src/live";
