import { describe, expect, it } from "vitest";
import { createResponse, parseMessage, type SipRequest } from "../../sip/message/index.js";
import { bestResponse } from "./best-response.js";

const invite = parseMessage(
  Buffer.from(
    "INVITE sip:2002@strowger.local SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:2001@strowger.local>;tag=a\r\nTo: <sip:2002@strowger.local>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
  ),
) as SipRequest;
const r = (status: number) => createResponse(invite, status);

describe("best response (RFC 3261 §16.7 step 6)", () => {
  it("MUST choose a 6xx over everything else", () => {
    expect(bestResponse(invite, [r(486), r(603), r(404)]).status).toBe(603);
  });

  it("SHOULD choose the lowest class, and among 4xx prefer 401, 407, 415, 420 and 484", () => {
    expect(bestResponse(invite, [r(500), r(486)]).status).toBe(486);
    expect(bestResponse(invite, [r(486), r(407), r(404)]).status).toBe(407);
    expect(bestResponse(invite, [r(302), r(404)]).status).toBe(302);
  });

  it("MUST convert a chosen 503 to 500", () => {
    const best = bestResponse(invite, [r(503)]);
    expect([best.status, best.reason]).toEqual([500, "Server Internal Error"]);
  });

  it("MUST answer 408 when no branch gave a final response", () => {
    expect(bestResponse(invite, []).status).toBe(408);
  });

  it("MUST gather the challenges of every 401 and 407 into the one forwarded", () => {
    const a = r(401);
    a.headers.append("WWW-Authenticate", 'Digest realm="a", nonce="1"');
    const b = r(407);
    b.headers.append("Proxy-Authenticate", 'Digest realm="b", nonce="2"');
    const best = bestResponse(invite, [a, b]);
    expect(best.headers.values("WWW-Authenticate")).toHaveLength(1);
    expect(best.headers.values("Proxy-Authenticate")).toHaveLength(1);
  });
});
