export { copyToPg, type CopyOptions, type CopyProgress, type CopyReport } from "./copy-to-pg.js";
export { CopyError } from "./copy-error.js";
