/**
 * baresip, a real softphone (Debian's v1.0.0 on libre 1.1.0), registers an account
 * against the node over UDP and over TCP, and removes its binding when it exits.
 *
 * Interop note: libre 1.1.0 answers MD5 only, and it reads every WWW-Authenticate
 * field of a 401: on the first that is not MD5 it gives up the registration with
 * ENOSYS ("Register: Function not implemented"), whatever the order. A node with
 * the default challenge (SHA-256 and MD5, RFC 8760 §2.4) therefore cannot register
 * this baresip; one configured with `auth.algorithms: [MD5]` can. The first test of
 * each transport keeps the failure on record against the default node; the second
 * registers against the MD5-only node.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBaresip, registrationError, type Baresip } from "./support/baresip.js";
import { startTestNode, type TestNode } from "./support/in-process-node.js";
import { pollUntil } from "./support/poll.js";
import { TEST_REALM, testDirectory } from "./support/test-directory.js";

const PASSWORD = "brass-kettle-softphone";
const USERS = ["2001", "2002", "2003", "2004"].map((extension) => ({ extension, password: PASSWORD }));
/** The default challenge, SHA-256 then MD5. */
let mixed: TestNode;
/** A node for an estate of MD5-only phones. */
let node: TestNode;
beforeAll(async () => {
  mixed = await startTestNode({ directory: testDirectory(USERS) });
  node = await startTestNode({
    yaml: 'sip:\n  addresses: ["127.0.0.1", "::1"]\nauth:\n  algorithms: [MD5]\n',
    directory: testDirectory(USERS),
  });
});
afterAll(async () => {
  await mixed?.stop();
  await node?.stop();
});

const CASES = [
  { transport: "UDP", account: "udp", failing: "2001", registering: "2002" },
  { transport: "TCP", account: "tcp", failing: "2003", registering: "2004" },
] as const;

describe.each(CASES)("baresip over $transport", ({ transport, account, failing, registering }) => {
  const phones: Baresip[] = [];
  afterAll(async () => {
    await Promise.all(phones.map((p) => p.stop()));
  });

  const startPhone = async (user: string, to: TestNode = node): Promise<Baresip> => {
    const phone = await startBaresip({ user, password: PASSWORD, domain: TEST_REALM, transport: account, proxy: to.endpoint(transport) });
    phones.push(phone);
    return phone;
  };

  it("records that baresip 1.0.0 gives up on the node's 401, which offers SHA-256 besides MD5 (libre 1.1.0: ENOSYS)", async () => {
    const softphone = await startPhone(failing, mixed);
    const error = await softphone.process.waitForStdout(registrationError, 5_000, "baresip's registration outcome");
    expect(error).toBe("Register: Function not implemented");
    // baresip's SIP trace shows what it was given: the node's two challenges.
    const trace = softphone.process.stdout();
    expect(trace).toMatch(/SIP\/2\.0 401 Unauthorized[\s\S]*WWW-Authenticate: Digest [^\r\n]*algorithm=SHA-256[\s\S]*WWW-Authenticate: Digest [^\r\n]*algorithm=MD5/);
    expect(trace).not.toMatch(/^Authorization:/m);
    expect(await mixed.node.stateStore.getBindings(`sip:${failing}@${TEST_REALM}`)).toEqual([]);
    await softphone.stop();
  });

  it("MUST register baresip: its binding keeps its User-Agent and source, and goes when baresip exits (RFC 3261 §10.2.2)", async () => {
    const aor = `sip:${registering}@${TEST_REALM}`;
    const softphone = await startPhone(registering);
    // Fail at once when baresip gives up, rather than at the deadline.
    const gaveUp = softphone.process.waitForStdout(registrationError, 10_000, "a registration error").then((error) => {
      throw new Error(`baresip could not register: ${error}`);
    });
    gaveUp.catch(() => {});
    const [binding] = await Promise.race([
      pollUntil(async () => {
        const bindings = await node.node.stateStore.getBindings(aor);
        return bindings.length > 0 ? bindings : undefined;
      }, 5_000, `a binding for ${aor}`),
      gaveUp,
    ]);
    expect(binding!.userAgent).toMatch(/^baresip v1\./);
    expect(binding!.contact).toContain(`@127.0.0.1:${softphone.listen.port}`);
    expect(binding!.source.transport).toBe(transport);
    expect(binding!.source.address).toBe("127.0.0.1");
    if (transport === "UDP") expect(binding!.source.port).toBe(softphone.listen.port);
    else expect(binding!.source.connectionId).toBeDefined();
    expect(binding!.expiresAt - Date.now()).toBeGreaterThan(590_000);

    const exit = await softphone.stop();
    expect(exit.timedOut, exit.stdout.slice(-2000)).toBe(false);
    // baresip sends its REGISTER with expires=0 before it exits.
    expect(await node.node.stateStore.getBindings(aor)).toEqual([]);
  });
});
