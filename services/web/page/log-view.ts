import type { LogLine } from "../../../libs/logs/schemas.ts";
import { logLevels } from "../../../libs/logs/statuses.ts";
import { type AnsiSegment, parseAnsi, stripAnsi } from "./ansi.ts";

/** Must match `.log-row { height }` in styles.css. */
const rowHeight = 20;
const overscan = 10;

interface Entry {
  readonly line: LogLine;
  readonly searchText: string;
  segments?: AnsiSegment[];
}

export interface LogViewCallbacks {
  /** Lines that arrived (and match the filter) while the user was scrolled up; 0 once back at the end. */
  readonly onUnseen: (count: number) => void;
  readonly onCount: (shown: number, total: number) => void;
}

const time = (iso: string) => {
  const t = iso.indexOf("T");
  return t === -1 ? iso : iso.slice(t + 1, t + 13);
};

/**
 * A terminal-style, virtualised log view: every line is kept, only the rows in sight (plus a
 * few) are in the DOM. Follows the end until the user scrolls up; then counts what is unseen.
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
    new ResizeObserver(() => this.schedule()).observe(viewport);
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
    const entry: Entry = { line, searchText: stripAnsi(line.message).toLowerCase() };
    this.entries.push(entry);
    if (this.matches(entry)) {
      this.shown.push(this.entries.length - 1);
      if (!this.follow) this.setUnseen(this.unseen + 1);
    }
    this.schedule();
  }

  clear(): void {
    this.entries = [];
    this.shown = [];
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

  private render(): void {
    const total = this.shown.length;
    this.spacer.style.height = `${total * rowHeight}px`;
    if (this.follow) {
      const bottom = Math.max(0, total * rowHeight - this.viewport.clientHeight);
      if (this.viewport.scrollTop !== bottom) this.viewport.scrollTop = bottom;
    }
    const top = this.viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
    const last = Math.min(total, Math.ceil((top + this.viewport.clientHeight) / rowHeight) + overscan);
    const rows = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const entry = this.entries[this.shown[i] ?? -1];
      if (entry !== undefined) rows.append(this.row(entry, i));
    }
    this.spacer.replaceChildren(rows);
    this.callbacks.onCount(total, this.entries.length);
  }

  private row(entry: Entry, index: number): HTMLElement {
    const { line } = entry;
    const row = document.createElement("div");
    row.className = `log-row level-${line.level} source-${line.source}`;
    row.dataset.id = String(line.id);
    row.style.transform = `translateY(${index * rowHeight}px)`;
    const ts = document.createElement("span");
    ts.className = "log-time";
    ts.textContent = time(line.timestamp);
    const level = document.createElement("span");
    level.className = "log-level";
    level.textContent = line.level;
    const message = document.createElement("span");
    message.className = "log-message";
    entry.segments ??= parseAnsi(line.message);
    for (const segment of entry.segments) message.append(this.segment(segment));
    row.append(ts, level, message);
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
