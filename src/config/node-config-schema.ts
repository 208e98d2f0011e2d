/**
 * The schema of `config/strowger.yaml`, the node's own settings. Defaults live here;
 * a file that states nothing still gives a working node (the embedded default).
 */
import { Type, type Static } from "@sinclair/typebox";

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

const Listener = Type.Object(
  { port: Port, enabled: Type.Boolean({ default: true }) },
  { additionalProperties: false },
);

const TlsListener = Type.Object(
  {
    port: Port,
    /** PEM files, relative to the config folder. Without both, the listener stays off. */
    certificate: Type.Optional(Type.String({ minLength: 1 })),
    privateKey: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const NodeConfigSchema = Type.Object(
  {
    node: Type.Object(
      {
        /** Names this node in logs, call records and the cluster. */
        name: Type.String({ minLength: 1, default: "strowger-1", pattern: "^[A-Za-z0-9_.-]+$" }),
        /** The SIP domain the PBX serves: the host of users' addresses of record. */
        domain: Type.String({ minLength: 1, default: "strowger.local" }),
      },
      { additionalProperties: false, default: {} },
    ),
    sip: Type.Object(
      {
        /** Addresses to listen on; the defaults are every IPv4 and IPv6 address. */
        addresses: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ["0.0.0.0", "::"] }),
        /** The address written in Via, Record-Route and Contact when listening on a wildcard. */
        advertisedAddress: Type.Optional(Type.String({ minLength: 1 })),
        udp: Type.Object(Listener.properties, { additionalProperties: false, default: { port: 5060 } }),
        tcp: Type.Object(Listener.properties, { additionalProperties: false, default: { port: 5060 } }),
        tls: Type.Object(TlsListener.properties, { additionalProperties: false, default: { port: 5061 } }),
        /** RFC 7118 SIP over WebSocket (browser softphones). */
        ws: Type.Object(Listener.properties, { additionalProperties: false, default: { port: 5066 } }),
        wss: Type.Object(TlsListener.properties, { additionalProperties: false, default: { port: 5067 } }),
        /** RFC 3261 §17.1.1.1 timer values in milliseconds. */
        timers: Type.Object(
          {
            t1: Type.Integer({ minimum: 50, maximum: 10_000, default: 500 }),
            t2: Type.Integer({ minimum: 500, maximum: 60_000, default: 4_000 }),
            t4: Type.Integer({ minimum: 500, maximum: 60_000, default: 5_000 }),
          },
          { additionalProperties: false, default: {} },
        ),
        /**
         * Overload protection (RFC 3261 §21.5.4): while the event loop lags more than
         * `maxLagMs`, or more than `maxRetransmissionShare` of requests are phones'
         * retransmissions (once at least `minRetransmissionsPerSecond` arrive), new
         * calls and registrations get 503 with Retry-After (all smoothed over about a
         * second; see src/server/overload-monitor.ts).
         */
        overload: Type.Object(
          {
            maxLagMs: Type.Integer({ minimum: 20, maximum: 10_000, default: 300 }),
            maxRetransmissionShare: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.2 }),
            minRetransmissionsPerSecond: Type.Integer({ minimum: 1, maximum: 100_000, default: 50 }),
            retryAfterSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 10 }),
          },
          { additionalProperties: false, default: {} },
        ),
        limits: Type.Object(
          {
            maxMessageBytes: Type.Integer({ minimum: 1_500, maximum: 1_048_576, default: 65_535 }),
            maxHeaders: Type.Integer({ minimum: 16, maximum: 4_096, default: 256 }),
            maxLineLength: Type.Integer({ minimum: 256, maximum: 65_535, default: 8_192 }),
          },
          { additionalProperties: false, default: {} },
        ),
        /** Close a TCP, TLS or WebSocket connection idle for this long. */
        idleTimeoutSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 600 }),
        /** RFC 3261 §18.1.1: a UDP request within 200 octets of this goes over TCP. */
        pathMtu: Type.Integer({ minimum: 576, maximum: 65_535, default: 1_500 }),
      },
      { additionalProperties: false, default: {} },
    ),
    registrar: Type.Object(
      {
        /** RFC 3261 §10.3 step 7: shorter non-zero expiries get 423 Interval Too Brief. */
        minExpires: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
        /** Longer expiries are cut to this. */
        maxExpires: Type.Integer({ minimum: 60, maximum: 604_800, default: 3_600 }),
        /** RFC 3261 §10.2.1.1: the expiry when a REGISTER states none. */
        defaultExpires: Type.Integer({ minimum: 60, maximum: 604_800, default: 3_600 }),
        /** Bindings one user may hold at once. */
        maxContacts: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        /**
         * The digest algorithms challenged with, in order of preference: RFC 8760 §2.4 puts
         * the most preferred first. Some UAs (sipp 3.6, old phone firmware) read only the
         * first challenge and know only MD5: list MD5 first for an estate of those.
         */
        algorithms: Type.Array(Type.Union([Type.Literal("SHA-256"), Type.Literal("MD5")]), {
          minItems: 1,
          uniqueItems: true,
          default: ["SHA-256", "MD5"],
        }),
        /** A nonce older than this is answered with stale=true (RFC 7616 §3.3). */
        nonceLifetimeSeconds: Type.Integer({ minimum: 10, maximum: 3_600, default: 300 }),
        /** Brute-force protection: failures counted per user and per source address, shared by both nodes. */
        failures: Type.Object(
          {
            windowSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 300 }),
            perUser: Type.Integer({ minimum: 1, maximum: 10_000, default: 10 }),
            perSource: Type.Integer({ minimum: 1, maximum: 100_000, default: 30 }),
            blockSeconds: Type.Integer({ minimum: 10, maximum: 604_800, default: 900 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    dialplan: Type.Object(
      {
        /** The plan calls are routed by, relative to the config folder. */
        file: Type.String({ minLength: 1, default: "../dialplans/main.yaml" }),
      },
      { additionalProperties: false, default: {} },
    ),
    cluster: Type.Object(
      {
        /** Written in Record-Route (`;sg=NAME`): both nodes of a pair must share it. */
        name: Type.String({ minLength: 1, default: "strowger", pattern: "^[A-Za-z0-9_.-]+$" }),
        /** A name or address both nodes answer to (DNS, or a floating address), written in Record-Route. */
        address: Type.Optional(Type.String({ minLength: 1 })),
        /**
         * The other nodes, by node name: where to reach them. A phone whose TCP, TLS or
         * WebSocket connection another node holds is called through that node; requests
         * from these addresses that name such a flow are trusted.
         */
        peers: Type.Record(
          Type.String({ pattern: "^[A-Za-z0-9_.-]+$" }),
          Type.Object(
            { address: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 1, maximum: 65535 }) },
            { additionalProperties: false },
          ),
          { default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /** SIP peers: legacy PBXs, carriers, other clusters. */
    trunks: Type.Record(
      Type.String({ pattern: "^[a-z0-9][a-z0-9_-]*$" }),
      Type.Object(
        {
          /** Where calls to the trunk go: `sip:host:port;transport=udp`; the dialled number becomes the user part. */
          uri: Type.String({ pattern: "^sips?:" }),
          /** Source addresses a call from this trunk arrives from: such calls are trusted, not challenged. */
          addresses: Type.Array(Type.String({ minLength: 1 })),
          /** The dialplan context calls from this trunk start in. */
          context: Type.String({ minLength: 1 }),
        },
        { additionalProperties: false },
      ),
      { default: {} },
    ),
    /** Sites with a legacy PBX still in service: its trunk. */
    sites: Type.Record(
      Type.String({ pattern: "^[a-z0-9][a-z0-9_-]*$" }),
      Type.Object({ legacyTrunk: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
      { default: {} },
    ),
    /** Per-user call features, by extension. */
    features: Type.Record(
      Type.String({ pattern: "^[0-9]{2,8}$" }),
      Type.Object(
        {
          // (Defaults are not filled inside a record's values: absent means off, 20 s.)
          dnd: Type.Optional(Type.Boolean()),
          /** Where calls go when every device is busy, unanswered or unregistered: a number, dialled in the user's context. */
          forwardBusy: Type.Optional(Type.String({ pattern: "^\\+?[0-9*#]+$" })),
          forwardNoAnswer: Type.Optional(Type.String({ pattern: "^\\+?[0-9*#]+$" })),
          noAnswerSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300 })),
          forwardUnregistered: Type.Optional(Type.String({ pattern: "^\\+?[0-9*#]+$" })),
        },
        { additionalProperties: false },
      ),
      { default: {} },
    ),
    state: Type.Object(
      {
        /** `redis://host:port/db` of the pair's shared Redis; without it the node keeps state in memory (one node). */
        redisUrl: Type.Optional(Type.String({ pattern: "^rediss?://" })),
        /**
         * Redis through Sentinel (the master found and followed across failovers); with
         * `redisUrl` too, the URL gives only the password and database.
         */
        sentinel: Type.Optional(
          Type.Object(
            {
              sentinels: Type.Array(
                Type.Object({ host: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 1, maximum: 65535 }) }, { additionalProperties: false }),
                { minItems: 1 },
              ),
              /** The master group the sentinels monitor. */
              name: Type.String({ minLength: 1 }),
            },
            { additionalProperties: false },
          ),
        ),
        /**
         * How often a node on Redis reads every AOR's bindings, to route from while Redis
         * is unreachable (src/state/last-known-state-store.ts): a phone registered through
         * the other node within this many seconds before an outage is not reachable from
         * this one during it.
         */
        lastKnownRefreshSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    metrics: Type.Object(
      {
        /** Prometheus metrics at http://address:port/metrics; loopback only unless widened on purpose. */
        enabled: Type.Boolean({ default: true }),
        address: Type.String({ minLength: 1, default: "127.0.0.1" }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          [
            Type.Literal("fatal"), Type.Literal("error"), Type.Literal("warn"), Type.Literal("info"),
            Type.Literal("debug"), Type.Literal("trace"), Type.Literal("silent"),
          ],
          { default: "info" },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type NodeConfig = Static<typeof NodeConfigSchema>;
