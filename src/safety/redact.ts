/**
 * Masking and redaction: the one module every result, error and log line passes.
 *
 * - mask*: the display forms of docs/contract.md §4 (API key first 5 + "..." + last 4;
 *   secret or private key "***..." + last 5). Short values show less, never all.
 * - Redactor: knows every configured credential by value and replaces it in any text,
 *   plain, percent-encoded or base64 (private key bodies), and blanks signature=
 *   values, so a URL or an upstream error message cannot leak one.
 */

/** API key: first 5 + "..." + last 4 (su1Qc...8akf). Below 18 characters that would show half, so less is shown. */
export function maskApiKey(key: string): string {
  if (key.length >= 18) return `${key.slice(0, 5)}...${key.slice(-4)}`;
  if (key.length >= 8) return `${key.slice(0, 2)}...${key.slice(-2)}`;
  return '***';
}

/** Secret, private key or passphrase: "***..." + last 5; shorter values show at most a quarter. */
export function maskSecret(secret: string): string {
  const s = secret.trim();
  if (s.length >= 20) return `***...${s.slice(-5)}`;
  const shown = Math.floor(s.length / 4);
  return shown > 0 ? `***...${s.slice(-shown)}` : '***';
}

export type CredentialKind = 'apiKey' | 'secret' | 'privateKey' | 'passphrase';

interface Known {
  value: string;
  replacement: string;
}

const SIGNATURE = /(signature=)[^&\s"'\\]+/gi;
const PEM_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const CREDENTIAL_KEY_IN_JSON =
  /"(api[-_ ]?key|secret(key)?|secret[-_ ]?key|private[-_ ]?key|passphrase|signature|x-mbx-apikey|password)":/i;
const ALREADY_MASKED = /^(\*\*\*(\.\.\.\S{0,5})?|\S{0,5}\.\.\.\S{0,4})$/;
const CREDENTIAL_FIELD =
  /^(api[-_ ]?key|secret(key)?|secret[-_ ]?key|private[-_ ]?key|passphrase|signature|x-mbx-apikey|password)$/i;

/** Echoes shorter than this are not taken for a credential (too many false positives). */
export const MIN_PARTIAL_ECHO = 12;
/**
 * The characters a key, a secret, base64 or a signature are made of: [A-Za-z0-9+/_-].
 * Runs of 12 or more are scanned for echoes by hand: the regular expression for them
 * tried 12 characters at every position of a text, 23 µs for a 1.5 KB answer (issue 23).
 */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') TOKEN_CHAR[c.charCodeAt(0)] = 1;
const isTokenChar = (code: number) => code < 128 && TOKEN_CHAR[code] === 1;
/** Rolling hash of a 12-character window, lower-cased: a window that hashes to none of the credentials' is no echo. */
const HASH_BASE = 257;
const HASH_OUT = (() => {
  let p = 1;
  for (let i = 0; i < MIN_PARTIAL_ECHO - 1; i++) p = Math.imul(p, HASH_BASE);
  return p;
})();
const lowerCode = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code);
/** FNV-1a over text[start, end), exact (signatures are matched as they are). */
function signatureHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

function windowHash(window: string): number {
  let h = 0;
  for (let i = 0; i < window.length; i++) h = (Math.imul(h, HASH_BASE) + lowerCode(window.charCodeAt(i))) | 0;
  return h;
}
/** Signatures remembered for bare echoes (each is used once; the newest are enough). */
const MAX_SIGNATURES = 256;

export class Redactor {
  private known: Known[] = [];
  private readonly registered = new Set<string>();
  /** Every 12-character window of every credential, lower-cased → its masked form. */
  private readonly windows = new Map<string, string>();
  /** windowHash of every key of `windows`, and the same folded to 16 bits: a first look without a Set lookup. */
  private readonly windowHashes = new Set<number>();
  private readonly windowHashBits = new Uint8Array(1 << 16);
  /**
   * The newest MAX_SIGNATURES signatures, as 32-bit hashes (signatureHash) in the order
   * they came: a string kept for a few hundred calls lives through young GCs and is
   * promoted, a number in a typed array is not (issue 23). A run of key characters whose
   * length and hash are a signature's is taken for an echo of it; two different strings
   * of one length sharing a hash would only mask a harmless one.
   */
  private readonly signatureHashes = new Set<number>();
  private readonly signatureOrder = new Int32Array(MAX_SIGNATURES);
  private signaturesSeen = 0;
  /** The lengths of the remembered signatures (an echo of one is a run of exactly that length). */
  private readonly signatureLengths = new Set<number>();

  /**
   * Registers a credential so that every later scrub removes it in all its forms:
   * whole (plain, percent-encoded, base64), and any echo of 12 or more of its
   * characters in any case. Registering the same value again adds nothing.
   */
  add(value: string | undefined, kind: CredentialKind): void {
    if (!value || value.length < 4) return;
    const id = `${kind}\u0000${value}`;
    if (this.registered.has(id)) return;
    this.registered.add(id);
    const replacement = kind === 'apiKey' ? maskApiKey(value) : maskSecret(value);
    const forms = new Set<string>([value, encodeURIComponent(value)]);
    const raw: string[] = [value];
    if (kind === 'privateKey') {
      // A PEM's body lines, and the body joined, are base64 of the key: remove each form.
      const body = value.replace(/-----[^-]+-----/g, '');
      const lines = body
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length >= 16);
      for (const l of lines) forms.add(l);
      const joined = lines.join('');
      if (joined) {
        forms.add(joined);
        raw.push(joined);
      }
    }
    forms.add(Buffer.from(value, 'utf8').toString('base64'));
    for (const form of forms)
      if (form.length >= 4 && !this.known.some((k) => k.value === form)) this.known.push({ value: form, replacement });
    // Longest first, so a form that contains another is replaced whole.
    this.known.sort((a, b) => b.value.length - a.value.length);
    for (const r of raw) {
      const lower = r.toLowerCase();
      for (let i = 0; i + MIN_PARTIAL_ECHO <= lower.length; i++) {
        const w = lower.slice(i, i + MIN_PARTIAL_ECHO);
        if (/^[a-z0-9+/_-]+$/.test(w)) {
          this.windows.set(w, replacement);
          const h = windowHash(w);
          this.windowHashes.add(h);
          this.windowHashBits[h & 0xffff] = 1;
        }
      }
    }
  }

  /** Remembers a signature just computed, so that a bare echo of it is scrubbed too. */
  addSignature(signature: string): void {
    let end = signature.length;
    while (end > 0 && signature.charCodeAt(end - 1) === 61 /* = */) end--;
    if (end < MIN_PARTIAL_ECHO) return;
    const slot = this.signaturesSeen++ % MAX_SIGNATURES;
    if (this.signaturesSeen > MAX_SIGNATURES) this.signatureHashes.delete(this.signatureOrder[slot]!);
    const h = signatureHash(signature, 0, end);
    this.signatureOrder[slot] = h;
    this.signatureHashes.add(h);
    this.signatureLengths.add(end);
  }

  /** How many forms and windows it scans for (bounded: the same credential twice adds nothing). */
  get size(): number {
    return this.known.length + this.windows.size + this.signatureHashes.size;
  }

  clear(): void {
    this.known = [];
    this.registered.clear();
    this.windows.clear();
    this.windowHashes.clear();
    this.windowHashBits.fill(0);
    this.signatureHashes.clear();
    this.signaturesSeen = 0;
    this.signatureLengths.clear();
  }

  /**
   * The masked form the run of token characters text[start, end) stands for when it
   * echoes a credential (12 or more of its characters, in any case) or is a signature.
   */
  private runHit(text: string, start: number, end: number): string | undefined {
    if (this.signatureLengths.has(end - start) && this.signatureHashes.has(signatureHash(text, start, end)))
      return '[SIGNATURE REDACTED]';
    if (!this.windowHashes.size) return undefined;
    let h = 0;
    for (let i = start; i < end; i++) {
      if (i - start >= MIN_PARTIAL_ECHO)
        h = (h - Math.imul(lowerCode(text.charCodeAt(i - MIN_PARTIAL_ECHO)), HASH_OUT)) | 0;
      h = (Math.imul(h, HASH_BASE) + lowerCode(text.charCodeAt(i))) | 0;
      if (i - start >= MIN_PARTIAL_ECHO - 1 && this.windowHashBits[h & 0xffff] === 1 && this.windowHashes.has(h)) {
        const hit = this.windows.get(text.slice(i + 1 - MIN_PARTIAL_ECHO, i + 1).toLowerCase());
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /**
   * The first run of 12 or more token characters at or after `from` that echoes a
   * credential or is a signature, with what it stands for; undefined when there is none.
   */
  private nextEcho(text: string, from: number): [start: number, end: number, hit: string] | undefined {
    if (!this.windowHashes.size && !this.signatureHashes.size) return undefined;
    let start = -1;
    for (let i = from; i <= text.length; i++) {
      if (i < text.length && isTokenChar(text.charCodeAt(i))) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        const hit = i - start >= MIN_PARTIAL_ECHO ? this.runHit(text, start, i) : undefined;
        if (hit !== undefined) return [start, i, hit];
        start = -1;
      }
    }
    return undefined;
  }

  /**
   * A cheap test on serialized text: false means scrub() would change nothing, so
   * the caller can skip the deep copy (the common case: a plain Binance answer).
   */
  mayHold(text: string): boolean {
    if (/signature=/i.test(text) || text.includes('PRIVATE KEY-----') || CREDENTIAL_KEY_IN_JSON.test(text)) return true;
    for (const k of this.known) if (text.includes(k.value)) return true;
    return this.nextEcho(text, 0) !== undefined;
  }

  scrubText(text: string): string {
    let out = text.replace(SIGNATURE, '$1[REDACTED]').replace(PEM_BLOCK, '[PRIVATE KEY REDACTED]');
    for (const k of this.known) if (out.includes(k.value)) out = out.split(k.value).join(k.replacement);
    // Partial, case-changed and bare echoes: the whole run of key characters goes.
    let scrubbed = '';
    let from = 0;
    for (let echo = this.nextEcho(out, 0); echo; echo = this.nextEcho(out, from)) {
      scrubbed += out.slice(from, echo[0]) + echo[2];
      from = echo[1];
    }
    return from === 0 ? out : scrubbed + out.slice(from);
  }

  /** Deep copy with every string scrubbed and credential-named fields masked. */
  scrub<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.scrubText(value) as T;
    if (value === null || typeof value !== 'object' || depth > 20) return value;
    if (Array.isArray(value)) return value.map((v) => this.scrub(v, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && CREDENTIAL_FIELD.test(k) && !ALREADY_MASKED.test(v))
        out[k] = /api[-_ ]?key/i.test(k) ? maskApiKey(v) : maskSecret(v);
      else out[k] = this.scrub(v, depth + 1);
    }
    return out as T;
  }
}

/** One process-wide redactor: the accounts store feeds it, the envelope and the logger use it. */
export const redactor = new Redactor();
