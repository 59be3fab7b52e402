import { describe, expect, it } from "vitest";
import { localTime, localZoneLabel, utcOffset, zoneLabel } from "../../libs/logs/local-time.ts";
import { messageColumns, prefixColumns, wrappedLines } from "../../services/web/page/log-layout.ts";

describe("log rows: local time and wrapped height", () => {
  it("says the zone and its offset, east positive", () => {
    expect(utcOffset(330)).toBe("UTC+05:30");
    expect(utcOffset(-210)).toBe("UTC-03:30");
    expect(utcOffset(0)).toBe("UTC+00:00");
    expect(zoneLabel("Europe/Berlin", new Date("2026-07-01T12:00:00Z"))).toMatch(/^Times in Europe\/Berlin \(UTC[+-]\d\d:\d\d\)$/);
    expect(zoneLabel(undefined, new Date())).toMatch(/^Times in local time \(/);
    expect(localZoneLabel()).toBe(zoneLabel(Intl.DateTimeFormat().resolvedOptions().timeZone, new Date()));
  });

  it("shows a timestamp in this process's own zone, to the millisecond", () => {
    const at = "2026-12-07T05:04:03.021Z";
    const d = new Date(at);
    const pad = (n: number, w = 2) => String(n).padStart(w, "0");
    expect(localTime(at)).toBe(`${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.021`);
    expect(localTime("not a time")).toHaveLength(12);
  });

  it("counts a tab as a tab stop and a wide character as two columns, never fewer than shown", () => {
    expect(messageColumns("abc")).toBe(3);
    expect(messageColumns("a\tb")).toBe(10);
    expect(messageColumns("表示")).toBe(4);
    expect(messageColumns("ok 🎉")).toBe(5);
  });

  it("wraps the time and level columns with the message", () => {
    expect(prefixColumns).toBe(19);
    expect(wrappedLines(0, 80)).toBe(1);
    expect(wrappedLines(61, 80)).toBe(1);
    expect(wrappedLines(62, 80)).toBe(2);
    expect(wrappedLines(305, 36)).toBe(Math.ceil(324 / 36));
    expect(wrappedLines(10, 0)).toBe(29);
  });
});
