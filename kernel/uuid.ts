// A random UUID (v4) from Web Crypto, which Node and browsers both have: its randomUUID where it
// exists (secure contexts only: a page served over plain http has none), else the same from
// getRandomValues (RFC 4122, section 4.4). Shared by both sides of the kernel's boundary, like protocol.ts.

// Taken when this module loads: a cell's `globalThis.crypto = …` cannot reach it.
const webCrypto = globalThis.crypto;

export function randomUuid(): string {
  if (typeof webCrypto.randomUUID === 'function') return webCrypto.randomUUID();
  const b = webCrypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const hex = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
