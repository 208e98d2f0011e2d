/**
 * The schema of a dialplan file (`dialplans/*.yaml`); see dialplans/main.yaml for a
 * commented sample. The schema says what each setting may hold; what it cannot say
 * (patterns, references, reachability, loops, emergency) is checked by
 * check-dialplan.ts with the same file, line and reason.
 */
import { Type, type Static } from "@sinclair/typebox";
import { DEFAULT_TIMEZONE } from "./local-time.js";

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9][a-z0-9_-]*$" });
const Dialable = (min: number) => Type.String({ minLength: min, maxLength: 32, pattern: "^[0-9*#+]*$" });
// TypeBox's Value.Default does not reach into a Record's values, so settings inside
// named things are Optional here and build-dialplan.ts supplies their defaults.
const named = <T extends Parameters<typeof Type.Record>[1]>(value: T) =>
  Type.Record(Name, value, { default: {}, additionalProperties: false });

/** One target key per rule; check-dialplan.ts insists on exactly one. */
export const TargetFields = {
  /** An extension, or "{dialled}" for the extension dialled (after this rule's rewrites). */
  user: Type.Optional(Type.String({ pattern: "^([0-9]{2,8}|\\{dialled\\})$" })),
  group: Type.Optional(Name),
  /** A site's legacy PBX, reached over its trunk with the number as rewritten. */
  legacy: Type.Optional(Name),
  trunk: Type.Optional(Name),
  lcr: Type.Optional(Type.Literal(true)),
  reject: Type.Optional(
    Type.Object(
      {
        status: Type.Integer({ minimum: 400, maximum: 699 }),
        reason: Type.String({ minLength: 1, maxLength: 128 }),
      },
      { additionalProperties: false },
    ),
  ),
  /** Carry on matching, with the rewritten number, in another context. */
  context: Type.Optional(Name),
};

export const TargetSchema = Type.Object(TargetFields, { additionalProperties: false });

export const RuleSchema = Type.Object(
  {
    /** A number, or an Asterisk-style pattern starting with `_` (digit-pattern.ts). */
    match: Type.String({ minLength: 1, maxLength: 64 }),
    /** Shown in traces. */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    when: Type.Optional(Name),
    unless: Type.Optional(Name),
    strip: Type.Optional(Type.Integer({ minimum: 1, maximum: 32 })),
    replace: Type.Optional(Type.Object({ pattern: Dialable(1), with: Dialable(0) }, { additionalProperties: false })),
    prepend: Type.Optional(Dialable(1)),
    ...TargetFields,
  },
  { additionalProperties: false },
);

export const ContextSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    rules: Type.Optional(Type.Array(RuleSchema)),
    otherwise: Type.Optional(TargetSchema),
  },
  { additionalProperties: false },
);

const Hours = Type.String({
  pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
  description: "HH:MM-HH:MM, local time, end exclusive",
});
const DayHours = Type.Optional(Type.Union([Hours, Type.Array(Hours, { minItems: 1 })]));
const DateText = Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" });

export const ScheduleSchema = Type.Object(
  {
    timezone: Type.Optional(Type.String({ minLength: 1 })),
    weekly: Type.Optional(
      Type.Object(
        { mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours },
        { additionalProperties: false },
      ),
    ),
    dates: Type.Optional(
      Type.Array(
      Type.Union([
        DateText,
        Type.Object({ date: DateText, name: Type.Optional(Type.String()) }, { additionalProperties: false }),
        Type.Object({ from: DateText, to: DateText, name: Type.Optional(Type.String()) }, { additionalProperties: false }),
      ]),
      ),
    ),
    except: Type.Optional(Type.Array(Name)),
  },
  { additionalProperties: false },
);

export const GroupSchema = Type.Object(
  {
    members: Type.Array(Type.String({ pattern: "^[0-9]{2,8}$" }), { minItems: 1 }),
    /** Default serial. */
    strategy: Type.Optional(Type.Union([Type.Literal("parallel"), Type.Literal("serial")])),
    /** Default 20. */
    ringSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300 })),
    overflow: Type.Optional(TargetSchema),
  },
  { additionalProperties: false },
);

export const EmergencySchema = Type.Object(
  {
    /** 999 and 112 are always emergency numbers; list others (e.g. 9999, sent as 999). */
    numbers: Type.Array(
      Type.Union([Dialable(1), Type.Object({ number: Dialable(1), send: Dialable(1) }, { additionalProperties: false })]),
      { default: [] },
    ),
    target: TargetSchema,
  },
  { additionalProperties: false },
);

export const DialplanSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    timezone: Type.String({ minLength: 1, default: DEFAULT_TIMEZONE }),
    /** Optional in the schema so that its absence gets a reason an admin can act on. */
    emergency: Type.Optional(EmergencySchema),
    schedules: named(ScheduleSchema),
    groups: named(GroupSchema),
    contexts: named(ContextSchema),
  },
  { additionalProperties: false },
);

export type DialplanFile = Static<typeof DialplanSchema>;
export type RuleFile = Static<typeof RuleSchema>;
export type TargetFile = Static<typeof TargetSchema>;
export type ScheduleFile = Static<typeof ScheduleSchema>;
export type GroupFile = Static<typeof GroupSchema>;
