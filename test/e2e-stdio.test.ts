/**
 * The built bundle (dist/binance-margin-mcp.js, what package.json `bin` and the
 * README's commands run) started as a separate process over stdio, as a user's MCP
 * client starts it: the SDK's StdioClientTransport, and a hand-driven child process
 * whose every stdout line is checked to be JSON-RPC. Also the process contract of
 * docs/contract.md §1: logs on stderr, exit 2 on a bad flag, exit 0 when stdin closes,
 * and `npm start` (scripts/start.mjs) and `npm run demo` as the README gives them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CATALOG } from '../src/catalog/index.js';
import { NON_ENDPOINT_TOOLS } from './helpers/tools.js';
import { BIN, initialize, scratch, serverEnv, start, withTimeout } from './helpers/process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

const ALL_TOOLS = [...CATALOG.map((e) => e.name), ...NON_ENDPOINT_TOOLS].sort();

/** Every stdout line is one JSON-RPC 2.0 message: nothing else may reach the client. */
function assertOnlyJsonRpc(lines: string[]): void {
  assert.ok(lines.length > 0, 'the server answered on stdout');
  for (const line of lines) {
    let message: Record<string, unknown>;
    assert.doesNotThrow(() => (message = JSON.parse(line)), `stdout line is not JSON: ${line.slice(0, 200)}`);
    assert.equal(message!.jsonrpc, '2.0', `stdout line is not JSON-RPC 2.0: ${line.slice(0, 200)}`);
    assert.ok(
      'id' in message! || 'method' in message!,
      `stdout line is neither a response nor a request/notification: ${line.slice(0, 200)}`,
    );
  }
}

describe('the built server over stdio, as a client starts it', () => {
  test('package.json bin is the built bundle, with a node shebang', () => {
    assert.equal(pkg.bin['binance-margin-mcp'], 'dist/binance-margin-mcp.js');
    assert.match(readFileSync(BIN, 'utf8').split('\n')[0], /^#!\/usr\/bin\/env node$/);
  });

  test('SDK StdioClientTransport: initialize, tools/list, a call; the start-up log says sandbox on stderr', {
    timeout: 30_000,
  }, async () => {
    const dir = scratch();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN],
      cwd: dir,
      env: serverEnv(dir),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'e2e-sdk', version: '1.0.0' });
    try {
      await client.connect(transport);
      assert.deepEqual(client.getServerVersion(), {
        name: 'binance-margin-mcp',
        title: 'Binance Margin Trading',
        version: pkg.version,
      });
      assert.match(client.getInstructions() ?? '', /confirm_action/);
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ALL_TOOLS);
      assert.equal(tools.length, ALL_TOOLS.length);
      const place = tools.find((t) => t.name === 'place_order')!;
      assert.deepEqual(place._meta, {
        'binance/endpoint': 'POST /sapi/v1/margin/order',
        ui: { resourceUri: 'ui://binance-margin/confirm-card.html' },
      });

      const accounts = (await client.callTool({ name: 'list_accounts', arguments: {} })) as CallToolResult;
      const list = accounts.structuredContent as { accounts: { name: string; environment: string }[]; note?: string };
      assert.deepEqual(
        list.accounts.map((a) => [a.name, a.environment]),
        [['main', 'Sandbox']],
      );
      assert.match(list.note ?? '', /sandbox/i);

      // No accounts file (none in cwd, none in the state directory): the log line says so.
      const startLine = stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; version?: string })
        .find((l) => l.version !== undefined);
      assert.ok(startLine, `a start-up log line on stderr:\n${stderr}`);
      assert.match(startLine.msg, /SANDBOX/);
      assert.match(startLine.msg, /no accounts file/);
    } finally {
      await client.close();
    }
  });

  test('raw child process: every stdout line is JSON-RPC, logs are JSON lines on stderr, closing stdin exits 0', {
    timeout: 30_000,
  }, async () => {
    const dir = scratch();
    const p = start([BIN], { cwd: dir, env: serverEnv(dir, { LOG_LEVEL: 'debug' }) });
    const init = await initialize(p);
    assert.equal(init.result.serverInfo.name, 'binance-margin-mcp');
    p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    assert.equal((await p.response(2)).result.tools.length, ALL_TOOLS.length);
    // A read that starts the sandbox exchange and logs on the way: still nothing but JSON-RPC on stdout.
    p.send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'get_price_index', arguments: { symbol: 'BTCUSDT' } },
    });
    const price = (await p.response(3)).result;
    assert.equal(price.isError, undefined);
    assert.equal(price.structuredContent.environment, 'sandbox');
    // Schema validation failure and an unknown tool are answered as JSON-RPC too.
    p.send({
      jsonrpc: '2.0',
      id: 4,
      method: 'tools/call',
      params: { name: 'get_price_index', arguments: { symbol: 42 } },
    });
    assert.equal((await p.response(4)).result.isError, true);
    p.send({ jsonrpc: '2.0', id: 5, method: 'no/such/method', params: {} });
    assert.ok((await p.response(5)).error, 'an unknown method is a JSON-RPC error');
    // A tools/call the SDK's request schema refuses is -32602 (the bundle checks each request once, not twice).
    p.send({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 42, arguments: {} } });
    assert.equal((await p.response(6)).error?.code, -32602);
    // So are arguments that are not an object: the plain tools/call check leaves them to that schema.
    for (const [id, args] of [
      [7, [1]],
      [8, null],
      [9, 'symbol=BTCUSDT'],
    ] as const) {
      p.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_price_index', arguments: args } });
      assert.equal((await p.response(id)).error?.code, -32602, JSON.stringify(args));
    }

    p.child.stdin.end();
    const { code } = await withTimeout(p.exit, 10_000, 'exit after stdin closed');
    assert.equal(code, 0);
    assertOnlyJsonRpc(p.stdoutLines);
    const logs = p.stderr().split('\n').filter(Boolean);
    assert.ok(logs.length >= 2, 'start-up and shutdown are logged');
    for (const line of logs) assert.doesNotThrow(() => JSON.parse(line), `stderr line is not a JSON log line: ${line}`);
    assert.ok(
      logs.some((l) => /stdin closed/.test(l)),
      'the shutdown log line names the reason',
    );
  });

  test('closing stdin right after start-up ends the process with exit code 0', { timeout: 20_000 }, async () => {
    const dir = scratch();
    const p = start([BIN, '--sandbox'], { cwd: dir, env: serverEnv(dir) });
    await p.waitForStderr(/started on the SANDBOX/);
    p.child.stdin.end();
    const { code, signal } = await withTimeout(p.exit, 10_000, 'exit after stdin closed');
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.deepEqual(p.stdoutLines, [], 'nothing on stdout without a request');
  });

  test('an unknown flag exits with code 2 and a clear message and the usage on stderr; stdout stays empty', {
    timeout: 20_000,
  }, async () => {
    const dir = scratch();
    const p = start([BIN, '--no-such-flag'], { cwd: dir, env: serverEnv(dir) });
    const { code } = await withTimeout(p.exit, 10_000, 'exit on a bad flag');
    assert.equal(code, 2);
    assert.match(p.stderr(), /binance-margin-mcp: Unknown option --no-such-flag\./);
    assert.match(p.stderr(), /Usage: binance-margin-mcp \[options\]/);
    assert.deepEqual(p.stdoutLines, []);
  });

  test('a base URL that is not loopback stops start-up with a clear error (exit 2)', { timeout: 20_000 }, async () => {
    const dir = scratch();
    const p = start([BIN], { cwd: dir, env: serverEnv(dir, { BINANCE_MAINNET_BASE_URL: 'https://example.com' }) });
    const { code } = await withTimeout(p.exit, 10_000, 'exit on a bad base URL');
    assert.equal(code, 2);
    assert.match(p.stderr(), /BINANCE_MAINNET_BASE_URL must point at a loopback address/);
    assert.deepEqual(p.stdoutLines, []);
  });

  test('--version and --help answer on stderr and exit 0', { timeout: 20_000 }, async () => {
    const dir = scratch();
    const v = start([BIN, '--version'], { cwd: dir, env: serverEnv(dir) });
    assert.equal((await withTimeout(v.exit, 10_000, '--version')).code, 0);
    assert.equal(v.stderr().trim(), pkg.version);
    const h = start([BIN, '--help'], { cwd: dir, env: serverEnv(dir) });
    assert.equal((await withTimeout(h.exit, 10_000, '--help')).code, 0);
    assert.match(h.stderr(), /--tools-md PATH/);
    assert.deepEqual([...v.stdoutLines, ...h.stdoutLines], []);
  });

  test('the compile cache (Node ≥ 22.1) goes to the temp folder; one that cannot be made does not stop start-up', {
    timeout: 60_000,
  }, async () => {
    const dir = scratch();
    // A writable temp folder gets node-compile-cache/ (on Node 20 the bin does nothing).
    // Unusable ones: a file, and a path under /proc, where Node's recursive mkdir never returns.
    const temps = [
      join(dir, 'tmp'),
      join(dir, 'a-file'),
      ...(process.platform === 'linux' ? ['/proc/bmm-no-such-dir'] : []),
    ];
    mkdirSync(temps[0]);
    writeFileSync(temps[1], '');
    for (const tmp of temps) {
      const p = start([BIN, '--sandbox'], { cwd: dir, env: serverEnv(dir, { TMPDIR: tmp }) });
      await withTimeout(initialize(p), 20_000, `initialize with TMPDIR=${tmp}`);
      p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
      assert.deepEqual(((await p.response(2)).result.tools as { name: string }[]).map((t) => t.name).sort(), ALL_TOOLS);
      p.child.stdin.end();
      assert.equal((await withTimeout(p.exit, 10_000, 'exit after stdin closed')).code, 0);
      assertOnlyJsonRpc(p.stdoutLines);
    }
    const hasApi = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    assert.equal(
      existsSync(join(temps[0], 'node-compile-cache')),
      hasApi,
      hasApi ? 'the cache is in the temp folder' : 'Node 20: no cache',
    );
    assert.ok(
      !existsSync(join(ROOT, 'node-compile-cache')) && !existsSync(join(dir, 'state', 'node-compile-cache')),
      'never in the project or the state directory',
    );
  });

  test('a second start finds every module in the compile cache, despite the V8 flags the executable sets', {
    skip:
      typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== 'function' &&
      'Node 20 has no compile cache',
    timeout: 60_000,
  }, async () => {
    // V8 checks a hash of its flags before it uses compiled code from the cache. The young
    // generation's and wasm's flags are set before the server loads, the tier-up's at the first
    // tools/call (src/runtime/): each module must be compiled, cached and found again on the same side.
    const dir = scratch();
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const logs: string[] = [];
    for (let run = 0; run < 2; run++) {
      const p = start([BIN, '--sandbox'], {
        cwd: dir,
        env: serverEnv(dir, { TMPDIR: tmp, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', BINANCE_OPENING_CACHE: '0' }),
      });
      await withTimeout(initialize(p), 20_000, 'initialize');
      // A call loads what only a call needs (the HTTP client, the sandbox): after the tier-up.
      p.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_bnb_burn_status', arguments: {} } });
      assert.ok(!(await p.response(2)).result.isError, 'the call succeeds');
      p.child.stdin.end();
      assert.equal((await withTimeout(p.exit, 10_000, 'exit after stdin closed')).code, 0);
      logs.push(p.stderr());
    }
    const accepted = [...logs[1]!.matchAll(/cache for (?:ESM )?(\S+) was accepted/g)].map(
      (m) => m[1]!.split('/').pop()!,
    );
    for (const chunk of [/^main-/, /^undici-pool-/, /^sandbox-/])
      assert.ok(
        accepted.some((f) => chunk.test(f)),
        `${chunk} from the cache; accepted: ${accepted.join(', ')}`,
      );
    assert.doesNotMatch(logs[1]!, /reject|mismatch/i);
  });

  test('a compile cache folder others can write into is never used', {
    skip: process.platform === 'win32' && 'file modes',
    timeout: 30_000,
  }, async () => {
    const dir = scratch();
    const tmp = join(dir, 'shared-tmp');
    const planted = join(tmp, 'node-compile-cache');
    mkdirSync(planted, { recursive: true });
    chmodSync(planted, 0o777);
    const p = start([BIN, '--sandbox'], { cwd: dir, env: serverEnv(dir, { TMPDIR: tmp }) });
    await withTimeout(initialize(p), 20_000, 'initialize');
    p.child.stdin.end();
    assert.equal((await withTimeout(p.exit, 10_000, 'exit after stdin closed')).code, 0);
    assert.deepEqual(readdirSync(planted), [], 'nothing was written to, or read from, the planted folder');
    const hasApi = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    const own = join(tmp, `node-compile-cache-${process.getuid?.()}`);
    assert.equal(existsSync(own) && readdirSync(own).length > 0, hasApi, 'this user’s own folder is used instead');
  });
});

describe('the README commands', () => {
  test('`npm start` (node scripts/start.mjs): with no accounts file it serves MCP on the sandbox and says so', {
    timeout: 30_000,
  }, async () => {
    assert.equal(pkg.scripts.start, 'node scripts/start.mjs');
    const dir = scratch();
    // Run from the repository, as `npm start` does; point the accounts file at nothing
    // so that a developer's own TOOLS.md in the checkout is not picked up.
    const p = start(['scripts/start.mjs'], {
      cwd: ROOT,
      env: serverEnv(dir, { BINANCE_TOOLS_MD: join(dir, 'TOOLS.md') }),
    });
    const init = await initialize(p);
    assert.equal(init.result.serverInfo.version, pkg.version);
    p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    assert.deepEqual(((await p.response(2)).result.tools as { name: string }[]).map((t) => t.name).sort(), ALL_TOOLS);
    await p.waitForStderr(/started on the SANDBOX: no accounts file was found/);
    p.child.stdin.end();
    assert.equal((await withTimeout(p.exit, 10_000, 'exit after stdin closed')).code, 0);
    assertOnlyJsonRpc(p.stdoutLines);
  });

  test('`npm run demo` (node dist/scripts/demo.js) runs its whole scripted session', { timeout: 60_000 }, async () => {
    assert.equal(pkg.scripts.demo, 'npm run build && node dist/scripts/demo.js');
    const dir = scratch();
    const p = start([join(ROOT, 'dist/scripts/demo.js')], { cwd: dir, env: { ...serverEnv(dir), LOG_LEVEL: 'warn' } });
    const { code } = await withTimeout(p.exit, 50_000, 'the demo to finish');
    const out = p.stdoutLines.join('\n');
    assert.equal(code, 0, `demo failed:\n${out}\n${p.stderr()}`);
    for (const step of [
      'list_accounts',
      'get_cross_margin_account',
      '"confirmation_required"',
      'confirm_action',
      '"MARGIN_BUY"',
      'get_order',
      'origClientOrderId',
      'borrow_or_repay',
      '"REPAY"',
    ])
      assert.ok(out.includes(step), `the demo shows ${step}`);
    assert.match(out, /"status": "FILLED"/);
    assert.match(out, /"marginBuyBorrowAmount": [1-9]/, 'the order borrowed');
    assert.match(out, /still owed after the repay[\s\S]*"borrowed": "0\.00000000"/, 'and the repay cleared the debt');
  });

  test('the npm package as packed (package.json "files") runs on its own: `npx binance-margin-mcp`', {
    timeout: 60_000,
  }, async () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { files: { path: string }[] }[];
    const files = packed[0].files.map((f) => f.path);
    assert.ok(files.includes(pkg.bin['binance-margin-mcp']), 'the bin is packed');
    for (const f of ['README.md', 'TOOLS.example.md', 'server.json']) assert.ok(files.includes(f), `${f} is packed`);
    // Only the packed files, and the dependencies npx would install.
    const dir = scratch();
    const pkgDir = join(dir, 'package');
    for (const f of files) {
      mkdirSync(dirname(join(pkgDir, f)), { recursive: true });
      cpSync(join(ROOT, f), join(pkgDir, f));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(pkgDir, 'node_modules'), 'dir');
    const p = start([join(pkgDir, pkg.bin['binance-margin-mcp']), '--sandbox'], { cwd: dir, env: serverEnv(dir) });
    await initialize(p);
    p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    assert.equal((await p.response(2)).result.tools.length, ALL_TOOLS.length);
    // A call that loads what start-up does not (the sandbox exchange, the HTTP client).
    p.send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'get_price_index', arguments: { symbol: 'BTCUSDT' } },
    });
    const price = (await p.response(3, 30_000)).result;
    assert.notEqual(price.isError, true, JSON.stringify(price));
    assert.equal(price.structuredContent.environment, 'sandbox');
    p.child.stdin.end();
    assert.equal((await withTimeout(p.exit, 10_000, 'exit after stdin closed')).code, 0);
  });
});
