// Rotating ticket codes, made in the owner's browser (ticket plugin README, "rotating codes"):
//   base45( signed ticket || window (u32, big-endian) ||
//           Ed25519(ticket key, "admit-window/1" || window || signed ticket) )
// with window = floor(unix seconds / 30). The signed ticket (base45) and the ticket key's 32-byte
// seed (base64url) come from GET /tickets (owner view); the seed never leaves this page's memory.
// A gate accepts the current and the previous window, so a screenshot stops working within 30
// to 60 seconds. Signing uses WebCrypto's Ed25519 (Chromium 137+, Firefox 129+, Safari 17+);
// where it is missing, makeTicketSigner() resolves null and the page shows the printed code.
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const CONTEXT = new TextEncoder().encode('admit-window/1');
// RFC 8410 PKCS #8 wrapping of a 32-byte Ed25519 seed: WebCrypto imports private keys only so.
const PKCS8_ED25519 = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
  0x04, 0x22, 0x04, 0x20];
export const WINDOW_SECONDS = 30;

/** RFC 9285 base45; throws on a character outside the alphabet or a bad length. */
export function base45Decode(text: string): Uint8Array<ArrayBuffer> {
  const values = [...text].map((c) => {
    const v = BASE45.indexOf(c);
    if (v < 0) throw new Error('not base45: ' + JSON.stringify(c));
    return v;
  });
  if (values.length % 3 === 1) throw new Error('base45 length');
  const out: number[] = [];
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 45 * 45;
      if (n > 0xffff) throw new Error('base45 overflow');
      out.push(n >> 8, n & 0xff);
    } else {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) throw new Error('base45 overflow');
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    if (i + 1 < bytes.length) {
      let n = bytes[i] * 256 + bytes[i + 1];
      out += BASE45[n % 45];
      n = Math.floor(n / 45);
      out += BASE45[n % 45] + BASE45[Math.floor(n / 45)];
    } else {
      out += BASE45[bytes[i] % 45] + BASE45[Math.floor(bytes[i] / 45)];
    }
  }
  return out;
}

function base64urlDecode(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function windowOf(nowMs: number): number {
  return Math.floor(nowMs / 1000 / WINDOW_SECONDS);
}

/** Signs rotating codes for one ticket; null where the browser cannot sign with Ed25519. */
export interface TicketSigner {
  codeAt(nowMs: number): Promise<string>;
}

export async function makeTicketSigner(signedTicket: string, ticketKey: string): Promise<TicketSigner | null> {
  let key: CryptoKey;
  const ticket = base45Decode(signedTicket);
  try {
    const seed = base64urlDecode(ticketKey);
    if (seed.length !== 32) return null;
    const pkcs8 = concat(new Uint8Array(PKCS8_ED25519), seed);
    key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
  } catch {
    return null;  // no WebCrypto (insecure context) or no Ed25519 in this browser
  }
  return {
    async codeAt(nowMs: number) {
      const w = windowOf(nowMs);
      const window = new Uint8Array([w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff]);
      const signature = new Uint8Array(
        await crypto.subtle.sign({ name: 'Ed25519' }, key, concat(CONTEXT, window, ticket)),
      );
      return base45Encode(concat(ticket, window, signature));
    },
  };
}
