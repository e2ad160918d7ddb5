import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { originAllowed } from "./hub.js";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("originAllowed", () => {
  it("accepts the page's own origin and configured ones, refuses others", () => {
    expect(originAllowed(req({ host: "board.example:3000", origin: "http://board.example:3000" }), [])).toBe(true);
    expect(originAllowed(req({ host: "board.example", origin: "https://board.example" }), [])).toBe(true);
    expect(originAllowed(req({ host: "board.example", origin: "https://evil.example" }), [])).toBe(false);
    expect(originAllowed(req({ host: "board.example", origin: "https://ops.example" }), ["https://ops.example"])).toBe(true);
  });
  it("lets non-browser clients without an Origin through (they still need a display token)", () => {
    expect(originAllowed(req({ host: "board.example" }), [])).toBe(true);
  });
});
