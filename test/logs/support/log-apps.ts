/** A FastAPI project whose output the log tests control: `/print` writes N numbered lines to stdout. */
export const printerApp = {
  "main.py": [
    "import sys",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "@app.get('/print')",
    "def print_lines(n: int, prefix: str, size: int = 0):",
    "    pad = 'x' * size",
    "    sys.stdout.write(''.join(f'{prefix}-{i} {pad}\\n' for i in range(n)))",
    "    sys.stdout.flush()",
    "    return {'printed': n}",
    "",
  ].join("\n"),
};
