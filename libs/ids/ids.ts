import { customAlphabet } from "nanoid";

/** Lower-case alphanumeric ids: safe in URLs, paths, cookie paths and host-style labels. */
export const newId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 20);
