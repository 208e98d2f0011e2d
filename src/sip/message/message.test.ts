import { describe, expect, it } from "vitest";
import { parseMessage } from "./parse.js";
import type { SipRequest } from "./message.js";
import { SipParseError } from "./parse-error.js";

function register(...headers: string[]): SipRequest {
  const text = [
    "REGISTER sip:example.com SIP/2.0",
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKmsg1",
    "From: <sip:2001@example.com>;tag=a1",
    "To: <sip:2001@example.com>",
    "Call-ID: message-test",
    "CSeq: 1 REGISTER",
    ...headers,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe("SipMessage's parsed addresses (RFC 3261 §7.3.1, §20.10)", () => {
  it("lists every address of a list header in order, comma-joined fields split, each parsed once", () => {
    const request = register("Contact: <sip:2001@192.0.2.10>;expires=60, <sip:2001@192.0.2.11>;q=0.5", "Contact: sip:2001@192.0.2.12");
    const contacts = request.addresses("Contact");
    expect(contacts.map((c) => c.nameAddr.uri)).toEqual(["sip:2001@192.0.2.10", "sip:2001@192.0.2.11", "sip:2001@192.0.2.12"]);
    expect(contacts.map((c) => ("host" in c.uri ? c.uri.host : undefined))).toEqual(["192.0.2.10", "192.0.2.11", "192.0.2.12"]);
    expect(request.addresses("contact")[1]).toBe(contacts[1]);
  });

  it("leaves out Contact: * (RFC 3261 §10.2.2), which is no address, and refuses * in any other address header", () => {
    expect(register("Contact: *", "Expires: 0").addresses("Contact")).toEqual([]);
    for (const header of ["Route: *", "Record-Route: *", "Path: *", "Route: <sip:proxy.example.com;lr>, *"]) {
      expect(() => register(header).addresses(header.split(":")[0]!)).toThrow(SipParseError);
    }
  });

  it("refuses an address that does not parse, every time it is asked", () => {
    const request = register("Contact: <sip:2001@192.0.2.10");
    expect(() => request.addresses("Contact")).toThrow(SipParseError);
    expect(() => request.addresses("Contact")).toThrow(SipParseError);
  });

  it("parses the From and To URIs once", () => {
    const request = register();
    expect(request.toUri).toBe(request.toUri);
    expect("user" in request.fromUri && request.fromUri.user).toBe("2001");
  });
});
