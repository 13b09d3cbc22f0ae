/**
 * The peer MCP servers the bench compares against. They are not dependencies of this
 * project: the bench installs each, pinned, into a cache folder outside the project
 * on first use (`npm install --prefix <cache>/<id>-<version> <pkg>@<version>`), and
 * starts it exactly as ours is started, `node <its bin>` over stdio. They get a
 * private HOME and working folder, no keys, and every base URL they honour points at
 * a closed loopback port: the bench never lets them reach the internet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ServerSpec } from './rpc.js';

export interface PeerDef {
  id: 'okx' | 'ccxt';
  label: string;
  pkg: string;
  version: string;
  /** Extra flags for the tool-list variants. */
  variants: { label: string; args: string[] }[];
}

export const PEERS: PeerDef[] = [
  {
    id: 'okx',
    label: 'OKX (official)',
    pkg: '@okx_ai/okx-trade-mcp',
    version: '1.2.9',
    variants: [
      { label: 'read-only', args: ['--read-only'] },
      { label: 'all modules', args: ['--modules', 'all'] },
    ],
  },
  { id: 'ccxt', label: 'CCXT (mcpfun)', pkg: '@mcpfun/mcp-server-ccxt', version: '1.2.1', variants: [] },
];

/** A loopback port nothing listens on (discard): any request a peer makes fails at once, locally. */
export const NOWHERE = 'http://127.0.0.1:9';

export type PeerState =
  | { available: true; def: PeerDef; bin: string; installedNow: boolean; installMs?: number }
  | { available: false; def: PeerDef; reason: string };

export function cacheRoot(): string {
  if (process.env.BENCH_PEER_CACHE) return resolve(process.env.BENCH_PEER_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'binance-margin-mcp-bench');
}

function findBin(dir: string, def: PeerDef): string | undefined {
  const pkgJson = join(dir, 'node_modules', ...def.pkg.split('/'), 'package.json');
  if (!existsSync(pkgJson)) return undefined;
  const pj = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string; bin?: string | Record<string, string> };
  if (pj.version !== def.version) return undefined;
  const rel = typeof pj.bin === 'string' ? pj.bin : pj.bin ? Object.values(pj.bin)[0] : undefined;
  if (!rel) return undefined;
  const bin = resolve(dirname(pkgJson), rel);
  return existsSync(bin) ? bin : undefined;
}

/** Finds the pinned peer in the cache, installing it there first if needed. Never throws. */
export function ensurePeer(def: PeerDef, log: (line: string) => void): PeerState {
  const dir = join(cacheRoot(), `${def.id}-${def.version}`);
  try {
    const found = findBin(dir, def);
    if (found) return { available: true, def, bin: found, installedNow: false };
    if (process.env.BENCH_NO_INSTALL === '1')
      return { available: false, def, reason: `not in ${dir} and BENCH_NO_INSTALL=1` };
    mkdirSync(dir, { recursive: true });
    log(`  installing ${def.pkg}@${def.version} into ${dir} …`);
    const t0 = performance.now();
    // --ignore-scripts: the peers' install scripts only print notices; nothing runs at install.
    const r = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        `${def.pkg}@${def.version}`,
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--omit=dev',
        '--loglevel=error',
      ],
      {
        encoding: 'utf8',
        timeout: 180_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const installMs = performance.now() - t0;
    if (r.error) return { available: false, def, reason: `npm install failed: ${r.error.message}` };
    if (r.status !== 0)
      return {
        available: false,
        def,
        reason:
          `npm install exited ${r.status}: ` +
          `${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`,
      };
    const bin = findBin(dir, def);
    if (!bin)
      return {
        available: false,
        def,
        reason: `installed, but no bin of ${def.pkg}@${def.version} was found in ${dir}`,
      };
    return { available: true, def, bin, installedNow: true, installMs };
  } catch (err) {
    return { available: false, def, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** How the bench starts a peer: offline, keyless, with a private HOME and working folder. */
export function peerSpec(
  state: Extract<PeerState, { available: true }>,
  workDir: string,
  extraArgs: string[] = [],
): ServerSpec {
  const def = state.def;
  const home = join(workDir, `${def.id}-home`);
  const cwd = join(workDir, `${def.id}-cwd`);
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1' };
  if (def.id === 'okx') {
    // okx-trade-mcp checks the npm registry for updates at start unless ~/.okx/update-check.json
    // is fresh: give it a fresh one, so it makes no request. Its REST base URL points nowhere.
    mkdirSync(join(home, '.okx'), { recursive: true });
    writeFileSync(
      join(home, '.okx', 'update-check.json'),
      JSON.stringify({ [def.pkg]: { latestVersion: def.version, checkedAt: Date.now() } }),
    );
    env.OKX_API_BASE_URL = NOWHERE;
  }
  // ccxt's server reads .env from its working folder (an empty one here) and contacts an
  // exchange only when a tool is called; the bench calls none of its tools.
  return { label: def.label, command: process.execPath, args: [state.bin, ...extraArgs], env, cwd };
}
