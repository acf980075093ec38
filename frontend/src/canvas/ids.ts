/** Short random ids for new nodes and edges: readable, unique within a workflow. */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function shortRandom(length = 6): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

/** `model.chat` → `model_chat`. */
export const typeSlug = (type: string): string =>
  type
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '') || 'node';

/** A fresh id `${prefix}_${random}` that is not in `taken`. */
export function uniqueId(prefix: string, taken: ReadonlySet<string>): string {
  for (;;) {
    const id = `${prefix}_${shortRandom()}`;
    if (!taken.has(id)) return id;
  }
}
