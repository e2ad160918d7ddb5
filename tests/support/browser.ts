import { chromium, type Browser } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser). The flags keep it
 * off the network: this machine reaches nothing but loopback and the package registries.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
    ],
  });
}
