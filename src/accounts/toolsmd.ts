/**
 * TOOLS.md, the accounts file of docs/contract.md §2: parsing the `## Binance Accounts`
 * section and writing an account into it without touching a byte outside it.
 * Pure functions over text; the store does the file I/O.
 */
import type { SigningScheme } from '../binance/signer.js';
import { CONTROL_CHARACTERS } from '../text.js';

export type Environment = 'Mainnet' | 'Testnet' | 'Sandbox';

export interface Limits {
  maxOrderValue?: number;
  maxBorrowValue?: number;
  maxDailyValue?: number;
  maxTransferValue?: number;
  allowedSymbols?: string[];
}

export interface AccountEntry {
  name: string;
  environment: Environment;
  signing: SigningScheme;
  apiKey: string;
  secret?: string;
  /** As written in the file (relative to TOOLS.md); never shown. */
  privateKeyFile?: string;
  passphrase?: string;
  description?: string;
  limits: Limits;
  /** Fields we do not know, kept as written. */
  extra: Record<string, string>;
  /**
   * Lines of the block that may be policy the user meant to set but that do not parse
   * (an unknown or misspelled field, a limit that is not a number): the account can
   * read, and its writes are refused until the file is fixed.
   */
  policyProblems?: AccountIssue[];
}

export interface AccountIssue {
  account: string;
  field?: string;
  message: string;
  /** The account is usable for reads; its writes are refused until the line is fixed. */
  blocksWrites?: boolean;
}

export interface ParsedAccounts {
  accounts: AccountEntry[];
  issues: AccountIssue[];
  hasSection: boolean;
}

const SECTION = /^##[ \t]+Binance Accounts[ \t]*$/i;
const NEXT_SECTION = /^##?[ \t]+\S/; // a "# " or "## " heading ends the section ("###" does not)
const ACCOUNT = /^###[ \t]+(.+?)[ \t]*$/;
const FIELD = /^[ \t]*[-*][ \t]*([^:]+?)[ \t]*:[ \t]*(.*?)[ \t]*$/;
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const ENVIRONMENTS: Record<string, Environment> = { mainnet: 'Mainnet', testnet: 'Testnet', sandbox: 'Sandbox' };
const SCHEMES: Record<string, SigningScheme> = { hmac: 'HMAC', 'hmac-sha256': 'HMAC', rsa: 'RSA', ed25519: 'Ed25519' };

/** The canonical spelling of each known field, by its lower-cased, space-collapsed form. */
export const FIELDS = {
  'api key': 'API Key',
  secret: 'Secret',
  environment: 'Environment',
  signing: 'Signing',
  'private key file': 'Private Key File',
  'private key passphrase': 'Private Key Passphrase',
  description: 'Description',
  'max order value': 'Max Order Value',
  'max borrow value': 'Max Borrow Value',
  'max daily value': 'Max Daily Value',
  'max transfer value': 'Max Transfer Value',
  'allowed symbols': 'Allowed Symbols',
} as const;

/** The fields add_account writes; every other line of a block is the user's and is kept. */
const OWNED_BY_ADD_ACCOUNT = new Set([
  'api key',
  'secret',
  'environment',
  'signing',
  'private key file',
  'private key passphrase',
  'description',
]);

export { CONTROL_CHARACTERS } from '../text.js';

const normaliseField = (name: string) => name.toLowerCase().replace(/\s+/g, ' ').trim();
const unquote = (v: string) => v.replace(/^(`|"|')(.*)\1$/, '$2').trim();

interface SectionBounds {
  /** Line index of the `## Binance Accounts` heading, or -1. */
  start: number;
  /** Line index after the section's last line. */
  end: number;
}

function findSection(lines: string[]): SectionBounds {
  const start = lines.findIndex((l) => SECTION.test(l));
  if (start < 0) return { start: -1, end: -1 };
  let end = start + 1;
  while (end < lines.length && !(NEXT_SECTION.test(lines[end]) && !lines[end].startsWith('###'))) end++;
  return { start, end };
}

export function parseToolsMd(text: string): ParsedAccounts {
  const lines = text.split(/\r?\n/);
  const { start, end } = findSection(lines);
  const result: ParsedAccounts = { accounts: [], issues: [], hasSection: start >= 0 };
  if (start < 0) return result;

  const blocks: { name: string; fields: [string, string][] }[] = [];
  for (let i = start + 1; i < end; i++) {
    const heading = ACCOUNT.exec(lines[i]);
    if (heading) {
      blocks.push({ name: heading[1], fields: [] });
      continue;
    }
    const field = FIELD.exec(lines[i]);
    if (field && blocks.length) blocks[blocks.length - 1].fields.push([field[1], unquote(field[2])]);
  }

  const seen = new Set<string>();
  for (const block of blocks) {
    const issues: AccountIssue[] = [];
    const issue = (field: string | undefined, message: string) => issues.push({ account: block.name, field, message });
    if (!ACCOUNT_NAME.test(block.name))
      issue(undefined, 'the account name may hold only letters, digits, "_", "." and "-" (at most 64)');
    if (seen.has(block.name)) issue(undefined, 'the account name is used twice; the first one is used');
    const values = new Map<string, string>();
    const extra: Record<string, string> = {};
    const policyProblems: AccountIssue[] = [];
    for (const [rawName, value] of block.fields) {
      const key = normaliseField(rawName);
      if (key in FIELDS) {
        if (values.has(key))
          policyProblems.push({
            account: block.name,
            field: FIELDS[key as keyof typeof FIELDS],
            message: 'is given twice',
            blocksWrites: true,
          });
        values.set(key, value);
      } else {
        extra[rawName.trim()] = value;
        policyProblems.push({
          account: block.name,
          field: rawName.trim().slice(0, 40),
          message: 'is not a field this server knows (misspelled?)',
          blocksWrites: true,
        });
      }
    }
    const env = values.get('environment');
    const environment = env === undefined || env === '' ? 'Mainnet' : ENVIRONMENTS[env.toLowerCase()];
    if (!environment) issue('Environment', 'must be Mainnet, Testnet or Sandbox');
    const sig = values.get('signing');
    const signing = sig === undefined || sig === '' ? 'HMAC' : SCHEMES[sig.toLowerCase()];
    if (!signing) issue('Signing', 'must be HMAC, RSA or Ed25519');
    const apiKey = values.get('api key') ?? '';
    if (!apiKey) issue('API Key', 'is missing');
    else if (/\s/.test(apiKey) || apiKey.length < 8)
      issue('API Key', 'is malformed (expected one word of at least 8 characters)');
    const secret = values.get('secret') || undefined;
    const privateKeyFile = values.get('private key file') || undefined;
    if (signing === 'HMAC' && !secret) issue('Secret', 'is missing (HMAC accounts need a secret)');
    if ((signing === 'RSA' || signing === 'Ed25519') && !privateKeyFile)
      issue('Private Key File', `is missing (${signing} accounts need a PEM private key file)`);

    // A limit that does not parse blocks the account's writes: it is never silently "none".
    const { limits, problems } = parseLimits(
      (key) => values.get(key),
      (key) => FIELDS[key],
    );
    for (const p of problems) policyProblems.push({ account: block.name, ...p, blocksWrites: true });

    if (issues.length) {
      result.issues.push(...issues);
      if (!seen.has(block.name)) seen.add(block.name);
      continue;
    }
    seen.add(block.name);
    result.accounts.push({
      name: block.name,
      environment: environment!,
      signing: signing!,
      apiKey,
      secret,
      privateKeyFile,
      passphrase: values.get('private key passphrase') || undefined,
      description: values.get('description') || undefined,
      limits,
      extra,
      ...(policyProblems.length ? { policyProblems } : {}),
    });
    result.issues.push(...policyProblems);
  }
  return result;
}

/** What add_account writes: the lines it owns. */
export type NewAccount = Pick<
  AccountEntry,
  'name' | 'environment' | 'signing' | 'apiKey' | 'secret' | 'privateKeyFile' | 'passphrase' | 'description'
>;

export type LimitKey =
  | 'max order value'
  | 'max borrow value'
  | 'max daily value'
  | 'max transfer value'
  | 'allowed symbols';

/**
 * The limits of one account, from wherever they are written (TOOLS.md lines, or the
 * BINANCE_MAX_* variables): `get` reads a limit's raw text, `label` names it in a
 * problem. "1,000", "2000 USDT" and "BTCUSDT, ETHUSDT" parse; anything else is a
 * problem, never a silent "no limit".
 */
export function parseLimits(
  get: (key: LimitKey) => string | undefined,
  label: (key: LimitKey) => string,
): { limits: Limits; problems: { field: string; message: string }[] } {
  const limits: Limits = {};
  const problems: { field: string; message: string }[] = [];
  for (const [key, prop] of [
    ['max order value', 'maxOrderValue'],
    ['max borrow value', 'maxBorrowValue'],
    ['max daily value', 'maxDailyValue'],
    ['max transfer value', 'maxTransferValue'],
  ] as const) {
    const v = get(key);
    if (v === undefined) continue;
    const text = v.replace(/\s*usdt$/i, '');
    const n = /^[\d,_ ]*\.?\d+$/.test(text) ? Number(text.replace(/[,_ ]/g, '')) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0)
      problems.push({ field: label(key), message: 'is not a positive number of USDT' });
    else limits[prop] = n;
  }
  const allowed = get('allowed symbols');
  if (allowed !== undefined) {
    const symbols = allowed
      .split(/[,\s]+/)
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
    if (!symbols.length || symbols.some((s) => !/^[A-Z0-9]{2,20}$/.test(s)))
      problems.push({
        field: label('allowed symbols'),
        message: 'is not a list of pairs like BTCUSDT, separated by commas',
      });
    else limits.allowedSymbols = symbols;
  }
  return { limits, problems };
}

function accountBlock(a: NewAccount): string[] {
  for (const [field, value] of Object.entries(a))
    if (typeof value === 'string' && CONTROL_CHARACTERS.test(value)) throw new Error(`control character in ${field}`);
  const lines = [`### ${a.name}`, `- API Key: ${a.apiKey}`];
  if (a.secret) lines.push(`- Secret: ${a.secret}`);
  lines.push(`- Environment: ${a.environment}`, `- Signing: ${a.signing}`);
  if (a.privateKeyFile) lines.push(`- Private Key File: ${a.privateKeyFile}`);
  if (a.passphrase) lines.push(`- Private Key Passphrase: ${a.passphrase}`);
  if (a.description) lines.push(`- Description: ${a.description}`);
  return lines;
}

/**
 * Returns the file text with the account added (or replaced), leaving every byte
 * outside the `## Binance Accounts` section as it was. Creates the section when missing.
 * Throws Error('exists') when the name is taken and `replace` is false.
 */
export function withAccount(text: string, account: NewAccount, replace: boolean): { text: string; replaced: boolean } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = accountBlock(account);
  const lines = text.split(/\r?\n/);
  const { start, end } = findSection(lines);
  if (start < 0) {
    const sep = text === '' ? '' : text.endsWith('\n') ? eol : eol + eol;
    return { text: text + sep + ['## Binance Accounts', '', ...block, ''].join(eol), replaced: false };
  }
  // Character offsets of the section, so that only its bytes are rewritten.
  const offsets: number[] = [];
  for (let i = 0, pos = 0; i < lines.length; i++) {
    offsets.push(pos);
    pos += lines[i].length;
    if (text.startsWith('\r\n', pos)) pos += 2;
    else if (text[pos] === '\n') pos += 1;
  }
  const from = offsets[start];
  const to = end < lines.length ? offsets[end] : text.length;
  const section = lines.slice(start, end);
  const followed = end < lines.length;
  // Trailing blank lines of the section are layout; set them aside and restore one.
  while (section.length > 1 && section[section.length - 1].trim() === '') section.pop();

  let replaced = false;
  const at = section.findIndex((l) => ACCOUNT.exec(l)?.[1] === account.name);
  if (at >= 0) {
    if (!replace) throw new Error('exists');
    let stop = at + 1;
    while (stop < section.length && !ACCOUNT.test(section[stop])) stop++;
    let blockEnd = stop;
    while (blockEnd > at + 1 && section[blockEnd - 1].trim() === '') blockEnd--;
    // Replace only the lines add_account owns; every other line (limits, Allowed
    // Symbols, fields we do not know, notes) stays, byte for byte, after them.
    const kept = section.slice(at + 1, blockEnd).filter((line) => {
      const field = FIELD.exec(line);
      return !(field && OWNED_BY_ADD_ACCOUNT.has(normaliseField(field[1])));
    });
    section.splice(at, blockEnd - at, ...block, ...kept);
    replaced = true;
  } else {
    section.push('', ...block);
  }
  const rebuilt = section.join(eol) + eol + (followed ? eol : '');
  const originalEndsWithNewline = to === text.length ? /\n$/.test(text) : true;
  const body = followed || originalEndsWithNewline ? rebuilt : rebuilt.slice(0, -eol.length);
  return { text: text.slice(0, from) + body + text.slice(to), replaced };
}
