import { describe, expect, it } from "vitest";
import { detached, joinedKey } from "./detached-string.js";

describe("strings a transaction keeps", () => {
  it("joins key parts with single spaces, numbers written as decimals", () => {
    expect(joinedKey("z9hG4bK776", "host:5060", "INVITE")).toBe("z9hG4bK776 host:5060 INVITE");
    expect(joinedKey("2543", "ACK", "", 7)).toBe("2543 ACK  7");
  });

  it("copies a tag read off a message, whatever its characters", () => {
    const text = "To: <sip:bob@example.com>;tag=8321234356-é\r\n";
    const tag = text.slice(text.indexOf("tag=") + 4, -2);
    expect(detached(tag)).toBe("8321234356-é");
    expect(detached("")).toBe("");
  });
});
