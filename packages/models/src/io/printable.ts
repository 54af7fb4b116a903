// Text taken from a file (a tensor name, a pickle GLOBAL, a metadata value) made safe to print on a
// terminal: control characters become visible escapes, so a crafted name cannot move the cursor, retitle
// the window, ring the bell or reorder the line (ESC/CSI sequences, BEL, CR, bidirectional overrides).

/** C0 controls, DEL, C1 controls (CSI U+009B acts like ESC [), line/paragraph separators, bidi controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character written as `\uHHHH` (everything else unchanged; inside a JSON string
 * the escape reads back as the same character). Beyond `maxLength` characters the middle is left out (a name
 * read from a file can be megabytes long).
 */
export function printable(text: string, maxLength = Infinity): string {
  const cut = text.length > maxLength
    ? `${text.slice(0, Math.ceil(maxLength * 0.7))} ... (${text.length - maxLength} characters left out) ... ${text.slice(text.length - Math.floor(maxLength * 0.3))}`
    : text;
  return cut.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
