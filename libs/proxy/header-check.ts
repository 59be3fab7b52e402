import { InvalidRequest } from "../http/request-errors.ts";

/** RFC 9110 token: the characters a header name may have. */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible characters, spaces and tabs (obs-text included); never CR, LF or NUL, which would split the request. */
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;

export const maxHeaders = 100;
export const maxHeaderValueBytes = 8 * 1024;

const badHeader = (header: string, problem: string) =>
  new InvalidRequest({ message: `Invalid header ${JSON.stringify(header)}: ${problem}`, details: { field: "headers", header, problem } });

/** Headers a client describes as data (route 5): each name and value checked, named when wrong. */
export const checkHeaders = (headers: Readonly<Record<string, string>>): InvalidRequest | undefined => {
  const entries = Object.entries(headers);
  if (entries.length > maxHeaders) {
    return new InvalidRequest({ message: `Too many headers: ${entries.length}, at most ${maxHeaders}`, details: { field: "headers", problem: "too many" } });
  }
  for (const [name, value] of entries) {
    if (!headerName.test(name)) return badHeader(name, "a header name is letters, digits and !#$%&'*+-.^_`|~ only");
    if (!headerValue.test(value)) return badHeader(name, "its value has a control character (CR, LF, NUL...) or a character beyond U+00FF");
    if (value.length > maxHeaderValueBytes) return badHeader(name, `its value is longer than ${maxHeaderValueBytes} bytes`);
  }
  return undefined;
};
