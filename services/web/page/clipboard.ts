/**
 * Copies text: the Clipboard API where the page may use it (a secure context, e.g. localhost or
 * https), else a selected, off-screen textarea and the older copy command. False if neither worked.
 */
export const copyText = async (text: string): Promise<boolean> => {
  if (navigator.clipboard !== undefined && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch { /* permission refused: try the older way */ }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.left = "-9999px";
  document.body.append(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
};
