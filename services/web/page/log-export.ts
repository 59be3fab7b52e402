/**
 * Downloads the preview's whole retained log as the logs service exports it (the request needs
 * the user's token, so it is fetched and handed to the browser as a file, not linked).
 */
export const downloadExport = async (url: string, token: string, fallbackName: string): Promise<string | undefined> => {
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    return `Export failed: no answer from ${url} (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!res.ok) {
    const body = await res.json().catch(() => undefined) as { error?: { message?: string; code?: string } } | undefined;
    return `Export failed: ${body?.error?.message ?? `HTTP ${res.status}`}${body?.error?.code === undefined ? "" : ` (${body.error.code})`}`;
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return undefined;
};
