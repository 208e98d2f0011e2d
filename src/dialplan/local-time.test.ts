import { describe, expect, it } from "vitest";
import { isValidDate, isValidTimeZone, localTime, parseRouteTime, wallTimeToEpoch } from "./local-time.js";

const utc = (iso: string) => Date.parse(`${iso}Z`);
const LONDON = "Europe/London";

describe("localTime", () => {
  it("is GMT in winter and BST in summer, the zone database deciding", () => {
    expect(localTime(utc("2026-03-29T00:59:00"), LONDON).text).toBe("Sun 2026-03-29 00:59 Europe/London");
    expect(localTime(utc("2026-03-29T01:00:00"), LONDON).text).toBe("Sun 2026-03-29 02:00 Europe/London");
    expect(localTime(utc("2026-10-25T00:59:00"), LONDON).text).toBe("Sun 2026-10-25 01:59 Europe/London");
    expect(localTime(utc("2026-10-25T01:00:00"), LONDON).text).toBe("Sun 2026-10-25 01:00 Europe/London");
  });

  it("gives the local date, weekday and minutes since midnight", () => {
    const t = localTime(utc("2026-06-30T23:30:00"), LONDON);
    expect(t).toMatchObject({ date: "2026-07-01", weekday: "wed", minutes: 30 });
    expect(localTime(utc("2026-06-30T23:30:00"), "America/New_York")).toMatchObject({ date: "2026-06-30", weekday: "tue", minutes: 19 * 60 + 30 });
  });

  it("answers every second of a minute alike, and changes with the minute across the clocks going back", () => {
    const start = utc("2026-10-25T00:58:00");
    const seen = new Map<number, string>();
    for (let s = 0; s < 180; s++) seen.set(s, localTime(start + s * 1000, LONDON).text);
    expect(new Set(seen.values())).toEqual(new Set(["Sun 2026-10-25 01:58 Europe/London", "Sun 2026-10-25 01:59 Europe/London", "Sun 2026-10-25 01:00 Europe/London"]));
    expect(seen.get(119)).toBe("Sun 2026-10-25 01:59 Europe/London");
    expect(seen.get(120)).toBe("Sun 2026-10-25 01:00 Europe/London");
  });

  it("keeps the seconds of an old zone offset (Liberia, -0:44:30 until 1972)", () => {
    // 12:00:00 UTC was 11:15:30 in Monrovia: its minute began at 11:59:30 UTC, not 12:00.
    expect(localTime(utc("1970-01-01T11:59:29"), "Africa/Monrovia").minutes).toBe(11 * 60 + 14);
    expect(localTime(utc("1970-01-01T11:59:30"), "Africa/Monrovia").minutes).toBe(11 * 60 + 15);
  });
});

describe("wallTimeToEpoch", () => {
  it("inverts localTime on ordinary days", () => {
    expect(wallTimeToEpoch("2026-12-24", 16 * 60 + 45, LONDON)).toBe(utc("2026-12-24T16:45:00"));
    expect(wallTimeToEpoch("2026-07-01", 9 * 60, LONDON)).toBe(utc("2026-07-01T08:00:00"));
  });

  it("moves a time in the hour skipped in spring forward by the gap", () => {
    expect(wallTimeToEpoch("2026-03-29", 90, LONDON)).toBe(utc("2026-03-29T01:30:00"));
    expect(localTime(utc("2026-03-29T01:30:00"), LONDON).text).toContain("02:30");
  });

  it("takes the first of a time shown twice in autumn", () => {
    expect(wallTimeToEpoch("2026-10-25", 90, LONDON)).toBe(utc("2026-10-25T00:30:00"));
  });
});

describe("parseRouteTime (strowger route --at)", () => {
  const now = utc("2026-11-27T09:00:00");
  it.each([
    ["10:15", utc("2026-11-27T10:15:00")],
    ["2026-12-24 16:45", utc("2026-12-24T16:45:00")],
    ["2026-07-01T09:00", utc("2026-07-01T08:00:00")],
    ["2026-07-01T09:00:00Z", utc("2026-07-01T09:00:00")],
    ["2026-07-01T09:00+02:00", utc("2026-07-01T07:00:00")],
    ["25:00", undefined],
    ["2026-02-30 10:00", undefined],
    ["tomorrow", undefined],
  ])("reads %s", (text, expected) => {
    expect(parseRouteTime(text, now, LONDON)).toBe(expected);
  });
});

describe("validity", () => {
  it("knows time zones and calendar dates", () => {
    expect(isValidTimeZone("Europe/London")).toBe(true);
    expect(isValidTimeZone("Europe/Stafford")).toBe(false);
    expect(isValidDate("2028-02-29")).toBe(true);
    expect(isValidDate("2026-02-29")).toBe(false);
    expect(isValidDate("2026-13-01")).toBe(false);
  });
});
