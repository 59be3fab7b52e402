// A log line's time as its reader sees it: in the reader's own zone, the zone said once (the
// page's log header, the CLI's "Tailing logs" line). Stored and exported times stay UTC (ISO 8601).

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A line's time in the viewer's own zone: "14:03:07.125" (the date is in the row's title). */
export const localTime = (iso: string): string => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(0, 12).padEnd(12);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/** "UTC+05:30" for a zone offset in minutes east of UTC (Date#getTimezoneOffset is west, hence the sign). */
export const utcOffset = (minutesEast: number): string => {
  const sign = minutesEast < 0 ? "-" : "+";
  const m = Math.abs(minutesEast);
  return `UTC${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
};

/** What the log header says about the times: the zone's name and its offset now. */
export const zoneLabel = (timeZone: string | undefined, now: Date): string =>
  `Times in ${timeZone === undefined || timeZone === "" ? "local time" : timeZone} (${utcOffset(-now.getTimezoneOffset())})`;

/** The label for this runtime's own zone (browser, Node or Deno). */
export const localZoneLabel = (now = new Date()): string => zoneLabel(Intl.DateTimeFormat().resolvedOptions().timeZone, now);
