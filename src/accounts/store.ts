/**
 * The accounts a server holds: read from TOOLS.md at start and again whenever the
 * file changes on disk (checked on each use, so no watcher can miss an edit), or the
 * sandbox's demo account when there is no file. Resolves a tool call's `account`,
 * builds each account's signer, and writes new accounts atomically.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeSync,
  mkdirSync,
  chmodSync,
  existsSync,
} from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath, basename } from 'node:path';
import { configError, ToolError } from '../errors.js';
import { ed25519Signer, hmacSigner, loadPrivateKey, rsaSigner, type Signer } from '../binance/signer.js';
import { withFileLock } from '../safety/file-lock.js';
import { redactor } from '../safety/redact.js';
import { KeyFileError, readPemPrivateKey } from './key-files.js';
import { parseToolsMd, withAccount, type AccountEntry, type AccountIssue, type NewAccount } from './toolsmd.js';
import { ChangeWatch } from './change-watch.js';
import { accountFromEnv, type AccountEnv } from './environment.js';

export type Account = AccountEntry & { /** True for the built-in sandbox demo account. */ demo?: boolean };

export interface StoreOptions {
  /** Path of TOOLS.md (may not exist yet). */
  path: string;
  /** `--sandbox`: only the demo account, whatever the file says. */
  forceSandbox: boolean;
  /**
   * BINANCE_API_KEY & co. (a copy of the environment; key file path absolute): the account `main` when there is no
   * file.
   */
  env?: AccountEnv;
  /** How the store learns that TOOLS.md changed (tests pass their own); by default a watch of its folder. */
  watch?: ChangeWatch;
}

interface FileStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

export class AccountStore {
  private accounts: Account[] = [];
  private issues: AccountIssue[] = [];
  private stamp: FileStamp | null | undefined;
  private readonly watch: ChangeWatch;
  private readonly signers = new Map<string, { fingerprint: string; signer: Signer }>();
  readonly demo: Account;
  /** The account the environment defines, and its issues (none when no variable is set). */
  private readonly fromEnv: ReturnType<typeof accountFromEnv>;

  constructor(private readonly opts: StoreOptions) {
    const apiKey = `sandbox${randomBytes(24).toString('hex')}`;
    const secret = randomBytes(32).toString('hex');
    this.demo = {
      name: 'main',
      environment: 'Sandbox',
      signing: 'HMAC',
      apiKey,
      secret,
      description: 'Sandbox demo account (simulated exchange, no real money)',
      limits: {},
      extra: {},
      demo: true,
    };
    redactor.add(apiKey, 'apiKey');
    redactor.add(secret, 'secret');
    this.fromEnv = accountFromEnv(opts.env ?? {}, { cwd: process.cwd() });
    redactor.add(opts.env?.BINANCE_API_KEY?.trim(), 'apiKey');
    redactor.add(opts.env?.BINANCE_API_SECRET?.trim(), 'secret');
    redactor.add(opts.env?.BINANCE_PRIVATE_KEY_PASSPHRASE?.trim(), 'passphrase');
    this.watch = opts.watch ?? new ChangeWatch(opts.path);
    this.refresh();
  }

  /** Ends the watch of TOOLS.md's folder. */
  close(): void {
    this.watch.close();
  }

  get path(): string {
    return this.opts.path;
  }

  /**
   * True when the server runs on the sandbox's demo account (no accounts file nor environment account, or --sandbox).
   */
  get sandboxOnly(): boolean {
    this.refresh();
    return this.opts.forceSandbox || (this.stamp === null && !this.usesEnv);
  }

  /** True when the environment's account (or its issues) stand in for the missing file. */
  private get usesEnv(): boolean {
    return !!this.fromEnv.account || this.fromEnv.issues.length > 0;
  }

  /**
   * Re-reads the file when it changed since the last read: when the watch reports a
   * change (or cannot watch), when the last look is a second old, and for `fresh`
   * (every write), a stat tells.
   */
  refresh(fresh = false): void {
    if (this.opts.forceSandbox) {
      this.accounts = [this.demo];
      this.stamp = null;
      return;
    }
    if (!fresh && this.stamp !== undefined && !this.watch.due()) return;
    const reported = this.watch.look();
    let stamp: FileStamp | null;
    try {
      const st = statSync(this.opts.path);
      stamp = { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino };
    } catch {
      stamp = null;
    }
    // A reported change is read even at the same size and time (an edit within the clock's tick).
    if (this.stamp !== undefined && !reported && sameStamp(stamp, this.stamp)) return;
    this.stamp = stamp;
    if (!stamp) {
      // No file: the environment's account when BINANCE_API_KEY & co. are set (a limit
      // that does not parse stays with it as a policy problem), else the sandbox.
      const env = this.fromEnv;
      this.accounts = !this.usesEnv ? [this.demo] : env.account ? [env.account] : [];
      this.issues = [...env.issues];
      return;
    }
    let text: string;
    try {
      text = readFileSync(this.opts.path, 'utf8');
    } catch {
      this.accounts = [];
      this.issues = [{ account: '*', message: 'the accounts file could not be read' }];
      return;
    }
    const parsed = parseToolsMd(text);
    for (const a of parsed.accounts) {
      redactor.add(a.apiKey, 'apiKey');
      redactor.add(a.secret, 'secret');
      redactor.add(a.passphrase, 'passphrase');
    }
    this.accounts = parsed.accounts;
    this.issues = parsed.issues;
  }

  list(): Account[] {
    this.refresh();
    return [...this.accounts];
  }

  problems(): AccountIssue[] {
    this.refresh();
    return [...this.issues];
  }

  /**
   * The account a call names, or the default: `main`, else the only account. `fresh`:
   * TOOLS.md as it is on disk now, whatever the watch reported (writes ask for it).
   */
  resolve(name: string | undefined, { fresh = false } = {}): Account {
    this.refresh(fresh);
    const accounts = this.accounts;
    // Only an error names the choices: not built for every call.
    const choices = () => accounts.map((a) => `${a.name} (${a.environment})`).join(', ');
    if (name !== undefined) {
      const found = accounts.find((a) => a.name === name);
      if (found) return found;
      const broken = this.issues.filter((i) => i.account === name);
      if (broken.length)
        throw configError(
          `Account "${name}" is malformed in the accounts file: ` +
            `${broken.map((i) => (i.field ? `${i.field} ${i.message}` : i.message)).join('; ')}.`,
          'Fix that account in TOOLS.md; the change is picked up without a restart.',
        );
      throw configError(
        `There is no account named "${name}". Accounts: ${choices() || 'none'}.`,
        'Ask the user which account to use.',
      );
    }
    const main = accounts.find((a) => a.name === 'main');
    if (main) return main;
    if (accounts.length === 1) return accounts[0];
    if (accounts.length === 0)
      throw configError(
        this.issues.length ? `No usable account: ${describeIssues(this.issues)}.` : 'No account is configured.',
        'Add one with add_account, or fix TOOLS.md.',
      );
    throw configError(
      `Several accounts and none is named "main": choose one with the account parameter. Accounts: ${choices()}.`,
      'Ask the user which account to use.',
    );
  }

  /** The signer of an account, built once per key material. */
  signerFor(account: Account): Signer {
    const fingerprint =
      `${account.signing}|${account.secret ?? ''}|${account.privateKeyFile ?? ''}` + `|${account.passphrase ?? ''}`;
    const cached = this.signers.get(account.name);
    if (cached && cached.fingerprint === fingerprint) return cached.signer;
    let signer: Signer;
    if (account.signing === 'HMAC') signer = hmacSigner(account.secret!);
    else {
      const pem = this.readPrivateKey(account);
      let key: ReturnType<typeof loadPrivateKey>;
      try {
        key = loadPrivateKey(pem, account.passphrase);
      } catch {
        throw configError(
          `Account "${account.name}": the Private Key File is not a readable PEM private key${
            account.passphrase
              ? ' (or the Private Key Passphrase is wrong)'
              : ' (if it is encrypted, add Private Key Passphrase)'
          }.`,
        );
      }
      try {
        signer = account.signing === 'RSA' ? rsaSigner(key) : ed25519Signer(key);
      } catch {
        throw configError(
          `Account "${account.name}": the Private Key File does not hold an ${account.signing} key (field Signing ` +
            `says ${account.signing}).`,
        );
      }
    }
    // Each signature is remembered by the redactor, so that an echo of it is scrubbed even without "signature=".
    const inner = signer;
    signer = { scheme: inner.scheme, sign: (payload) => remembered(inner.sign(payload)) };
    this.signers.set(account.name, { fingerprint, signer });
    return signer;
  }

  /**
   * The PEM of an RSA/Ed25519 account, read relative to TOOLS.md: a regular file of at
   * most 64 KiB holding a PEM private key. Its path and content never appear in an error.
   */
  readPrivateKey(account: Account): string {
    const file = account.privateKeyFile!;
    const full = isAbsolute(file) ? file : resolvePath(dirname(this.opts.path), file);
    let pem: string;
    try {
      pem = readPemPrivateKey(full);
    } catch (err) {
      const why = err instanceof KeyFileError ? err.message : 'could not be read';
      throw configError(
        `Account "${account.name}": the Private Key File ${why}.`,
        'Check the Private Key File field in TOOLS.md (relative paths start at the folder of TOOLS.md).',
      );
    }
    redactor.add(pem, 'privateKey');
    return pem;
  }

  /**
   * Adds (or replaces) an account in TOOLS.md: atomic write (temp file, fsync, rename),
   * mode 0600, everything outside the accounts section kept byte for byte. Calls are
   * serialised, and each re-reads the file, so concurrent adds all survive.
   */
  add(account: NewAccount, replace: boolean): Promise<{ replaced: boolean }> {
    return withFileLock(
      `${this.opts.path}.lock`,
      () => {
        // A symlinked TOOLS.md stays a symlink: the new text goes to the file it points to.
        const target = existsSync(this.opts.path) ? realpathSync(this.opts.path) : this.opts.path;
        let text = '';
        if (existsSync(target)) text = readFileSync(target, 'utf8');
        let out: ReturnType<typeof withAccount>;
        try {
          out = withAccount(text, account, replace);
        } catch (err) {
          if ((err as Error).message !== 'exists')
            throw new ToolError('validation', `add_account refused: ${(err as Error).message}.`);
          throw new ToolError('validation', `An account named "${account.name}" already exists.`, {
            hint: 'Pass replace: true to overwrite it, or choose another name.',
          });
        }
        atomicWrite(target, out.text);
        redactor.add(account.apiKey, 'apiKey');
        redactor.add(account.secret, 'secret');
        redactor.add(account.passphrase, 'passphrase');
        this.stamp = undefined; // force a re-read
        this.refresh();
        return { replaced: out.replaced };
      },
      { waitMs: 5_000, staleMs: 30_000, what: 'Saving the account' },
    );
  }
}

/**
 * A digest of what an account signs with. A pending action remembers it, so that an
 * action confirmed after the account's key was replaced is refused, not sent with
 * credentials the user never saw it bound to.
 */
export function credentialFingerprint(a: AccountEntry): string {
  return createHash('sha256')
    .update(
      JSON.stringify([a.environment, a.signing, a.apiKey, a.secret ?? '', a.privateKeyFile ?? '', a.passphrase ?? '']),
    )
    .digest('base64url');
}

function remembered(signature: string): string {
  redactor.addSignature(signature);
  return signature;
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  if (a === null || b === null) return a === b;
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

function describeIssues(issues: AccountIssue[]): string {
  return issues.map((i) => `account "${i.account}": ${i.field ? `${i.field} ${i.message}` : i.message}`).join('; ');
}

export function atomicWrite(path: string, text: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = resolvePath(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    /* directories cannot be fsynced on every platform */
  }
}
