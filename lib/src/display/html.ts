/** Escaping text for the HTML that displays build. */

/** `text` with the characters HTML gives meaning to (`& < > " '`) escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
