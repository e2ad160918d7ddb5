import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inlineStylePolicy, webAppPolicy } from "./security-headers.js";

describe("webAppPolicy", () => {
  it("is the build's meta policy plus frame-ancestors 'none'", () => {
    const html = `<head><meta charset="utf-8"><meta http-equiv="content-security-policy" content="default-src 'self'; script-src 'self' 'sha256-abc='; object-src 'none'"></head>`;
    expect(webAppPolicy(html)).toBe("default-src 'self'; script-src 'self' 'sha256-abc='; object-src 'none'; frame-ancestors 'none'");
  });

  it("reads the tag in either quoting and with HTML entities, and adds no second semicolon", () => {
    expect(webAppPolicy(`<META HTTP-EQUIV="Content-Security-Policy" CONTENT="default-src &#39;self&#39;;">`)).toBe(
      "default-src 'self'; frame-ancestors 'none'",
    );
    expect(webAppPolicy(`<meta http-equiv='content-security-policy' content='default-src "self"' />`)).toBe(`default-src "self"; frame-ancestors 'none'`);
  });

  it("is null for a build without the tag (the header then keeps frame-ancestors alone)", () => {
    expect(webAppPolicy("<head><title>carewatch</title></head>")).toBeNull();
    expect(webAppPolicy(`<meta http-equiv="content-security-policy" content="">`)).toBeNull();
  });
});

describe("inlineStylePolicy", () => {
  it("allows exactly its stylesheet by hash, no script, and says frame-ancestors only in the header form", () => {
    const css = "body{color:red}";
    const hash = createHash("sha256").update(css).digest("base64");
    const header = inlineStylePolicy(css);
    expect(header).toBe(`default-src 'none'; style-src 'sha256-${hash}'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`);
    expect(inlineStylePolicy(css, "meta")).toBe(header.replace("; frame-ancestors 'none'", ""));
    expect(header).not.toMatch(/unsafe|script-src/);
  });
});
