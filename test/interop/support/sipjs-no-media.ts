/**
 * Node has no WebRTC: SIP.js's session description handler is replaced by a stand-in
 * that offers a fixed SDP and takes any answer. It is SIP.js's media layer, not the
 * SIP peer, so what goes over the wire is still SIP.js's own.
 */
import type { SessionDescriptionHandler, SessionDescriptionHandlerFactory } from "sip.js";

const OFFER = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 9 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""].join("\r\n");

export const noMedia: SessionDescriptionHandlerFactory = (): SessionDescriptionHandler => ({
  close: () => undefined,
  getDescription: () => Promise.resolve({ body: OFFER, contentType: "application/sdp" }),
  hasDescription: (contentType) => contentType === "application/sdp",
  setDescription: () => Promise.resolve(),
  sendDtmf: () => false,
});
