import { describe, expect, it } from "vitest";
import { parseMessage, parseVia, serialize, type SipRequest } from "../message/index.js";
import type { Source } from "./endpoint.js";
import { request, requestText } from "./test-support.js";
import { replaceTopVia, responseTarget, stampReceived } from "./top-via.js";

const from = (address: string, port: number, transport: Source["transport"] = "UDP", connectionId?: string): Source => ({
  transport,
  address,
  port,
  connectionId,
  localAddress: address.includes(":") ? "::1" : "127.0.0.1",
  localPort: 5060,
});

const topVia = (via: string, source: Source): string => {
  const req = request(via);
  stampReceived(req, source);
  return req.headers.get("Via")!;
};

describe("stampReceived (RFC 3261 §18.2.1, RFC 3581 §4)", () => {
  it("MUST add received when the sent-by address differs from the source address", () => {
    expect(topVia("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1", from("198.51.100.7", 5060))).toBe(
      "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=198.51.100.7",
    );
  });

  it("MUST add received when the sent-by host is a domain name", () => {
    expect(topVia("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1", from("192.0.2.4", 5060))).toContain(";received=192.0.2.4");
  });

  it("MUST NOT add received when the sent-by address is the source address, however IPv6 is written", () => {
    expect(topVia("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", from("192.0.2.1", 5070))).toBe("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1");
    expect(topVia("SIP/2.0/UDP [0:0:0:0:0:0:0:1]:5060;branch=z9hG4bK1", from("::1", 5060))).not.toContain("received");
  });

  it("MUST fill an empty rport with the source port and add received even when it equals sent-by (RFC 3581 §4)", () => {
    expect(topVia("SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1", from("192.0.2.1", 40123))).toBe(
      "SIP/2.0/UDP 192.0.2.1:5060;rport=40123;branch=z9hG4bK1;received=192.0.2.1",
    );
  });

  it("MUST write an IPv6 received without brackets (RFC 5118 §4.5) and keep it parseable", () => {
    const via = topVia("SIP/2.0/UDP [2001:db8::9:1];rport;branch=z9hG4bK1", from("2001:db8::9:255", 5070));
    expect(via).toBe("SIP/2.0/UDP [2001:db8::9:1];rport=5070;branch=z9hG4bK1;received=2001:db8::9:255");
    expect(parseVia(via).params).toContainEqual({ name: "received", value: "2001:db8::9:255" });
  });

  it("MUST replace a received the sender wrote itself", () => {
    expect(topVia("SIP/2.0/UDP a.example;received=10.0.0.1;branch=z9hG4bK1", from("192.0.2.9", 5060))).toBe(
      "SIP/2.0/UDP a.example;branch=z9hG4bK1;received=192.0.2.9",
    );
  });

  it("MUST stamp only the top Via and keep the header name as the sender wrote it", () => {
    const text = requestText("SIP/2.0/UDP a.example;branch=z9hG4bK1")
      .replace("Via: ", "v: ")
      .replace("Max-Forwards", "Via: SIP/2.0/UDP b.example;branch=z9hG4bK0\r\nMax-Forwards");
    const req = parseMessage(Buffer.from(text)) as SipRequest;
    stampReceived(req, from("192.0.2.9", 5060));
    const wire = serialize(req).toString();
    expect(wire).toContain("\r\nv: SIP/2.0/UDP a.example;branch=z9hG4bK1;received=192.0.2.9\r\n");
    expect(wire).toContain("\r\nVia: SIP/2.0/UDP b.example;branch=z9hG4bK0\r\n");
    expect(req.via.params).toContainEqual({ name: "received", value: "192.0.2.9" });
  });

  it("replaceTopVia keeps the Via in its place among the header fields", () => {
    const req = request("SIP/2.0/UDP a.example;branch=z9hG4bK1");
    const index = req.headers.fields.findIndex((f) => f.key === "via");
    replaceTopVia(req, { ...req.via, transport: "TCP" });
    expect(req.headers.fields[index]!.value).toBe("SIP/2.0/TCP a.example;branch=z9hG4bK1");
  });
});

describe("responseTarget (RFC 3261 §18.2.2, RFC 3581 §4)", () => {
  const udp = from("198.51.100.7", 40123);

  it("MUST send an unreliable response to received at the rport port", () => {
    const via = parseVia("SIP/2.0/UDP 192.0.2.1:5062;rport=40123;received=198.51.100.7;branch=z9hG4bK1");
    expect(responseTarget(via, udp)).toEqual({ transport: "UDP", address: "198.51.100.7", port: 40123 });
  });

  it("MUST send to received at the sent-by port when there is no rport, 5060 when none is written", () => {
    expect(responseTarget(parseVia("SIP/2.0/UDP a.example:5070;received=198.51.100.7;branch=z9hG4bK1"), udp)).toMatchObject({
      address: "198.51.100.7",
      port: 5070,
    });
    expect(responseTarget(parseVia("SIP/2.0/UDP a.example;received=198.51.100.7;branch=z9hG4bK1"), udp)).toMatchObject({
      address: "198.51.100.7",
      port: 5060,
    });
  });

  it("MUST send to the sent-by address when there is no received", () => {
    expect(responseTarget(parseVia("SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1"), from("::1", 5070))).toEqual({
      transport: "UDP",
      address: "::1",
      port: 5070,
    });
  });

  it("MUST send to maddr at the sent-by port when the Via has one", () => {
    const via = parseVia("SIP/2.0/UDP a.example:5070;maddr=192.0.2.200;received=198.51.100.7;rport=1;branch=z9hG4bK1");
    expect(responseTarget(via, udp)).toEqual({ transport: "UDP", address: "192.0.2.200", port: 5070 });
  });

  it("MUST name the request's connection for a reliable transport, and received with the sent-by port (5061 for TLS) to reconnect", () => {
    const via = parseVia("SIP/2.0/TLS a.example;received=198.51.100.7;rport=40999;branch=z9hG4bK1");
    expect(responseTarget(via, from("198.51.100.7", 40999, "TLS", "c1"))).toEqual({
      transport: "TLS",
      address: "198.51.100.7",
      port: 5061,
      connectionId: "c1",
    });
  });
});
