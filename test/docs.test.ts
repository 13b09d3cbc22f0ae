/**
 * The documents a user relies on stay true to the code: the README's tools table is
 * what the catalog generates, the README names every flag, environment variable,
 * toolset and tool, the client configuration and the registry manifest agree with
 * package.json and src/config.ts, and TOOLS.example.md is a valid accounts file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { FIELDS, parseToolsMd } from '../src/accounts/toolsmd.js';
import { CATALOG, TOOLSETS } from '../src/catalog/index.js';
import { parseConfig, USAGE } from '../src/config.js';
import { VERSION } from '../src/version.js';
import { END, renderToolsTable, START, withToolsTable } from '../scripts/tools-table.js';
import { NON_ENDPOINT_TOOLS } from './helpers/tools.js';

/** dist/test/docs.test.js → the repository's root */
const repoFile = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
const README = repoFile('README.md');
const pkg = JSON.parse(repoFile('package.json')) as {
  name: string;
  version: string;
  mcpName: string;
  bin: Record<string, string>;
  files: string[];
};
const CONFIG_SOURCE = repoFile('src/config.ts');

/** Flags parseConfig knows, read from its source so that a new one cannot go unnoticed. */
function configFlags(): string[] {
  const flags = new Set<string>();
  for (const m of CONFIG_SOURCE.matchAll(/new Set\(\[([^\]]*)\]\)/g))
    for (const f of m[1].matchAll(/'(--[a-z-]+)'/g)) flags.add(f[1]);
  return [...flags].sort();
}

/** Environment variables config.ts reads (env.X), and LOG_LEVEL. */
function configEnvVars(): string[] {
  return [...new Set([...CONFIG_SOURCE.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]))].sort();
}

const usageEnvVars = () => [...new Set(USAGE.match(/\b(BINANCE_[A-Z0-9_]+|LOG_LEVEL)\b/g) ?? [])].sort();

describe('README.md', () => {
  test(
    'the tools table is what scripts/tools-table.ts generates from the catalog (run `npm run tools-table` when ' +
      'this fails)',
    () => {
      assert.ok(README.includes(START) && README.includes(END), 'README has the tools-table markers');
      assert.equal(withToolsTable(README), README, 'README.md tools table is stale: run `npm run tools-table`');
    },
  );

  test('the table has one row per endpoint and marks the added and the retired endpoints', () => {
    const table = renderToolsTable();
    const rows = table.split('\n').filter((l) => l.startsWith('| `'));
    assert.equal(rows.length, CATALOG.length);
    assert.equal(CATALOG.length, 68);
    for (const e of CATALOG) {
      const row = rows.find((r) => r.startsWith(`| \`${e.name}\` |`));
      assert.ok(row, `row for ${e.name}`);
      assert.ok(row.includes(`\`${e.method} ${e.path}\``), `${e.name}: endpoint`);
      assert.ok(row.includes(`| ${e.toolset} |`), `${e.name}: toolset`);
      assert.ok(row.includes(e.write ? '| write' : '| read |'), `${e.name}: reads or writes`);
      assert.equal(row.includes('added after the skill'), !!e.addedAfterSkill, `${e.name}: added-after mark`);
      assert.equal(/retired/.test(row), !!e.retired, `${e.name}: retired mark`);
    }
    assert.equal(CATALOG.filter((e) => e.addedAfterSkill).length, 7);
    assert.equal(CATALOG.filter((e) => e.retired).length, 1);
  });

  test('`node dist/scripts/tools-table.js` prints the same table', () => {
    const printed = execFileSync(
      process.execPath,
      [fileURLToPath(new URL('../scripts/tools-table.js', import.meta.url))],
      { encoding: 'utf8' },
    );
    assert.equal(printed, `${renderToolsTable()}\n`);
  });

  test('names every flag and environment variable of src/config.ts', () => {
    const flags = configFlags();
    for (const f of [
      '--tools-md',
      '--sandbox',
      '--sandbox-state',
      '--read-only',
      '--toolsets',
      '--confirm-via',
      '--confirm-all',
      '--help',
      '--version',
    ])
      assert.ok(flags.includes(f), `found ${f} in config.ts`);
    for (const f of flags.filter((f) => f.startsWith('--')))
      assert.match(README, new RegExp(`\`${f}[\\s\`=]`), `README documents ${f}`);
    const vars = [...new Set([...configEnvVars(), ...usageEnvVars(), 'LOG_LEVEL'])];
    assert.ok(vars.length >= 13, `found the environment variables: ${vars.join(', ')}`);
    for (const v of vars) assert.ok(README.includes(`\`${v}`), `README documents ${v}`);
  });

  test('names every toolset and every tool that is not an endpoint', () => {
    for (const t of TOOLSETS) assert.ok(README.includes(`\`${t}\``), `README describes toolset ${t}`);
    for (const t of NON_ENDPOINT_TOOLS) assert.ok(README.includes(`\`${t}\``), `README describes ${t}`);
  });

  test('gives the two commands, client setup, the inspector and the safety essentials', () => {
    for (const text of [
      'npm ci && npm start',
      'npm ci && npm test',
      'npm run demo',
      'npm run bench',
      '~/Library/Application Support/Claude/claude_desktop_config.json',
      '%APPDATA%\\Claude\\claude_desktop_config.json',
      '~/.config/Claude/claude_desktop_config.json',
      '.vscode/mcp.json',
      '"type": "stdio"',
      'npx @modelcontextprotocol/inspector node dist/binance-margin-mcp.js',
      '--method tools/list',
      '--method tools/call --tool-name get_price_index --tool-arg symbol=BTCUSDT',
      'touch ~/.binance-margin-mcp/KILL',
      'journal/YYYY-MM.jsonl',
      '-1021',
      '-2015',
      '-2010',
      '429',
      '418',
      '## Benchmarks',
    ])
      assert.ok(README.includes(text), `README mentions ${text}`);
    assert.match(
      README,
      /in\s+token\s+mode\s+the\s+agent\s+itself\s+could\s+redeem/i,
      'README says plainly that in token mode the agent could confirm on its own',
    );
  });

  test('every JSON block in it parses', () => {
    const blocks = [...README.matchAll(/```jsonc?\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(blocks.length >= 2);
    for (const b of blocks) assert.doesNotThrow(() => JSON.parse(b), `README JSON block does not parse:\n${b}`);
  });
});

describe('mcp.json', () => {
  const config = JSON.parse(repoFile('mcp.json')) as {
    mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }>;
  };
  const entries = Object.entries(config.mcpServers);

  test('runs the built executable from a checkout, and the npm package through npx, under two names', () => {
    const built = entries.find(([, s]) => s.command === 'node');
    const npx = entries.find(([, s]) => s.command === 'npx');
    assert.ok(built && npx, 'a node entry and an npx entry');
    assert.notEqual(built[0], npx[0]);
    assert.match(
      built[1].args[0],
      /^\/.+\/dist\/binance-margin-mcp\.js$/,
      'an absolute path to dist/binance-margin-mcp.js',
    );
    assert.ok(built[1].args[0].endsWith(`/${pkg.bin['binance-margin-mcp']}`));
    assert.ok(npx[1].args.includes(pkg.name), 'npx runs the package by its name');
  });

  test('every server flag in it is one the server accepts', () => {
    for (const [name, s] of entries) {
      const flags = s.command === 'node' ? s.args.slice(1) : s.args.slice(s.args.indexOf(pkg.name) + 1);
      assert.doesNotThrow(() => parseConfig(flags, s.env ?? {}, '/'), `${name}: ${flags.join(' ')}`);
    }
  });
});

describe('server.json (MCP registry)', () => {
  const server = JSON.parse(repoFile('server.json')) as Record<string, any>;

  test('describes this npm package at this version, over stdio', () => {
    assert.match(
      server.$schema,
      /^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d{2}-\d{2}\/server\.schema\.json$/,
    );
    assert.equal(server.name, pkg.mcpName);
    assert.equal(server.version, pkg.version);
    assert.ok(
      server.description.length >= 1 && server.description.length <= 100,
      'the registry allows at most 100 characters',
    );
    assert.equal(server.packages.length, 1);
    const p = server.packages[0];
    assert.equal(p.registryType, 'npm');
    assert.equal(p.identifier, pkg.name);
    assert.equal(p.version, pkg.version);
    assert.deepEqual(p.transport, { type: 'stdio' });
  });

  test(
    'lists exactly the environment variables of the usage text, secret only the credentials, none required, ' +
      'each described',
    () => {
      const vars = server.packages[0].environmentVariables as {
        name: string;
        description: string;
        isSecret: boolean;
        isRequired: boolean;
      }[];
      assert.deepEqual(vars.map((v) => v.name).sort(), usageEnvVars());
      const credentials = [
        'BINANCE_API_KEY',
        'BINANCE_API_SECRET',
        'BINANCE_PRIVATE_KEY_PASSPHRASE',
        'BINANCE_MCP_TOKEN',
        'BINANCE_MCP_TOKENS',
      ];
      for (const v of vars) {
        assert.equal(v.isSecret, credentials.includes(v.name), v.name);
        assert.equal(v.isRequired, false, v.name);
        assert.ok(v.description.length > 10, `${v.name} has a description`);
      }
    },
  );

  test('is shipped in the npm package', () => {
    for (const f of ['server.json', 'README.md', 'TOOLS.example.md']) assert.ok(pkg.files.includes(f), f);
  });
});

describe('versions', () => {
  test('src/version.ts VERSION equals package.json version', () => {
    assert.equal(VERSION, pkg.version);
  });
});

describe('TOOLS.example.md', () => {
  const text = repoFile('TOOLS.example.md');
  const parsed = parseToolsMd(text);

  test('is a valid accounts file with no issues and no unknown fields', () => {
    assert.equal(parsed.hasSection, true);
    assert.deepEqual(parsed.issues, []);
    for (const a of parsed.accounts) assert.deepEqual(a.extra, {}, `${a.name} has only known fields`);
  });

  test('shows every field, and an HMAC Mainnet account with limits, an Ed25519 account and a Sandbox account', () => {
    for (const field of Object.values(FIELDS))
      assert.match(text, new RegExp(`^- ${field}: \\S`, 'm'), `shows ${field}`);
    const hmac = parsed.accounts.find((a) => a.environment === 'Mainnet' && a.signing === 'HMAC');
    assert.ok(hmac, 'an HMAC Mainnet account');
    assert.ok(
      hmac.limits.maxOrderValue &&
        hmac.limits.maxBorrowValue &&
        hmac.limits.maxDailyValue &&
        hmac.limits.allowedSymbols?.length,
      'with every limit',
    );
    assert.ok(
      parsed.accounts.some((a) => a.signing === 'Ed25519' && a.privateKeyFile),
      'an Ed25519 account',
    );
    assert.ok(
      parsed.accounts.some((a) => a.environment === 'Sandbox'),
      'a Sandbox account',
    );
    assert.ok(
      parsed.accounts.some((a) => a.name === 'main'),
      'a default account named main',
    );
  });

  test('holds obviously fake credentials only', () => {
    for (const a of parsed.accounts) {
      assert.match(a.apiKey, /^EXAMPLE/, `${a.name} API key`);
      if (a.secret) assert.match(a.secret, /^EXAMPLE/, `${a.name} secret`);
    }
  });
});
