/**
 * list_accounts, show_account, add_account: the accounts of TOOLS.md, with masked
 * credentials only. add_account is the one tool that takes credentials; it never
 * repeats them, nor the path of a credentials file.
 */
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import type { ToolRegistry } from './registry.js';
import { z } from 'zod';
import type { Account, AccountStore } from '../accounts/store.js';
import { KeyFileError, readCredentialsFile, readPemPrivateKey } from '../accounts/key-files.js';
import { ACCOUNT_NAME, CONTROL_CHARACTERS, type AccountIssue, type Limits } from '../accounts/toolsmd.js';
import { loadPrivateKey } from '../binance/signer.js';
import { ToolError, validationError } from '../errors.js';
import { maskApiKey, maskSecret, redactor } from '../safety/redact.js';
import { fail, ok } from './envelope.js';
import { accountParam } from './endpoint-tools.js';

export const limitsView = (l: Limits) =>
  Object.keys(l).length
    ? {
        ...(l.maxOrderValue !== undefined ? { maxOrderValueUsdt: l.maxOrderValue } : {}),
        ...(l.maxBorrowValue !== undefined ? { maxBorrowValueUsdt: l.maxBorrowValue } : {}),
        ...(l.maxDailyValue !== undefined ? { maxDailyValueUsdt: l.maxDailyValue } : {}),
        ...(l.maxTransferValue !== undefined ? { maxTransferValueUsdt: l.maxTransferValue } : {}),
        ...(l.allowedSymbols ? { allowedSymbols: l.allowedSymbols } : {}),
      }
    : 'none';

/** Account problems as sentences; a problem that blocks writes says so. */
export const problemLines = (problems: AccountIssue[]) =>
  problems.map(
    (p) =>
      `account "${p.account}": ` +
      `${p.field ? `${p.field} ` : ''}${p.message}` +
      `${p.blocksWrites ? ' (its writes are refused until TOOLS.md is fixed)' : ''}`,
  );

export const accountLabel = (a: Account) => `${a.name} (${a.environment})`;

/** A text field of add_account: bounded, and no control character can add a line to TOOLS.md. */
const text = (max: number, min = 1) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine(
      (v) => !CONTROL_CHARACTERS.test(v),
      'must not contain control characters (newline, carriage return, NUL, …)',
    );
/** API keys and secrets: printable ASCII without spaces. */
const credential = () =>
  z
    .string()
    .regex(/^[\x21-\x7e]{8,256}$/, 'must be 8 to 256 printable characters without spaces or control characters');

export function registerAccountTools(server: ToolRegistry, accounts: AccountStore, opts: { readOnly: boolean }): void {
  server.registerTool(
    'list_accounts',
    {
      title: 'List accounts',
      description: 'Accounts: name, environment (Mainnet = real money), description, limits.',
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () => {
      const list = accounts.list();
      return ok({
        accounts: list.map((a) => ({
          name: a.name,
          environment: a.environment,
          label: accountLabel(a),
          ...(a.description ? { description: a.description } : {}),
          limits: limitsView(a.limits),
        })),
        ...(accounts.sandboxOnly
          ? { note: 'No accounts file: the sandbox demo account (simulated exchange, no real money) is in use.' }
          : {}),
        ...(accounts.problems().length ? { problems: problemLines(accounts.problems()) } : {}),
      });
    },
  );

  server.registerTool(
    'show_account',
    {
      title: 'Show account',
      description: 'One account with masked credentials.',
      inputSchema: z.strictObject({ account: accountParam() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ account }) => {
      try {
        const a = accounts.resolve(account);
        let privateKey: string | undefined;
        if (a.signing !== 'HMAC') {
          try {
            privateKey = maskSecret(
              accounts
                .readPrivateKey(a)
                .replace(/-----[^-]+-----/g, '')
                .replace(/\s+/g, ''),
            );
          } catch {
            privateKey = 'unreadable (check Private Key File)';
          }
        }
        return ok({
          name: a.name,
          environment: a.environment,
          label: accountLabel(a),
          signing: a.signing,
          ...(a.description ? { description: a.description } : {}),
          apiKey: maskApiKey(a.apiKey),
          ...(a.secret ? { secret: maskSecret(a.secret) } : {}),
          ...(privateKey ? { privateKey } : {}),
          ...(a.passphrase ? { passphrase: '***' } : {}),
          limits: limitsView(a.limits),
        });
      } catch (err) {
        return fail(err);
      }
    },
  );

  // add_account writes TOOLS.md: not under --read-only, where nothing may change.
  if (opts.readOnly) return;
  server.registerTool(
    'add_account',
    {
      title: 'Add account',
      description:
        'Save an account the user gave you to TOOLS.md. Ask the user for name, environment, signing; then apiKey + ' +
        'secret (HMAC), privateKeyFile (RSA/Ed25519), or a credentialsFile (key line, secret line).',
      inputSchema: z.strictObject({
        name: z.string().regex(ACCOUNT_NAME, 'letters, digits, _ . - (max 64)').optional(),
        environment: z.enum(['Mainnet', 'Testnet', 'Sandbox']).optional(),
        signing: z.enum(['HMAC', 'RSA', 'Ed25519']).optional(),
        apiKey: credential().optional(),
        secret: credential().optional(),
        credentialsFile: text(4096).optional().describe('Path of a file: API key line, then secret line'),
        privateKeyFile: text(4096).optional().describe('PEM file for RSA/Ed25519'),
        passphrase: text(1024).optional().describe('Of an encrypted private key'),
        description: text(200, 0).optional(),
        replace: z.boolean().optional().describe('Overwrite an account of the same name'),
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      try {
        const missing = (['name', 'environment', 'signing'] as const).filter((k) => args[k] === undefined);
        if (missing.length)
          throw validationError(
            `add_account needs ${missing.join(', ')}; ask the user for ${missing.length > 1 ? 'them' : 'it'} ` +
              `(environment: Mainnet, Testnet or Sandbox; signing: HMAC, RSA or Ed25519).`,
          );
        let { apiKey, secret } = args;
        if (args.credentialsFile) {
          if (apiKey || secret) throw validationError('Give either credentialsFile or apiKey/secret, not both.');
          try {
            ({ apiKey, secret } = readCredentialsFile(args.credentialsFile));
          } catch (err) {
            // Neither the path nor a byte of the file is repeated.
            throw validationError(
              `credentialsFile ${err instanceof KeyFileError ? err.message : 'could not be read'}; nothing was saved.`,
              'Ask the user to check the file they shared.',
            );
          }
          redactor.add(apiKey, 'apiKey');
          redactor.add(secret, 'secret');
        }
        if (args.privateKeyFile) {
          // Read as the server will read it (relative to TOOLS.md), and refused unless it is a usable key.
          const full = isAbsolute(args.privateKeyFile)
            ? args.privateKeyFile
            : resolvePath(dirname(accounts.path), args.privateKeyFile);
          try {
            loadPrivateKey(readPemPrivateKey(full), args.passphrase);
          } catch (err) {
            throw validationError(
              `privateKeyFile ${
                err instanceof KeyFileError ? err.message : 'is not a readable private key (or the passphrase is wrong)'
              }; nothing was saved.`,
              'Ask the user for the path of their PEM private key file.',
            );
          }
        }
        if (!apiKey) throw validationError('add_account needs the API key (apiKey or credentialsFile).');
        if (args.signing === 'HMAC' && !secret)
          throw validationError('An HMAC account needs its secret (secret or the second line of credentialsFile).');
        if (args.signing !== 'HMAC' && !args.privateKeyFile)
          throw validationError(`A ${args.signing} account needs privateKeyFile (a PEM private key).`);
        const { replaced } = await accounts.add(
          {
            name: args.name!,
            environment: args.environment!,
            signing: args.signing!,
            apiKey,
            secret: args.signing === 'HMAC' ? secret : undefined,
            privateKeyFile: args.privateKeyFile,
            passphrase: args.passphrase,
            description: args.description,
          },
          args.replace ?? false,
        );
        return ok({
          added: args.name,
          replaced,
          environment: args.environment,
          signing: args.signing,
          apiKey: maskApiKey(apiKey),
          ...(secret && args.signing === 'HMAC' ? { secret: maskSecret(secret) } : {}),
          note: 'Saved to the accounts file (mode 0600). It is in use now; no restart needed.',
        });
      } catch (err) {
        return fail(
          err instanceof ToolError
            ? err
            : new ToolError(
                'config',
                `The account could not be saved to the accounts file ` +
                  `(${(err as NodeJS.ErrnoException).code ?? 'write error'}).`,
              ),
        );
      }
    },
  );
}
