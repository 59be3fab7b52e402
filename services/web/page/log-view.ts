import type { LogLine } from "../../../libs/logs/schemas.ts";
import { logLevels } from "../../../libs/logs/statuses.ts";
import { type AnsiSegment, parseAnsi, stripAnsi } from "./ansi.ts";
import { localTime } from "../../../libs/logs/local-time.ts";
import { levelColumn, messageColumns, wrappedLines } from "./log-layout.ts";

/** Must match `.log-row { line-height }` and the horizontal padding in styles.css. */
const rowHeight = 20;
const rowPadding = 10;
const overscan = 10;

interface Entry {
  readonly line: LogLine;
  readonly searchText: string;
  readonly columns: number;
  segments?: AnsiSegment[];
}

export interface LogViewCallbacks {
  /** Lines that arrived (and match the filter) while the user was scrolled up; 0 once back at the end. */
  readonly onUnseen: (count: number) => void;
  readonly onCount: (shown: number, total: number) => void;
}

/**
 * A terminal-style, virtualised log view: every line is kept, only the rows in sight (plus a
 * few) are in the DOM. Follows the end until the user scrolls up; then counts what is unseen.
 * Times are the viewer's local time. Wrapped, a row is as tall as its text needs at the
 * current width: heights come from the measured character width, kept as running offsets.
 */
export class LogView {
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly callbacks: LogViewCallbacks;
  private entries: Entry[] = [];
  private shown: number[] = [];
  private readonly ids = new Set<number>();
  private enabled = new Set<string>(logLevels);
  private query = "";
  private follow = true;
  private unseen = 0;
  private frame: number | undefined;
  private wrap = false;
  /** With wrap on: the top of each shown row, plus the total height at the end; rebuilt when the width changes. */
  private offsets: number[] = [0];
  private perLine = 0;
  /** Columns per row as last measured; measured again only after a resize (measuring forces a layout). */
  private measuredPerLine = 0;

  constructor(viewport: HTMLElement, callbacks: LogViewCallbacks) {
    this.viewport = viewport;
    this.callbacks = callbacks;
    this.spacer = document.createElement("div");
    this.spacer.className = "log-spacer";
    viewport.append(this.spacer);
    viewport.addEventListener("scroll", () => {
      // Our own scroll to the end lands at the end too, so this only turns following off for the user's.
      const atEnd = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - rowHeight / 2;
      this.follow = atEnd;
      if (atEnd) this.setUnseen(0);
      this.schedule();
    }, { passive: true });
    new ResizeObserver(() => {
      this.measuredPerLine = 0;
      this.schedule();
    }).observe(viewport);
  }

  get size(): number {
    return this.entries.length;
  }

  get following(): boolean {
    return this.follow;
  }

  append(line: LogLine): void {
    // PreviewLogStream never repeats an id; a view fed from elsewhere must not either.
    if (this.ids.has(line.id)) return;
    this.ids.add(line.id);
    const plain = stripAnsi(line.message);
    const entry: Entry = { line, searchText: plain.toLowerCase(), columns: messageColumns(plain) };
    this.entries.push(entry);
    if (this.matches(entry)) {
      this.shown.push(this.entries.length - 1);
      if (this.wrap && this.perLine > 0) this.offsets.push((this.offsets.at(-1) ?? 0) + this.heightOf(entry));
      if (!this.follow) this.setUnseen(this.unseen + 1);
    }
    this.schedule();
  }

  clear(): void {
    this.entries = [];
    this.shown = [];
    this.offsets = [0];
    this.ids.clear();
    this.follow = true;
    this.setUnseen(0);
    this.schedule();
  }

  setLevels(enabled: ReadonlySet<string>): void {
    this.enabled = new Set(enabled);
    this.refilter();
  }

  setQuery(query: string): void {
    this.query = query.trim().toLowerCase();
    this.refilter();
  }

  get wrapped(): boolean {
    return this.wrap;
  }

  /** Long lines wrapped within the view (rows grow) or kept on one line (the view scrolls sideways). */
  setWrap(wrap: boolean): void {
    if (wrap === this.wrap) return;
    this.wrap = wrap;
    this.viewport.classList.toggle("wrapped", wrap);
    this.perLine = 0;
    this.measuredPerLine = 0;
    this.schedule();
  }

  /** Back to the newest line, following again. */
  jumpToEnd(): void {
    this.follow = true;
    this.setUnseen(0);
    this.schedule();
  }

  private matches(entry: Entry): boolean {
    return this.enabled.has(entry.line.level) && (this.query === "" || entry.searchText.includes(this.query));
  }

  private refilter(): void {
    this.shown = [];
    this.perLine = 0; // the offsets are of the old selection
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[i];
      if (entry !== undefined && this.matches(entry)) this.shown.push(i);
    }
    this.setUnseen(0);
    this.schedule();
  }

  private setUnseen(count: number): void {
    if (count === this.unseen) return;
    this.unseen = count;
    this.callbacks.onUnseen(count);
  }

  private schedule(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  private heightOf(entry: Entry): number {
    return wrappedLines(entry.columns, this.perLine) * rowHeight;
  }

  /** Columns that fit on one row now: the text width over one character's width in the row font. */
  private measurePerLine(): number {
    const probe = document.createElement("span");
    probe.className = "log-probe";
    probe.textContent = "0".repeat(100);
    this.viewport.append(probe);
    const charWidth = probe.getBoundingClientRect().width / 100;
    probe.remove();
    return charWidth > 0 ? Math.max(1, Math.floor((this.viewport.clientWidth - 2 * rowPadding) / charWidth)) : 1;
  }

  private relayout(): void {
    const offsets = [0];
    let at = 0;
    for (const i of this.shown) {
      const entry = this.entries[i];
      at += entry === undefined ? rowHeight : this.heightOf(entry);
      offsets.push(at);
    }
    this.offsets = offsets;
  }

  /** The first shown row whose bottom is below `y`. */
  private rowAt(y: number): number {
    let lo = 0;
    let hi = this.shown.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.offsets[mid + 1] ?? 0) <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private render(): void {
    const total = this.shown.length;
    if (this.wrap) {
      if (this.measuredPerLine === 0) this.measuredPerLine = this.measurePerLine();
      const perLine = this.measuredPerLine;
      if (perLine !== this.perLine || this.offsets.length !== total + 1) {
        this.perLine = perLine;
        this.relayout();
      }
    }
    const height = this.wrap ? (this.offsets[total] ?? 0) : total * rowHeight;
    this.spacer.style.height = `${height}px`;
    if (this.follow) {
      const bottom = Math.max(0, height - this.viewport.clientHeight);
      if (this.viewport.scrollTop !== bottom) this.viewport.scrollTop = bottom;
    }
    const top = this.viewport.scrollTop;
    const bottomEdge = top + this.viewport.clientHeight;
    const first = Math.max(0, (this.wrap ? this.rowAt(top) : Math.floor(top / rowHeight)) - overscan);
    const last = Math.min(total, (this.wrap ? this.rowAt(bottomEdge) + 1 : Math.ceil(bottomEdge / rowHeight)) + overscan);
    const rows = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const entry = this.entries[this.shown[i] ?? -1];
      if (entry === undefined) continue;
      const y = this.wrap ? (this.offsets[i] ?? 0) : i * rowHeight;
      const h = this.wrap ? (this.offsets[i + 1] ?? 0) - y : rowHeight;
      rows.append(this.row(entry, y, h));
    }
    this.spacer.replaceChildren(rows);
    this.callbacks.onCount(total, this.entries.length);
  }

  private row(entry: Entry, y: number, height: number): HTMLElement {
    const { line } = entry;
    const row = document.createElement("div");
    row.className = `log-row level-${line.level} source-${line.source}`;
    row.dataset.id = String(line.id);
    row.style.transform = `translateY(${y}px)`;
    row.style.height = `${height}px`;
    const ts = document.createElement("time");
    ts.className = "log-time";
    ts.dateTime = line.timestamp;
    ts.title = `${new Date(line.timestamp).toString()} (${line.timestamp} UTC)`;
    ts.textContent = localTime(line.timestamp);
    const level = document.createElement("span");
    level.className = "log-level";
    level.textContent = levelColumn(line.level);
    const message = document.createElement("span");
    message.className = "log-message";
    entry.segments ??= parseAnsi(line.message);
    for (const segment of entry.segments) message.append(this.segment(segment));
    row.append(ts, " ", level, " ", message);
    return row;
  }

  private segment(segment: AnsiSegment): Node {
    const plain = segment.classes.length === 0 && segment.fg === undefined && segment.bg === undefined;
    const content = this.highlight(segment.text);
    if (plain && typeof content === "string") return document.createTextNode(content);
    const span = document.createElement("span");
    if (segment.classes.length > 0) span.className = segment.classes.join(" ");
    if (segment.fg !== undefined) span.style.color = segment.fg;
    if (segment.bg !== undefined) span.style.backgroundColor = segment.bg;
    span.append(content);
    return span;
  }

  /** The search term marked in the text. */
  private highlight(text: string): string | DocumentFragment {
    if (this.query === "") return text;
    const lower = text.toLowerCase();
    let at = lower.indexOf(this.query);
    if (at === -1) return text;
    const out = document.createDocumentFragment();
    let from = 0;
    while (at !== -1) {
      out.append(text.slice(from, at));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(at, at + this.query.length);
      out.append(mark);
      from = at + this.query.length;
      at = lower.indexOf(this.query, from);
    }
    out.append(text.slice(from));
    return out;
  }
}
