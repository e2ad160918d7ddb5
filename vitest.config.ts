import { defineConfig } from "vitest/config";

// Every suite in one run: unit tests beside the code in each package, cross-app suites in tests/.
// Two workers: the machines have two cores, and the browser and kill tests start real servers.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tests"],
    maxWorkers: 2,
  },
});
