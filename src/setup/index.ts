/**
 * `binance-margin-mcp setup --client NAME …`: adds this server to an MCP client's
 * configuration, or updates its entry there. It runs instead of the server (bin.ts
 * dispatches here before anything starts), so it may print on stdout.
 *
 * What it writes is the command, its arguments and the server's flags: never a key or
 * a secret. It keeps a `.bak` of the file it changes, leaves every other byte of it
 * as it was, changes nothing when run again, and refuses (changing nothing) a file
 * that is not valid JSON.
 */
import { existsSync, readFileSync, realpathSync, mkdirSync, statSync } from 'node:fs';
import { CONTROL_CHARACTERS } from '../text.js';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseConfig, UsageError } from '../config.js';
import { CLIENT_INFO, CLIENTS, configPath, isClient, type ClientInfo } from './clients.js';
import { atomicWriteKeepingMode } from './files.js';
import { ConfigFileError, setServerEntry } from './jsonedit.js';

export const PACKAGE = 'binance-margin-mcp';
export const DEFAULT_NAME = 'binance-margin';

export const SETUP_USAGE = `Usage: binance-margin-mcp setup --client CLIENT [options]

Adds this server to an MCP client's configuration (or updates its entry), keeping a
.bak of the file it changes and every other entry as it was. Writes no key or secret.

  --client CLIENT     ${CLIENTS.join(' | ')}
                      (claude-code: prints the \`claude mcp add\` command instead,
                      or with --config edits that file, e.g. a project's .mcp.json)
  --tools-md PATH     the accounts file the server is to use (made absolute)
  --read-only         the server lists and allows no state-changing tool
  --toolsets LIST     comma-separated toolsets to expose
  --name NAME         the entry's name (default ${DEFAULT_NAME})
  --config FILE       edit FILE instead of the client's user configuration
                      (e.g. .vscode/mcp.json or .cursor/mcp.json of a project)
  --dry-run           print what would change, change nothing
  --help`;

export interface SetupIO {
  out: (line: string) => void;
  err: (line: string) => void;
  platform: NodeJS.Platform;
  cwd: string;
  /** The script that runs the server (the bundle), default the one node is running. */
  script: string;
  /** The node executable. */
  node: string;
}

const CONTROL = CONTROL_CHARACTERS;

/**
 * How the client is to start the server: the npm package through npx, or this
 * checkout's bundle with this node. On Windows npx is a .cmd script, which a client
 * that spawns without a shell cannot start: cmd /c runs it.
 */
export function launcher(
  script: string,
  node: string,
  platform: NodeJS.Platform = process.platform,
): { command: string; args: string[] } {
  if (/[\\/]node_modules[\\/]/.test(script))
    return platform === 'win32'
      ? { command: 'cmd', args: ['/c', 'npx', '-y', PACKAGE] }
      : { command: 'npx', args: ['-y', PACKAGE] };
  return { command: node, args: [script] };
}

/** A word as a shell would need it (POSIX quoting; double quotes on Windows). */
export function shellWord(word: string, platform: NodeJS.Platform): string {
  if (/^[A-Za-z0-9_/.,:=@%+-]+$/.test(word)) return word;
  if (platform === 'win32') return `"${word.replace(/"/g, '\\"')}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Options {
  client: ClientInfo;
  toolsMd?: string;
  readOnly: boolean;
  toolsets?: string;
  name: string;
  config?: string;
  dryRun: boolean;
}

/** A path as the user typed it: `~/…` (quoted, so no shell expanded it) is in their home. */
function userPath(p: string, cwd: string, home: string): string {
  return /^~(?=$|[\\/])/.test(p) ? resolve(home, `.${p.slice(1)}`) : resolve(cwd, p);
}

function parseArgs(argv: string[], cwd: string, home: string): Options | 'help' {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const takesValue = ['--client', '--tools-md', '--toolsets', '--name', '--config'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (takesValue.includes(flag)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value.`);
      if (CONTROL.test(value)) throw new UsageError(`${flag} must not hold control characters.`);
      values.set(flag, value);
    } else if (['--read-only', '--dry-run', '--help', '-h'].includes(flag) && eq < 0) switches.add(flag);
    else throw new UsageError(`Unknown setup option ${arg}.`);
  }
  if (switches.has('--help') || switches.has('-h')) return 'help';
  const client = values.get('--client');
  if (!client) throw new UsageError(`setup needs --client (${CLIENTS.join(', ')}).`);
  if (!isClient(client)) throw new UsageError(`Unknown client "${client}"; choose ${CLIENTS.join(', ')}.`);
  const name = values.get('--name') ?? DEFAULT_NAME;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
    throw new UsageError('--name may hold only letters, digits, "_", "." and "-" (at most 64).');
  const toolsMd = values.get('--tools-md');
  const config = values.get('--config');
  return {
    client: CLIENT_INFO[client],
    toolsMd: toolsMd === undefined ? undefined : userPath(toolsMd, cwd, home),
    readOnly: switches.has('--read-only'),
    toolsets: values.get('--toolsets'),
    name,
    config: config === undefined ? undefined : userPath(config, cwd, home),
    dryRun: switches.has('--dry-run'),
  };
}

/** Runs `setup` with its arguments (after the word `setup`); returns the exit code. */
export async function runSetup(argv: string[], env: NodeJS.ProcessEnv, io: Partial<SetupIO> = {}): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const platform = io.platform ?? process.platform;
  const cwd = io.cwd ?? process.cwd();
  const home = env.HOME || env.USERPROFILE || homedir();
  let opts: Options | 'help';
  try {
    opts = parseArgs(argv, cwd, home);
    if (opts === 'help') {
      out(SETUP_USAGE);
      return 0;
    }
    // The server's own flags, checked by the server's own parser.
    const serverFlags = [
      ...(opts.toolsMd ? ['--tools-md', opts.toolsMd] : []),
      ...(opts.readOnly ? ['--read-only'] : []),
      ...(opts.toolsets ? ['--toolsets', opts.toolsets] : []),
    ];
    parseConfig(serverFlags, {}, cwd);
    const script = io.script ?? realScript();
    const start = launcher(script, io.node ?? process.execPath, platform);
    const fields: Record<string, unknown> = {
      ...(opts.client.typeField ? { type: 'stdio' } : {}),
      command: start.command,
      args: [...start.args, ...serverFlags],
    };
    const notes = toolsMdNotes(opts.toolsMd);

    if (opts.client.name === 'claude-code' && !opts.config) {
      const words = [
        'claude',
        'mcp',
        'add',
        '--scope',
        'user',
        opts.name,
        '--',
        start.command,
        ...(fields.args as string[]),
      ];
      out('Claude Code keeps its servers itself; add this one with:');
      out('');
      out(`  ${words.map((w) => shellWord(w, platform)).join(' ')}`);
      out('');
      out(`If "${opts.name}" is there already, remove it first: claude mcp remove --scope user ${opts.name}`);
      for (const n of notes) out(n);
      return 0;
    }

    const path = opts.config ?? configPath(opts.client.name, { platform, home, appData: env.APPDATA })!;
    return writeEntry(path, opts, fields, notes, { out, err });
  } catch (e) {
    if (e instanceof UsageError) {
      err(`binance-margin-mcp setup: ${e.message}`);
      err('');
      err(SETUP_USAGE);
      return 2;
    }
    throw e;
  }
}

function writeEntry(
  path: string,
  opts: Options,
  fields: Record<string, unknown>,
  notes: string[],
  io: { out: (l: string) => void; err: (l: string) => void },
): number {
  const label = opts.client.label;
  // A configuration kept as a symbolic link (dotfiles) is edited where it lives.
  const exists = existsSync(path);
  const target = exists ? realpathSync(path) : path;
  let raw: string | undefined;
  let bytes: Buffer | undefined;
  let mode = 0o600;
  if (exists) {
    const st = statSync(target);
    if (!st.isFile()) {
      io.err(`${target} is not a file; nothing was changed.`);
      return 1;
    }
    mode = st.mode & 0o7777;
    bytes = readFileSync(target);
    raw = bytes.toString('utf8');
    // Text that is not UTF-8 would not come back byte for byte.
    if (!Buffer.from(raw, 'utf8').equals(bytes)) {
      io.err(`${target} is not UTF-8 text; nothing was changed.`);
      return 1;
    }
  }
  const bom = raw?.startsWith('\uFEFF') ? '\uFEFF' : '';
  let edit: ReturnType<typeof setServerEntry>;
  try {
    edit = setServerEntry(raw?.slice(bom.length), {
      serversKey: opts.client.serversKey,
      name: opts.name,
      fields,
      jsonc: opts.client.jsonc,
      where: target,
    });
  } catch (e) {
    if (e instanceof ConfigFileError) {
      io.err(`${e.message} Nothing was changed: fix the file (or move it aside) and run setup again.`);
      return 1;
    }
    throw e;
  }
  const entryText = `"${opts.name}": ${JSON.stringify(fields)}`;
  if (edit.action === 'unchanged') {
    io.out(`${label}: ${target} already has ${entryText}; nothing changed.`);
    return 0;
  }
  const what =
    edit.action === 'updated'
      ? `update the server "${opts.name}" in`
      : edit.action === 'added'
        ? `add the server "${opts.name}" to`
        : `create ${target} with the server "${opts.name}"`;
  const where = edit.action === 'created' ? '' : ` ${target}`;
  if (opts.dryRun) {
    io.out(`${label}: would ${what}${where} (dry run: nothing written)`);
    if (edit.before) io.out(`  before: ${JSON.stringify(pick(edit.before, Object.keys(fields)))}`);
    io.out(`  ${entryText}`);
    return 0;
  }
  mkdirSync(resolve(target, '..'), { recursive: true });
  if (bytes !== undefined) atomicWriteKeepingMode(`${target}.bak`, bytes, mode);
  atomicWriteKeepingMode(target, bom + edit.text, mode);
  io.out(
    `${label}: ` +
      `${edit.action === 'updated' ? 'updated' : edit.action === 'added' ? 'added' : 'created'}` +
      `${edit.action === 'created' ? ` ${target} with` : ''} the server "${opts.name}` +
      `"${edit.action === 'created' ? '' : ` ${edit.action === 'updated' ? 'in' : 'to'} ${target}`}`,
  );
  if (edit.before) io.out(`  before: ${JSON.stringify(pick(edit.before, Object.keys(fields)))}`);
  io.out(`  ${entryText}`);
  if (raw !== undefined) io.out(`  the previous file is kept as ${target}.bak`);
  for (const n of notes) io.out(n);
  if (opts.client.after) io.out(opts.client.after);
  return 0;
}

const pick = (o: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

function toolsMdNotes(toolsMd: string | undefined): string[] {
  if (!toolsMd)
    return [
      'No --tools-md: the server looks for TOOLS.md in its working directory, then ~/.binance-margin-mcp/TOOLS.md;',
      'without one it uses BINANCE_API_KEY & co. if the entry\'s "env" sets them, else the sandbox (no real money).',
    ];
  if (!existsSync(toolsMd))
    return [
      `Note: ${toolsMd} does not exist yet; until it does, the server uses BINANCE_API_KEY & co. if the entry's ` +
        `"env" sets them, else the sandbox.`,
    ];
  return [];
}

function realScript(): string {
  const argv1 = process.argv[1];
  try {
    return realpathSync(argv1);
  } catch {
    return resolve(argv1);
  }
}
