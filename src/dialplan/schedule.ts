/**
 * Whether a named schedule is in force at an instant, and why, in words for the trace.
 *
 * A schedule is in force when the local date is one of its `dates` or the local time
 * falls in that weekday's hours, unless one of its `except` schedules is in force
 * (office hours except bank holidays). Times are local to the schedule's zone.
 */
import { lookup, type HoursRange, type Schedule } from "./dialplan.js";
import { localTime } from "./local-time.js";

export interface ScheduleVerdict {
  readonly inForce: boolean;
  readonly why: string;
}

/** `except` chains are refused when they loop; the bound only guards a hand-built plan. */
const MAX_EXCEPT_DEPTH = 8;

export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export function formatHours(ranges: readonly HoursRange[]): string {
  return ranges.map((r) => `${formatMinutes(r.from)}-${formatMinutes(r.to)}`).join(", ");
}

export function scheduleVerdict(
  schedules: Readonly<Record<string, Schedule>>,
  name: string,
  at: number,
  depth = 0,
): ScheduleVerdict {
  const schedule = lookup(schedules, name);
  if (!schedule || depth > MAX_EXCEPT_DEPTH) return { inForce: false, why: `schedule ${name} is not defined` };
  const local = localTime(at, schedule.timezone);
  const day = local.text.slice(0, 3);
  // Only the outermost verdict names the time; an exception's reason follows it.
  const prefix = depth === 0 ? `${local.text}: ` : "";
  for (const other of schedule.except) {
    const inner = scheduleVerdict(schedules, other, at, depth + 1);
    if (inner.inForce) return { inForce: false, why: `${prefix}${other} is in force, ${inner.why}` };
  }
  const dated = schedule.dates.find((d) => d.from <= local.date && local.date <= d.to);
  if (dated) {
    const span = dated.from === dated.to ? dated.from : `${dated.from} to ${dated.to}`;
    return { inForce: true, why: `${prefix}listed date ${span}${dated.name ? ` (${dated.name})` : ""}` };
  }
  const ranges = schedule.weekly[local.weekday] ?? [];
  if (ranges.length === 0) return { inForce: false, why: `${prefix}no hours on ${day}` };
  const within = ranges.find((r) => r.from <= local.minutes && local.minutes < r.to);
  return within
    ? { inForce: true, why: `${prefix}within ${day} ${formatHours([within])}` }
    : { inForce: false, why: `${prefix}outside ${day} ${formatHours(ranges)}` };
}
