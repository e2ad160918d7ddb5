import { ConfigError, parseConfig } from "./env.js";
import { startServer } from "./server.js";

/** `pnpm start`: the API, the live stream and the web app on one origin. No simulated feed. */
async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`carewatch: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const server = await startServer(config).catch((e: NodeJS.ErrnoException) => {
    process.stderr.write(`carewatch: cannot start: ${e.code === "EADDRINUSE" ? `PORT ${config.port} is already in use` : e.message}\n`);
    process.exit(1);
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.log.info({ signal }, "shutting down");
      server.close().then(
        () => process.exit(0),
        (e) => {
          server.log.error({ err: e }, "unclean shutdown");
          process.exit(1);
        },
      );
    });
  }
}

void main();
