import { describe, expect, it } from "vitest";
import { createLogger } from "../../log/logger.js";
import type { SipResponse } from "../../sip/message/index.js";
import { request, source } from "../../sip/transaction/testing.js";
import { loadShedding } from "./load-shedding.js";

function run(overloaded: boolean, method: string, toTag?: string) {
  const answers: SipResponse[] = [];
  let shed = 0;
  const stage = loadShedding({ overloaded: () => overloaded, retryAfterSeconds: 7, count: () => shed++ });
  const result = stage({
    request: request({ method, branch: "z9hG4bKshed", ...(toTag !== undefined && { toTag }) }),
    source: source("UDP"),
    log: createLogger("silent"),
    respond: (r) => answers.push(r),
  });
  return { result, answers, shed };
}

describe("load shedding (RFC 3261 §21.5.4)", () => {
  it.each(["INVITE", "REGISTER", "SUBSCRIBE", "MESSAGE"])("MUST refuse a new %s with 503 and Retry-After while overloaded", (method) => {
    const { result, answers, shed } = run(true, method);
    expect(result).toBe("handled");
    expect(answers.map((a) => [a.status, a.headers.get("Retry-After")])).toEqual([[503, "7"]]);
    expect(shed).toBe(1);
  });

  it.each(["BYE", "CANCEL", "OPTIONS", "INFO", "NOTIFY"])("MUST let %s through: it belongs to work already accepted, or costs nothing", (method) => {
    expect(run(true, method)).toMatchObject({ result: "next", answers: [], shed: 0 });
  });

  it("MUST let a request inside a dialog through (a re-INVITE has a To tag, RFC 3261 §12.2)", () => {
    expect(run(true, "INVITE", "callee-tag")).toMatchObject({ result: "next", answers: [] });
  });

  it("lets everything through when the node keeps up", () => {
    expect(run(false, "INVITE")).toMatchObject({ result: "next", answers: [] });
  });
});
