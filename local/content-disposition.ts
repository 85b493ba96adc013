/**
 * `Content-Disposition: attachment` for any file name, as RFC 6266 (section 4.3, appendix D) has it:
 * the name itself in `filename*`, UTF-8 and percent-encoded (RFC 8187, which replaced RFC 5987),
 * and before it an ASCII `filename` for clients that read only that one. A header value holds
 * Latin-1 at most, and Node refuses anything else ("Invalid character in header content"), so
 * a name such as "résumé-名前.pdf" never goes in as it is.
 */

/** RFC 8187's attr-char: what `filename*` carries as it is; every other byte is %XX. */
const attrChar = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

export function attachmentDisposition(name: string): string {
  // Buffer.from turns a lone surrogate into U+FFFD; encodeURIComponent would throw on it.
  const encoded = [...Buffer.from(name, "utf8")]
    .map((byte) => (attrChar.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");
  // Accents dropped ("é" is "e" and a combining mark), then anything not printable ASCII, and the
  // quote, backslash and percent sign (which some clients decode), as "_".
  const fallback = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x20-\x7e]|["\\%]/gu, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
