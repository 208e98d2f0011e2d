/**
 * The transaction layer (RFC 3261 §17): it files every live transaction under the key
 * its messages are matched by, hands new requests to the TU as server transactions,
 * absorbs retransmissions, and runs the TU's client transactions.
 */
import type { SipRequest, SipResponse } from "../message/index.js";
import type { Endpoint, MessageSender, Source } from "../transport/endpoint.js";
import { InviteClientTransaction } from "./invite-client-transaction.js";
import { InviteServerTransaction } from "./invite-server-transaction.js";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.js";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.js";
import { DEFAULT_TIMERS, TRYING_DELAY, type TimerConfig } from "./timers.js";
import { TransactionError } from "./transaction-error.js";
import { detached } from "../detached-string.js";
import { clientKey, hasUniqueBranch, legacyServerKey, serverKey } from "./transaction-keys.js";
import type { ResponseHandler, ServerFailure, TransactionContext } from "./transaction.js";

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionLayerOptions {
  readonly timers?: TimerConfig;
  /**
   * RFC 3261 §17.2.1: an INVITE server transaction sends 100 (Trying) at once (the
   * default), or only when the TU has not answered within 200 ms.
   */
  readonly trying?: "at-once" | "after-200ms";
  /**
   * A server transaction ended in failure: no ACK came for its final response (Timer H),
   * or a response could not be sent. `request` names it for the TU's log.
   */
  readonly onServerFailure?: (request: FailedRequest, failure: ServerFailure) => void;
}

/** The request a failed server transaction served, as its TU logs it. */
export interface FailedRequest {
  readonly callId: string;
  readonly branch: string | undefined;
}

/** What became of an inbound request. */
export type RequestDisposition =
  /** A new request: the TU answers it through `transaction.respond()`. */
  | { readonly kind: "new"; readonly transaction: ServerTransaction }
  /** A retransmission, or the ACK of a non-2xx final response: its transaction dealt with it. */
  | { readonly kind: "absorbed" }
  /**
   * An ACK that is the TU's business: the ACK of a 2xx (RFC 3261 §13.3.1.4; a proxy
   * forwards it, §16.7). `transaction` is the INVITE server transaction it matched in
   * the Accepted state (RFC 6026 §8.7), undefined when it matched none.
   */
  | { readonly kind: "ack"; readonly transaction: InviteServerTransaction | undefined };

/**
 * "matched": the response went to its client transaction, which passes to the TU what
 * the TU must see. "stray": no transaction matched; RFC 6026 §8.9: "any element other
 * than a stateless proxy MUST silently discard the response".
 */
export type ResponseDisposition = "matched" | "stray";

export class TransactionLayer {
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly requests = { new: 0, retransmitted: 0 };
  private readonly timers: TimerConfig;
  private readonly tryingDelay: number;
  private readonly onServerFailure: TransactionLayerOptions["onServerFailure"];

  constructor(
    private readonly sender: MessageSender,
    options: TransactionLayerOptions = {},
  ) {
    this.timers = options.timers ?? DEFAULT_TIMERS;
    this.tryingDelay = options.trying === "after-200ms" ? TRYING_DELAY : 0;
    this.onServerFailure = options.onServerFailure;
  }

  /**
   * Requests that made a server transaction, and retransmissions of them that live
   * transactions absorbed, since the layer began: the share of the latter rises when
   * answers come late (a phone retransmits after T1, RFC 3261 §17.1.1.2, §17.1.2.2).
   */
  get requestCounts(): { readonly new: number; readonly retransmitted: number } {
    return { ...this.requests };
  }

  /** Live transactions, for metrics. */
  get size(): { readonly client: number; readonly server: number } {
    return { client: this.clients.size, server: this.servers.size };
  }

  /**
   * RFC 3261 §17.2.3: "If a matching server transaction is found, the request is passed to
   * that transaction for processing. If no match is found, the request is passed to the
   * core, which may decide to construct a new server transaction for that request." Here
   * the layer constructs it for every request but ACK, since Strowger's cores (UAS and
   * stateful proxy) always would.
   */
  receiveRequest(request: SipRequest, source: Source): RequestDisposition {
    if (request.method === "ACK") return this.receiveAck(request);
    const key = serverKey(request, request.method);
    const existing = this.servers.get(key);
    if (existing) {
      this.requests.retransmitted++;
      existing.receiveRetransmission();
      return { kind: "absorbed" };
    }
    this.requests.new++;
    const context = this.context(() => this.servers.delete(key));
    // Copies, so that a transaction living 32 s does not keep the request's text.
    const failed: FailedRequest = { callId: detached(request.callId), branch: request.via.branch === undefined ? undefined : detached(request.via.branch) };
    const onFailure = (failure: ServerFailure): void => this.onServerFailure?.(failed, failure);
    const transaction: ServerTransaction =
      request.method === "INVITE"
        ? new InviteServerTransaction(request, source, context, onFailure, this.tryingDelay)
        : new NonInviteServerTransaction(source, context, onFailure);
    this.servers.set(key, transaction);
    return { kind: "new", transaction };
  }

  /** Routes a response to its client transaction (RFC 3261 §17.1.3). */
  receiveResponse(response: SipResponse): ResponseDisposition {
    const branch = response.via.branch;
    const transaction = branch === undefined ? undefined : this.clients.get(clientKey(branch, response.cseq.method));
    if (!transaction) return "stray";
    transaction.receiveResponse(response);
    return "matched";
  }

  /**
   * Starts a client transaction: the request goes out at once and every response the TU
   * must see reaches `onResponse`. The TU has put a top Via with a fresh branch on the
   * request (RFC 3261 §8.1.1.7, `newBranch()`); the transport fills in its sent-by.
   */
  createClientTransaction(request: SipRequest, destination: Endpoint, onResponse: ResponseHandler): ClientTransaction {
    if (request.method === "ACK") {
      throw new TransactionError(
        "SIP_TRANSACTION_ACK",
        "An ACK is not a transaction (RFC 3261 §17): send the ACK of a 2xx straight through the MessageSender; the client transaction sends the ACK of other final responses itself",
      );
    }
    const branch = request.via.branch;
    if (!hasUniqueBranch(branch)) {
      throw new TransactionError(
        "SIP_TRANSACTION_NO_BRANCH",
        `The ${request.method} has no top Via branch starting with z9hG4bK: add a Via whose branch comes from newBranch() (RFC 3261 §8.1.1.7)`,
      );
    }
    const key = clientKey(branch, request.method);
    if (this.clients.has(key)) {
      throw new TransactionError(
        "SIP_TRANSACTION_EXISTS",
        `A ${request.method} client transaction with branch ${branch} is live: give each new request a new branch from newBranch()`,
      );
    }
    const context = this.context(() => this.clients.delete(key));
    const transaction: ClientTransaction =
      request.method === "INVITE"
        ? new InviteClientTransaction(request, destination, context, onResponse)
        : new NonInviteClientTransaction(request, destination, context, onResponse);
    this.clients.set(key, transaction);
    return transaction;
  }

  /**
   * RFC 3261 §9.2: the INVITE server transaction a CANCEL refers to, "matched [...] using
   * the procedures of Section 17.2.3, but with the method of the request it cancels";
   * §9.1 makes the CANCEL's Request-URI, Call-ID, To, CSeq number, From and top Via those
   * of the INVITE, so the RFC 2543 fields match too. Undefined: the TU answers 481.
   */
  findInviteForCancel(cancel: SipRequest): InviteServerTransaction | undefined {
    return this.inviteServer(serverKey(cancel, "INVITE"));
  }

  private receiveAck(ack: SipRequest): RequestDisposition {
    const transaction = this.matchAck(ack);
    if (!transaction) return { kind: "ack", transaction: undefined };
    return transaction.receiveAck() ? { kind: "ack", transaction } : { kind: "absorbed" };
  }

  private matchAck(ack: SipRequest): InviteServerTransaction | undefined {
    if (hasUniqueBranch(ack.via.branch)) return this.inviteServer(serverKey(ack, "INVITE"));
    // RFC 3261 §17.2.3: "The ACK request matches a transaction if the Request-URI, From
    // tag, Call-ID, CSeq number (not the method), and top Via header field match those of
    // the INVITE request which created the transaction, and the To tag of the ACK matches
    // the To tag of the response sent by the server transaction." The INVITE carried that
    // tag already (a re-INVITE), or none (the server chose it), so both keys are tried.
    for (const inviteToTag of [ack.toTag, undefined]) {
      const transaction = this.inviteServer(legacyServerKey(ack, "INVITE", inviteToTag));
      if (transaction && transaction.lastToTag === ack.toTag) return transaction;
    }
    return undefined;
  }

  private inviteServer(key: string): InviteServerTransaction | undefined {
    const transaction = this.servers.get(key);
    return transaction instanceof InviteServerTransaction ? transaction : undefined;
  }

  private context(onTerminated: () => void): TransactionContext {
    return { sender: this.sender, timers: this.timers, onTerminated };
  }
}
