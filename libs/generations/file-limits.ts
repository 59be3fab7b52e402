export interface FileLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

/** api.md defaults: 2,000 files, 1 MiB per file, 20 MiB in all. */
export const defaultFileLimits: FileLimits = {
  maxFiles: 2000,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 20 * 1024 * 1024,
};
