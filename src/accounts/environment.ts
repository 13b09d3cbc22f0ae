/**
 * One account from environment variables (interface.md §1), for clients that pass a
 * stdio server its credentials in its environment (MCP 2026-07-28, desktop bundles):
 * BINANCE_API_KEY with BINANCE_API_SECRET (HMAC) or BINANCE_PRIVATE_KEY_FILE (RSA or
 * Ed25519, told apart by the key itself), BINANCE_ENVIRONMENT, and the limits
 * BINANCE_MAX_ORDER_VALUE, BINANCE_MAX_BORROW_VALUE, BINANCE_MAX_DAILY_VALUE,
 * BINANCE_MAX_TRANSFER_VALUE, BINANCE_ALLOWED_SYMBOLS. It is the account `main`, used
 * when there is no TOOLS.md.
 *
 * A pure function of the variables it is given (a copy of process.env, so tests
 * inject theirs) and of the key file it reads. An issue names the variable, never its
 * value. A limit that does not parse is never silently dropped: as for a TOOLS.md
 * line, it is a policy problem of the account, which can read and whose writes the
 * rails refuse, naming the variable.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadPrivateKey, type SigningScheme } from '../binance/signer.js';
import { KeyFileError, readPemPrivateKey } from './key-files.js';
import { parseLimits, type AccountEntry, type AccountIssue, type Environment } from './toolsmd.js';

/** The variables read here, in the order the usage text gives them. */
export const ACCOUNT_ENV_VARS = [
  'BINANCE_API_KEY',
  'BINANCE_API_SECRET',
  'BINANCE_PRIVATE_KEY_FILE',
  'BINANCE_PRIVATE_KEY_PASSPHRASE',
  'BINANCE_ENVIRONMENT',
  'BINANCE_MAX_ORDER_VALUE',
  'BINANCE_MAX_BORROW_VALUE',
  'BINANCE_MAX_DAILY_VALUE',
  'BINANCE_MAX_TRANSFER_VALUE',
  'BINANCE_ALLOWED_SYMBOLS',
] as const;

export type AccountEnv = Partial<Record<(typeof ACCOUNT_ENV_VARS)[number], string>>;

export const ENV_ACCOUNT_NAME = 'main';

export interface AccountFromEnvOptions {
  /** Where a relative BINANCE_PRIVATE_KEY_FILE starts. */
  cwd: string;
  /** Reads the key file (tests may replace it); default: a regular PEM file of at most 64 KiB, as for TOOLS.md. */
  readFile?: (path: string) => string;
}

const ENVIRONMENTS: Record<string, Environment> = { mainnet: 'Mainnet', testnet: 'Testnet', sandbox: 'Sandbox' };

/**
 * The account the environment defines, and what is wrong with it. No account and no
 * issue when none of the credential variables is set. Empty values count as unset
 * (a desktop bundle passes an optional field the user left empty as "").
 */
export function accountFromEnv(
  env: AccountEnv,
  opts: AccountFromEnvOptions,
): { account?: AccountEntry; issues: AccountIssue[] } {
  const get = (name: keyof AccountEnv) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const apiKey = get('BINANCE_API_KEY');
  const secret = get('BINANCE_API_SECRET');
  const keyFile = get('BINANCE_PRIVATE_KEY_FILE');
  const passphrase = get('BINANCE_PRIVATE_KEY_PASSPHRASE');
  if (!apiKey && !secret && !keyFile) return { issues: [] };

  const issues: AccountIssue[] = [];
  const issue = (field: string, message: string) => issues.push({ account: ENV_ACCOUNT_NAME, field, message });

  if (!apiKey)
    issue('BINANCE_API_KEY', 'is missing (BINANCE_API_SECRET or BINANCE_PRIVATE_KEY_FILE is set without it)');
  else if (/\s/.test(apiKey) || apiKey.length < 8)
    issue('BINANCE_API_KEY', 'is malformed (expected one word of at least 8 characters)');

  const envText = get('BINANCE_ENVIRONMENT');
  const environment = envText === undefined ? 'Mainnet' : ENVIRONMENTS[envText.toLowerCase()];
  if (!environment) issue('BINANCE_ENVIRONMENT', 'must be Mainnet, Testnet or Sandbox');

  let signing: SigningScheme | undefined;
  let privateKeyFile: string | undefined;
  if (secret && keyFile)
    issue(
      'BINANCE_PRIVATE_KEY_FILE',
      'is set together with BINANCE_API_SECRET: set the secret for an HMAC key, or the key file for an RSA or ' +
        'Ed25519 key, not both',
    );
  else if (secret) {
    if (/\s/.test(secret)) issue('BINANCE_API_SECRET', 'is malformed (expected one word)');
    else signing = 'HMAC';
  } else if (keyFile) {
    privateKeyFile = isAbsolute(keyFile) ? keyFile : resolve(opts.cwd, keyFile);
    let pem: string | undefined;
    try {
      pem = (opts.readFile ?? readPemPrivateKey)(privateKeyFile);
    } catch (err) {
      issue('BINANCE_PRIVATE_KEY_FILE', err instanceof KeyFileError ? err.message : 'could not be read');
    }
    if (pem !== undefined) {
      let type: string | undefined;
      try {
        type = loadPrivateKey(pem, passphrase).asymmetricKeyType;
      } catch {
        issue(
          'BINANCE_PRIVATE_KEY_FILE',
          `is not a readable PEM private key${
            passphrase
              ? ' (or BINANCE_PRIVATE_KEY_PASSPHRASE is wrong)'
              : ' (if it is encrypted, set BINANCE_PRIVATE_KEY_PASSPHRASE)'
          }`,
        );
      }
      if (type === 'rsa') signing = 'RSA';
      else if (type === 'ed25519') signing = 'Ed25519';
      else if (type !== undefined) issue('BINANCE_PRIVATE_KEY_FILE', 'holds neither an RSA nor an Ed25519 key');
    }
  } else
    issue(
      'BINANCE_API_SECRET',
      'is missing (set BINANCE_API_SECRET for an HMAC key, or BINANCE_PRIVATE_KEY_FILE for an RSA or Ed25519 key)',
    );

  // A credential that is missing or malformed leaves no account.
  const credentialIssues = issues.length > 0;
  const policyProblems: AccountIssue[] = [];
  const problem = (field: string, message: string) =>
    policyProblems.push({ account: ENV_ACCOUNT_NAME, field, message, blocksWrites: true });
  const ENV_NAMES = {
    'max order value': 'BINANCE_MAX_ORDER_VALUE',
    'max borrow value': 'BINANCE_MAX_BORROW_VALUE',
    'max daily value': 'BINANCE_MAX_DAILY_VALUE',
    'max transfer value': 'BINANCE_MAX_TRANSFER_VALUE',
    'allowed symbols': 'BINANCE_ALLOWED_SYMBOLS',
  } as const;
  // Read as TOOLS.md reads its limit lines; a problem names the variable.
  const { limits, problems } = parseLimits(
    (key) => get(ENV_NAMES[key]),
    (key) => ENV_NAMES[key],
  );
  for (const p of problems) problem(p.field, p.message);
  issues.push(...policyProblems);

  if (!apiKey || !environment || !signing || credentialIssues) return { issues };
  return {
    account: {
      name: ENV_ACCOUNT_NAME,
      environment,
      signing,
      apiKey,
      secret: signing === 'HMAC' ? secret : undefined,
      privateKeyFile,
      passphrase: signing === 'HMAC' ? undefined : passphrase,
      description: 'From the environment (BINANCE_API_KEY)',
      limits,
      extra: {},
      ...(policyProblems.length ? { policyProblems } : {}),
    },
    issues,
  };
}
