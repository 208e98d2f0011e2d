/** Route preprocessing (RFC 3261 §16.4) and how a node knows its own entries. */
import { describe, expect, it } from "vitest";
import { parseMessage, type SipRequest } from "../../sip/message/index.js";
import { ProxyIdentity } from "./proxy-identity.js";
import { preprocessRoutes } from "./route-set.js";

const a = new ProxyIdentity({ cluster: "pair", node: "a", isLocal: (host, port) => host === "127.0.0.1" && port === 5060 });
const b = new ProxyIdentity({ cluster: "pair", node: "b" });
const local = { transport: "UDP" as const, address: "127.0.0.1", port: 5060 };
const flow = { transport: "WS" as const, address: "192.0.2.7", port: 40123, connectionId: "c-1" };

function bye(uri: string, routes: string[]): SipRequest {
  const lines = [
    `BYE ${uri} SIP/2.0`,
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1",
    "From: <sip:2001@strowger.local>;tag=a",
    "To: <sip:2002@strowger.local>;tag=b",
    "Call-ID: c",
    "CSeq: 2 BYE",
    ...routes.map((r) => `Route: ${r}`),
    "Content-Length: 0",
    "",
    "",
  ];
  return parseMessage(Buffer.from(lines.join("\r\n"))) as SipRequest;
}

describe("route preprocessing (RFC 3261 §16.4)", () => {
  it("MUST remove the first Route value when it indicates this proxy, and leave the next hop", () => {
    const request = bye("sip:2002@192.0.2.9", [a.recordRoute(local), "<sip:next.example.org;lr>"]);
    expect(preprocessRoutes(request, a)).toEqual({ ours: true });
    expect(request.headers.values("Route")).toEqual(["<sip:next.example.org;lr>"]);
  });

  it("MUST take off a Route naming one of this node's sockets (a phone's outbound-proxy route)", () => {
    const request = bye("sip:2002@192.0.2.9", ["<sip:127.0.0.1:5060;lr>"]);
    expect(preprocessRoutes(request, a).ours).toBe(true);
    expect(request.headers.has("Route")).toBe(false);
  });

  it("MUST restore the Request-URI a strict router replaced with our Record-Route URI", () => {
    const request = bye("sip:127.0.0.1:5060;lr;sg=pair", ["<sip:2002@192.0.2.9>"]);
    expect(preprocessRoutes(request, a).ours).toBe(true);
    expect(request.uri).toBe("sip:2002@192.0.2.9");
  });

  it("lets either node of the pair take off the other's entries, but not one pinned to the other's flow", () => {
    const pinned = a.recordRoute(local, flow);
    const request = bye("sip:2002@192.0.2.9", [a.recordRoute(local), pinned]);
    // Node b takes a's general entry, and stops at the one only a can serve.
    expect(preprocessRoutes(request, b)).toEqual({ ours: true });
    expect(request.headers.values("Route")).toEqual([pinned]);
    // Node a takes it too, and learns the flow to deliver over.
    expect(preprocessRoutes(request, a)).toEqual({ ours: true, flow });
  });

  it("reports a request that names nothing of ours (not a dialog routed through here)", () => {
    expect(preprocessRoutes(bye("sip:2002@192.0.2.9", ["<sip:elsewhere.example.org;lr>"]), a)).toEqual({ ours: false });
  });
});
