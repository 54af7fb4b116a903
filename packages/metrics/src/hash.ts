// SHA-256 by Web Crypto (globalThis.crypto.subtle: Node 20 and every browser's secure context): the hash
// that reference statistics record beside a detector's name, so features of different weights never mix.

/** SHA-256 of the concatenated bytes of `parts` (typed arrays in the machine's little-endian order), as hex. */
export async function sha256Hex(parts: ArrayBufferView | readonly ArrayBufferView[]): Promise<string> {
  const list = Array.isArray(parts) ? parts : [parts as ArrayBufferView];
  const total = list.reduce((a, v) => a + v.byteLength, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const v of list) {
    all.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += v.byteLength;
  }
  const digest = await globalThis.crypto.subtle.digest('SHA-256', all);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
