import { describe, expect, it } from "vitest";
import { clientAddressOf } from "./client-address.js";

describe("clientAddressOf", () => {
  const proxies = ["127.0.0.1", "10.0.0.5"];

  it("is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(clientAddressOf("203.0.113.9", "198.51.100.1", proxies)).toBe("203.0.113.9");
    expect(clientAddressOf("::ffff:203.0.113.9", undefined, [])).toBe("203.0.113.9");
  });

  it("behind trusted proxies: the rightmost address that is not one of ours", () => {
    expect(clientAddressOf("127.0.0.1", "198.51.100.7", proxies)).toBe("198.51.100.7");
    // nginx → another proxy of ours → us; the client's own claim on the left is ignored.
    expect(clientAddressOf("::ffff:127.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.5", proxies)).toBe("198.51.100.7");
  });

  it("a trusted proxy without the header is the client (a health check on the proxy itself)", () => {
    expect(clientAddressOf("127.0.0.1", undefined, proxies)).toBe("127.0.0.1");
    expect(clientAddressOf(undefined, "1.2.3.4", proxies)).toBe("unknown");
  });
});
