/**
 * Local wall time in a named time zone, from an epoch-ms instant and back, with Intl
 * only: pure functions of their arguments (no clock is read), and daylight saving
 * comes from the zone database Node ships, not from rules of our own.
 */
import type { Weekday } from "./dialplan.js";

export const DEFAULT_TIMEZONE = "Europe/London";
const DAY_MS = 86_400_000;

export interface LocalTime {
  /** `YYYY-MM-DD` */
  readonly date: string;
  readonly weekday: Weekday;
  /** Minutes since local midnight. */
  readonly minutes: number;
  /** For traces: `Fri 2026-11-27 10:15 Europe/London`. */
  readonly text: string;
}

const WEEKDAYS: Readonly<Record<string, Weekday>> = { Mon: "mon", Tue: "tue", Wed: "wed", Thu: "thu", Fri: "fri", Sat: "sat", Sun: "sun" };

// Building a DateTimeFormat costs far more than using one; a plan names few zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function fields(at: number, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(at)) out[part.type] = part.value;
  return out;
}

/**
 * Since 1973 every zone's offset from UTC is a whole number of minutes (Liberia's
 * -0:44:30 was the last to go, in January 1972), so from then on a wall clock's minute
 * changes only when the UTC minute does, and one answer serves the whole minute.
 * formatToParts costs tens of microseconds, and every call routed asks.
 */
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1973, 0, 1);
const lastMinute = new Map<string, { readonly minute: number; readonly time: LocalTime }>();

/** `at` must be finite and `timeZone` valid (the plan's zones are checked when it loads). */
export function localTime(at: number, timeZone: string): LocalTime {
  if (at < WHOLE_MINUTE_OFFSETS_SINCE) return computeLocalTime(at, timeZone);
  const minute = Math.floor(at / 60_000);
  const last = lastMinute.get(timeZone);
  if (last?.minute === minute) return last.time;
  const time = computeLocalTime(at, timeZone);
  lastMinute.set(timeZone, { minute, time });
  return time;
}

function computeLocalTime(at: number, timeZone: string): LocalTime {
  const f = fields(at, timeZone);
  const date = `${f.year}-${f.month}-${f.day}`;
  const hhmm = `${f.hour}:${f.minute}`;
  return {
    date,
    weekday: WEEKDAYS[f.weekday ?? ""] ?? "mon",
    minutes: Number(f.hour) * 60 + Number(f.minute),
    text: `${f.weekday} ${date} ${hhmm} ${timeZone}`,
  };
}

/** How far the zone's wall clock is ahead of UTC at `at`, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const f = fields(at, timeZone);
  const wall = Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour), Number(f.minute), Number(f.second));
  return wall - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The instant a wall clock in `timeZone` shows the given time. A time shown twice (the
 * hour repeated when clocks go back) gives the first; a time never shown (the hour
 * skipped when they go forward) is moved forward by the gap, as Temporal's
 * "compatible" disambiguation does.
 */
export function wallTimeToEpoch(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  // Zones change offset at most a few times a year, so the offsets a day either side
  // are the only two a wall time near a change can mean.
  const before = wall - offsetAt(wall - DAY_MS, timeZone);
  const after = wall - offsetAt(wall + DAY_MS, timeZone);
  const shown = [before, after].filter((t) => offsetAt(t, timeZone) === wall - t);
  return shown.length > 0 ? Math.min(...shown) : before;
}

/**
 * Reads a `--at` value: an ISO time with `Z` or an offset; a local date and time
 * (`2026-12-25T10:00` or `2026-12-25 10:00`) or just `HH:MM` (today, taken from
 * `now`), both as wall time in `timeZone`. Undefined when it is none of those.
 */
export function parseRouteTime(text: string, now: number, timeZone: string): number | undefined {
  const trimmed = text.trim();
  if (/(Z|[+-]\d\d:?\d\d)$/i.test(trimmed) && /^\d{4}-\d\d-\d\d[T ]/.test(trimmed)) {
    const at = Date.parse(trimmed.replace(" ", "T"));
    return Number.isFinite(at) ? at : undefined;
  }
  const local = /^(?:(\d{4}-\d\d-\d\d)[T ])?(\d\d?):(\d\d)(?::\d\d)?$/.exec(trimmed);
  if (!local) return undefined;
  const date = local[1] ?? localTime(now, timeZone).date;
  const [hour, minute] = [Number(local[2]), Number(local[3])];
  if (hour > 23 || minute > 59 || !isValidDate(date)) return undefined;
  return wallTimeToEpoch(date, hour * 60 + minute, timeZone);
}

/** A real calendar date in `YYYY-MM-DD` (not 2026-02-30). */
export function isValidDate(date: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === date;
}
