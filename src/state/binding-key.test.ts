import { describe, expect, it } from "vitest";
import { bindingKey } from "./binding-key.js";

describe("bindingKey", () => {
  it("MUST identify a binding by +sip.instance and reg-id when both are present (RFC 5626 §6)", () => {
    const instance = "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";
    // A re-registration of the same flow from a new address keeps its key, so it replaces its binding.
    expect(bindingKey({ instanceId: instance, regId: 1 }, "sip:2001@192.0.2.1:5060")).toBe(bindingKey({ instanceId: instance, regId: 1 }, "sip:2001@198.51.100.7:40000"));
    expect(bindingKey({ instanceId: instance, regId: 1 }, "sip:a@x")).not.toBe(bindingKey({ instanceId: instance, regId: 2 }, "sip:a@x"));
  });

  it("identifies a binding by its comparable Contact URI otherwise (RFC 3261 §10.3 step 7)", () => {
    expect(bindingKey({}, "sip:2001@192.0.2.1:5060")).not.toBe(bindingKey({}, "sip:2001@192.0.2.2:5060"));
    expect(bindingKey({ instanceId: "<urn:uuid:1>" }, "sip:2001@192.0.2.1:5060")).toBe(bindingKey({}, "sip:2001@192.0.2.1:5060"));
    expect(bindingKey({ regId: 1 }, "sip:2001@192.0.2.1:5060")).toBe(bindingKey({}, "sip:2001@192.0.2.1:5060"));
  });

  it("never confuses an instance key with a URI key", () => {
    expect(bindingKey({ instanceId: "x", regId: 1 }, "u")).not.toBe(bindingKey({}, "instance x reg-id 1"));
  });
});
