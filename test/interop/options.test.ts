/**
 * sipp, a real SIP peer, pings the node with OPTIONS the way phones and trunks do,
 * over UDP and TCP on IPv4 and IPv6 loopback, and retransmits one to check that
 * the server transaction absorbs it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type Family, type TestNode } from "./support/in-process-node.js";
import { headerParam, headerValue } from "./support/sip-text.js";
import { runSipp } from "./support/sipp.js";
import { received, sent } from "./support/sipp-message-log.js";

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node?.stop();
});

// sipp 3.6.1 (the Debian sip-tester here) takes "[::1]:port" as the remote and
// "-i ::1" as its own address, so IPv6 runs like IPv4; checked by hand before
// writing these cases, and by the cases themselves.
const cases: ReadonlyArray<{ transport: "UDP" | "TCP"; family: Family; sipp: "u1" | "t1" }> = [
  { transport: "UDP", family: 4, sipp: "u1" },
  { transport: "TCP", family: 4, sipp: "t1" },
  { transport: "UDP", family: 6, sipp: "u1" },
  { transport: "TCP", family: 6, sipp: "t1" },
];

describe("OPTIONS from sipp", () => {
  it.each(cases)(
    "SHOULD answer OPTIONS with 200 carrying Allow, Accept and Supported (RFC 3261 §11.2) over $transport on IPv$family",
    async ({ transport, family, sipp }) => {
      const calls = 5;
      const result = await runSipp({
        scenario: "uac-options-expect-200.xml",
        remote: node.endpoint(transport, family),
        transport: sipp,
        calls,
      });
      // The scenario itself checks the status and the three headers; 0 = every call passed.
      expect(result.code, result.summary).toBe(0);
      const responses = received(result.messages);
      expect(responses.map((r) => r.status)).toEqual(Array(calls).fill(200));
      for (const response of responses) expect(headerValue(response, "Via")).toMatch(new RegExp(`^SIP/2\\.0/${transport} `));
    },
  );
});

describe("a retransmitted OPTIONS", () => {
  it("MUST be absorbed by its server transaction, which sends the same final response again (RFC 3261 §17.2.2)", async () => {
    const result = await runSipp({
      scenario: "uac-options-retransmit-expect-same-200.xml",
      remote: node.endpoint("UDP"),
      transport: "u1",
      // -nr: without it sipp takes the second, identical 200 for a retransmission
      // of the first and answers it by resending its request, instead of matching
      // the scenario's second <recv>. Loopback does not lose datagrams.
      extraArgs: ["-nr"],
    });
    expect(result.code, result.summary).toBe(0);

    // The request really was sent twice, byte-identical (same branch, Call-ID, CSeq, tags).
    const requests = sent(result.messages);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.text).toBe(requests[0]?.text);
    expect(headerParam(headerValue(requests[0]!, "Via"), "branch")).toMatch(/^z9hG4bK/);

    // Exactly two responses, and the To tag of the second is the first's: the same
    // transaction answered again. A new transaction would have picked a new tag.
    const responses = received(result.messages);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const tags = responses.map((r) => headerParam(headerValue(r, "To"), "tag"));
    expect(tags[0]).toBeTruthy();
    expect(tags[1]).toBe(tags[0]);
  });
});
