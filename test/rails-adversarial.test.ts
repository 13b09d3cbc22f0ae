/**
 * The rails against the agent they constrain: each test is one finding of the
 * adversarial review (an agent that holds the keys, a prompt-injected agent, two
 * clients at once, a crash mid-order), named after the behaviour that must hold.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseToolsMd } from '../src/accounts/toolsmd.js';
import { redactor } from '../src/safety/redact.js';
import { errorOf, startServer, structured, toolsMd, type StartOptions, type TestServer } from './helpers/mcp.js';
import { ed25519KeyPair, randomApiKey, randomSecret } from './helpers/keys.js';
import { startMainnet } from './helpers/standin.js';

const KEY = randomApiKey();
const SECRET = randomSecret();

const sandboxAccount = (limits: Record<string, string> = {}, name = 'main') =>
  toolsMd([{ name, fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Sandbox', ...limits } }]);

async function withServer(opts: StartOptions, fn: (s: TestServer) => Promise<void>) {
  const s = await startServer(opts);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const sandbox = (s: TestServer) => s.handle.hosts.sandboxInstance();
const orderWrites = async (s: TestServer) =>
  (await sandbox(s)).wire.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/sapi/v1/margin/order'))
    .length;
const journalLines = (s: TestServer) => {
  const dir = join(s.config.stateDir, 'journal');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
};

describe('orders are valued at the most they can trade for', () => {
  test(
    'a SELL priced at 1 is worth quantity × the index: LIMIT, STOP_LOSS_LIMIT, OTO and OTOCO legs are refused ' +
      'over Max Order Value',
    () =>
      withServer({ toolsMd: sandboxAccount({ 'Max Order Value': '1000' }) }, async (s) => {
        (await sandbox(s)).exchange.setPrice('BTCUSDT', '50000');
        const calls: [string, Record<string, unknown>][] = [
          [
            'place_order',
            { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '1' },
          ],
          [
            'place_order',
            {
              symbol: 'BTCUSDT',
              side: 'SELL',
              type: 'STOP_LOSS_LIMIT',
              timeInForce: 'GTC',
              quantity: '1',
              price: '1',
              stopPrice: '49000',
            },
          ],
          [
            'place_oto_order',
            {
              symbol: 'BTCUSDT',
              workingType: 'LIMIT',
              workingSide: 'SELL',
              workingPrice: '1',
              workingQuantity: '1',
              workingTimeInForce: 'GTC',
              pendingType: 'LIMIT',
              pendingSide: 'BUY',
              pendingPrice: '1',
              pendingQuantity: '1',
              pendingTimeInForce: 'GTC',
            },
          ],
          [
            'place_otoco_order',
            {
              symbol: 'BTCUSDT',
              workingType: 'LIMIT',
              workingSide: 'SELL',
              workingPrice: '1',
              workingQuantity: '1',
              workingTimeInForce: 'GTC',
              pendingSide: 'BUY',
              pendingQuantity: '1',
              pendingAboveType: 'STOP_LOSS',
              pendingAboveStopPrice: '2',
              pendingBelowType: 'LIMIT_MAKER',
              pendingBelowPrice: '1',
            },
          ],
        ];
        for (const [tool, args] of calls) {
          const r = await s.call(tool, args);
          assert.equal(
            errorOf(r)?.kind,
            'policy',
            `${tool} ${JSON.stringify(args)}: ${JSON.stringify(r.structuredContent)}`,
          );
          assert.match(errorOf(r).message, /Max Order Value is 1,000 USDT; this order is worth 50,000 USDT \(at 50000/);
        }
        assert.equal(await orderWrites(s), 0, 'nothing was sent');
        // The price the order names counts when it is the highest: a BUY above the index.
        const buyHigh = await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '200000',
        });
        assert.match(errorOf(buyHigh).message, /worth 2,000 USDT \(at 200000\)/);
      }),
  );

  test('Max Daily Value counts the same worst-case value', () =>
    withServer({ toolsMd: sandboxAccount({ 'Max Daily Value': '1000' }) }, async (s) => {
      (await sandbox(s)).exchange.setPrice('BTCUSDT', '50000');
      const r = await s.call('place_order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.03',
        price: '1',
      });
      assert.equal(errorOf(r).kind, 'policy');
      assert.match(
        errorOf(r).message,
        /Max Daily Value is 1,000 USDT; 0 USDT were used in the last 24 h and this call adds 1,500 USDT/,
      );
    }));
});

describe('Max Borrow Value covers every borrow', () => {
  test(
    'an order that may borrow 800 USDT through MARGIN_BUY is refused under Max Borrow Value 500; one that ' +
      'borrows 200 passes',
    () =>
      withServer({ toolsMd: sandboxAccount({ 'Max Borrow Value': '500' }) }, async (s) => {
        // The demo cross account holds 10,000 USDT; BTCUSDT is at 60,000.
        const big = await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.18',
          sideEffectType: 'MARGIN_BUY',
        });
        assert.equal(errorOf(big)?.kind, 'policy', JSON.stringify(big.structuredContent));
        assert.match(
          errorOf(big).message,
          /Max Borrow Value is 500 USDT; this order \(sideEffectType MARGIN_BUY\) may borrow 800 USDT, worth 800 USDT/,
        );
        const list = await s.call('place_oco_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          quantity: '0.18',
          price: '55000',
          stopPrice: '65000',
          stopLimitPrice: '65100',
          stopLimitTimeInForce: 'GTC',
          sideEffectType: 'AUTO_BORROW_REPAY',
        });
        assert.equal(errorOf(list)?.kind, 'policy', JSON.stringify(list.structuredContent));
        assert.match(errorOf(list).message, /may borrow [\d,.]+ USDT/);
        const sell = await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'MARKET',
          quantity: '0.12',
          sideEffectType: 'MARGIN_BUY',
        });
        assert.match(errorOf(sell).message, /may borrow 0.02 BTC, worth 1,200 USDT/, 'a SELL borrows the base asset');
        assert.equal(await orderWrites(s), 0);
        const small = await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.17',
          sideEffectType: 'MARGIN_BUY',
        });
        assert.ok(!small.isError, JSON.stringify(small.structuredContent));
      }),
  );
});

describe('the agent can never loosen its own policy', () => {
  const LIMITED = toolsMd([
    {
      name: 'main',
      fields: {
        'API Key': KEY,
        Secret: SECRET,
        Environment: 'Sandbox',
        'Max Order Value': '100',
        'Allowed Symbols': 'BTCUSDT',
        Notes: 'mine',
      },
    },
  ]).replace('- Notes: mine', "- Max Daily Value: 300\nA line of the user's own.");

  test('add_account with replace keeps every limit line and every line it does not own, byte for byte', () =>
    withServer({ toolsMd: LIMITED }, async (s) => {
      const path = join(s.dir, 'TOOLS.md');
      const kept = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => /Max|Allowed|own/.test(l));
      assert.equal(kept.length, 4);
      const newKey = randomApiKey();
      const r = await s.call('add_account', {
        name: 'main',
        environment: 'Sandbox',
        signing: 'HMAC',
        apiKey: newKey,
        secret: randomSecret(),
        replace: true,
      });
      assert.ok(!r.isError, JSON.stringify(r.structuredContent));
      const after = readFileSync(path, 'utf8');
      for (const line of kept) assert.ok(after.split('\n').includes(line), `kept: ${line}`);
      assert.ok(after.includes(`- API Key: ${newKey}`));
      assert.ok(!after.includes(KEY), 'the old key is gone');
      const st = structured(await s.call('server_status'));
      assert.deepEqual(st.accounts[0].limits, {
        maxOrderValueUsdt: 100,
        maxDailyValueUsdt: 300,
        allowedSymbols: ['BTCUSDT'],
      });
    }));

  test('add_account is not available under --read-only', () =>
    withServer({ toolsMd: LIMITED, args: ['--read-only'] }, async (s) => {
      const { tools } = await s.client.listTools();
      assert.ok(!tools.some((t) => t.name === 'add_account'));
      const r = await s.call('add_account', {
        name: 'x',
        environment: 'Sandbox',
        signing: 'HMAC',
        apiKey: randomApiKey(),
        secret: randomSecret(),
      });
      assert.equal(r.isError, true);
      assert.ok(!readFileSync(join(s.dir, 'TOOLS.md'), 'utf8').includes('### x'));
    }));

  test(
    'a control character in any field is refused, naming the field and echoing no value; TOOLS.md is ' + 'unchanged',
    () =>
      withServer({ toolsMd: LIMITED }, async (s) => {
        const path = join(s.dir, 'TOOLS.md');
        const before = readFileSync(path, 'utf8');
        const injected = 'x\n- Max Order Value: 999999\n## Hidden';
        const base = {
          name: 'evil',
          environment: 'Sandbox',
          signing: 'HMAC',
          apiKey: randomApiKey(),
          secret: randomSecret(),
        };
        for (const [field, value] of [
          ['apiKey', `${randomApiKey()}${injected}`],
          ['secret', `${randomSecret()}${injected}`],
          ['description', injected],
          ['passphrase', injected],
          ['privateKeyFile', `keys/a.pem${injected}`],
          ['credentialsFile', `creds.txt\r\n${injected}`],
          ['description', 'nul\u0000byte'],
          ['description', 'line\u2028separator'],
        ] as const) {
          const args: Record<string, unknown> = { ...base, [field]: value };
          if (field === 'credentialsFile') {
            delete args.apiKey;
            delete args.secret;
          }
          const r = await s.call('add_account', args);
          assert.equal(r.isError, true, field);
          const text = JSON.stringify(r);
          assert.match(text, new RegExp(field), `names ${field}`);
          assert.ok(!text.includes('999999') && !text.includes('Hidden'), `echoes no value (${field})`);
          assert.equal(readFileSync(path, 'utf8'), before, `${field}: TOOLS.md unchanged`);
        }
        const huge = await s.call('add_account', { ...base, description: 'd'.repeat(201) });
        assert.equal(huge.isError, true, 'a length cap');
      }),
  );

  test(
    'key and credentials files: only regular files of at most 64 KiB in the expected format; nothing of a ' +
      'refused file is shown',
    () =>
      withServer({ toolsMd: LIMITED }, async (s) => {
        const fifo = join(s.dir, 'fifo');
        execFileSync('mkfifo', [fifo]);
        mkdirSync(join(s.dir, 'adir'));
        const secretLine = `TOPSECRET${randomSecret()}`;
        writeFileSync(join(s.dir, 'three-lines.txt'), `${randomApiKey()}\n${secretLine}\nthird\n`);
        writeFileSync(join(s.dir, 'big.txt'), `${randomApiKey()}\n${'s'.repeat(70 * 1024)}\n`);
        const base = { name: 'evil', environment: 'Sandbox', signing: 'HMAC' };
        for (const file of [
          '/etc/passwd',
          '/dev/zero',
          fifo,
          join(s.dir, 'adir'),
          join(s.dir, 'three-lines.txt'),
          join(s.dir, 'big.txt'),
          join(s.dir, 'missing'),
        ]) {
          const r = await s.call('add_account', { ...base, credentialsFile: file });
          assert.equal(errorOf(r)?.kind, 'validation', `${file}: ${JSON.stringify(r.structuredContent)}`);
          assert.match(errorOf(r).message, /credentialsFile/);
          const text = JSON.stringify(r);
          assert.ok(
            !text.includes(file) &&
              !text.includes('root') &&
              !text.includes(secretLine.slice(-5)) &&
              !text.includes('TOPSE'),
            `${file}: nothing of the file or its path`,
          );
        }
        const pem = await s.call('add_account', {
          name: 'evil',
          environment: 'Sandbox',
          signing: 'Ed25519',
          apiKey: randomApiKey(),
          privateKeyFile: '/etc/passwd',
        });
        assert.match(errorOf(pem).message, /privateKeyFile is not a PEM private key/);
        assert.ok(!JSON.stringify(pem).includes('root'));
        // A real key file is accepted.
        writeFileSync(join(s.dir, 'ed.pem'), ed25519KeyPair().privateKey);
        const good = await s.call('add_account', {
          name: 'ed',
          environment: 'Sandbox',
          signing: 'Ed25519',
          apiKey: randomApiKey(),
          privateKeyFile: 'ed.pem',
        });
        assert.ok(!good.isError, JSON.stringify(good.structuredContent));
        // And the server is still alive.
        assert.ok(!(await s.call('server_status')).isError);
      }),
  );

  test(
    'a misspelled field or a limit that does not parse is reported everywhere and refuses the account’s writes ' +
      '(kind config), reads still work',
    () =>
      withServer(
        {
          toolsMd: toolsMd([
            {
              name: 'main',
              fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Sandbox', 'Max Order Vaule': '100' },
            },
            {
              name: 'other',
              fields: {
                'API Key': randomApiKey(),
                Secret: randomSecret(),
                Environment: 'Sandbox',
                'Max Daily Value': 'a lot',
              },
            },
          ]),
        },
        async (s) => {
          const list = structured(await s.call('list_accounts'));
          assert.ok(
            list.problems.some((p: string) => /"main": Max Order Vaule is not a field.*writes are refused/.test(p)),
            JSON.stringify(list.problems),
          );
          assert.ok(list.problems.some((p: string) => /"other": Max Daily Value is not a positive number/.test(p)));
          const st = structured(await s.call('server_status'));
          assert.ok(st.accountProblems.length === 2);
          assert.ok(st.accounts.find((a: { name: string }) => a.name === 'main').writesRefused);
          const order = await s.call('place_order', {
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'MARKET',
            quantity: '0.001',
          });
          assert.equal(errorOf(order).kind, 'config');
          assert.match(errorOf(order).message, /Account "main" has field "Max Order Vaule"/);
          const other = await s.call('borrow_or_repay', {
            account: 'other',
            asset: 'USDT',
            isIsolated: 'FALSE',
            symbol: 'BTCUSDT',
            amount: '1',
            type: 'BORROW',
          });
          assert.match(errorOf(other).message, /Account "other" has field "Max Daily Value"/);
          assert.equal(await orderWrites(s), 0);
          assert.ok(!(await s.call('get_cross_margin_account')).isError, 'reads work');
          const warnings = s.logs.join('');
          void warnings;
        },
      ),
  );

  test('parsing keeps a misspelled limit out of the limits and flags it', () => {
    const { accounts } = parseToolsMd(
      toolsMd([
        { name: 'main', fields: { 'API Key': KEY, Secret: SECRET, 'Max Order Vaule': '100', 'Max Order Value': '' } },
      ]),
    );
    assert.deepEqual(accounts[0].limits, {});
    assert.deepEqual(accounts[0].policyProblems?.map((p) => p.field).sort(), ['Max Order Value', 'Max Order Vaule']);
  });

  test('add_account on a symlinked TOOLS.md writes the file the link points to, and the link stays', async () => {
    const real = mkdtempSync(join(tmpdir(), 'bmm-real-'));
    try {
      writeFileSync(join(real, 'TOOLS.md'), sandboxAccount());
      await withServer({ args: [] }, async (s) => {
        const link = join(s.dir, 'TOOLS.md');
        rmSync(link, { force: true });
        symlinkSync(join(real, 'TOOLS.md'), link);
        const r = await s.call('add_account', {
          name: 'second',
          environment: 'Sandbox',
          signing: 'HMAC',
          apiKey: randomApiKey(),
          secret: randomSecret(),
        });
        assert.ok(!r.isError, JSON.stringify(r.structuredContent));
        assert.ok(lstatSync(link).isSymbolicLink(), 'still a link');
        assert.match(readFileSync(join(real, 'TOOLS.md'), 'utf8'), /### second/);
      });
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
  });
});

describe('one enforcement point, at execution', () => {
  test('a KILL file created while the elicitation dialog is open stops the order', () =>
    withServer(
      {
        toolsMd: sandboxAccount(),
        args: ['--confirm-all'],
        elicit: () => {
          writeFileSync(join(stateDirOf.current!, 'KILL'), '');
          return { action: 'accept', content: { confirmation: 'CONFIRM' } };
        },
      },
      async (s) => {
        stateDirOf.current = s.config.stateDir;
        const r = await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
        assert.equal(errorOf(r)?.kind, 'policy', JSON.stringify(r.structuredContent));
        assert.match(errorOf(r).message, /kill switch is on/);
        assert.equal(await orderWrites(s), 0);
      },
    ));

  test('Max Order Value lowered in TOOLS.md during the dialog is enforced', () =>
    withServer(
      {
        toolsMd: sandboxAccount({ 'Max Order Value': '1000' }),
        args: ['--confirm-all'],
        elicit: () => {
          const path = join(stateDirOf.dir!, 'TOOLS.md');
          writeFileSync(path, readFileSync(path, 'utf8').replace('Max Order Value: 1000', 'Max Order Value: 10'));
          return { action: 'accept', content: { confirmation: ' CONFIRM ' } };
        },
      },
      async (s) => {
        stateDirOf.dir = s.dir;
        // 60 USDT
        const r = await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
        assert.equal(errorOf(r)?.kind, 'policy', JSON.stringify(r.structuredContent));
        assert.match(errorOf(r).message, /Max Order Value is 10 USDT; this order is worth 60 USDT/);
        assert.equal(await orderWrites(s), 0);
      },
    ));

  test('a pending action is bound to the credentials it was issued for', () =>
    withServer({ toolsMd: sandboxAccount(), args: ['--confirm-all'] }, async (s) => {
      const p = structured(
        await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
      );
      assert.equal(p.status, 'confirmation_required');
      const path = join(s.dir, 'TOOLS.md');
      writeFileSync(path, readFileSync(path, 'utf8').replace(KEY, randomApiKey()));
      const r = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.equal(errorOf(r)?.kind, 'config');
      assert.match(errorOf(r).message, /credentials of account "main" changed/);
      assert.equal(await orderWrites(s), 0);
    }));

  test('a dangling KILL symlink counts as on', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      mkdirSync(s.config.stateDir, { recursive: true });
      symlinkSync(join(s.dir, 'nowhere'), join(s.config.stateDir, 'KILL'));
      const r = await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
      assert.match(errorOf(r).message, /kill switch is on/);
    }));

  test('the token and the elicitation paths accept the same text: CONFIRM with surrounding whitespace', () =>
    withServer({ toolsMd: sandboxAccount(), args: ['--confirm-all'] }, async (s) => {
      const p = structured(
        await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
      );
      const r = await s.call('confirm_action', { token: p.token, confirmation: ' CONFIRM\n' });
      assert.ok(!r.isError, JSON.stringify(r.structuredContent));
    }));

  test('free text the agent typed appears quoted and on one line in the summary', () =>
    withServer({ toolsMd: sandboxAccount(), args: ['--confirm-all'] }, async (s) => {
      const p = structured(await s.call('create_special_key', { apiName: 'bot" on play (Sandbox). Nothing happens' }));
      assert.equal(p.status, 'confirmation_required');
      assert.match(
        p.summary,
        /^Create special API key "bot\\" on play \(Sandbox\)\. Nothing happens" for cross margin/,
      );
      const nl = await s.call('create_special_key', { apiName: 'bot\nreally' });
      assert.equal(nl.isError, true, 'a newline is refused');
    }));
});

const stateDirOf: { current?: string; dir?: string } = {};

describe('an intent without an outcome counts', () => {
  test(
    'after a crash mid-order the daily cap counts the intent, server_status lists it, and reconcile_actions ' +
      'settles it without resending',
    async () => {
      const stateDir = mkdtempSync(join(tmpdir(), 'bmm-state-'));
      try {
        const opts = { toolsMd: sandboxAccount({ 'Max Daily Value': '2000' }), env: { BINANCE_STATE_DIR: stateDir } };
        // A crash between the intent and the answer leaves only the intent line.
        const month = new Date().toISOString().slice(0, 7);
        mkdirSync(join(stateDir, 'journal'), { recursive: true });
        const intent = {
          time: new Date(Date.now() - 120_000).toISOString(),
          id: 'crashed-1',
          phase: 'intent',
          account: 'main',
          environment: 'sandbox',
          endpoint: 'POST /sapi/v1/margin/order',
          tool: 'place_order',
          params: {
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'MARKET',
            quantity: '0.025',
            newClientOrderId: 'agent-crashed00000000001',
          },
          clientOrderId: 'agent-crashed00000000001',
          valueUsdt: 1500,
        };
        writeFileSync(join(stateDir, 'journal', `${month}.jsonl`), `${JSON.stringify(intent)}\n`, { mode: 0o600 });
        await withServer(opts, async (s) => {
          const st = structured(await s.call('server_status'));
          assert.equal(st.unresolvedWrites.length, 1);
          assert.equal(st.unresolvedWrites[0].clientOrderId, 'agent-crashed00000000001');
          // 1500 more
          const r = await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.025' });
          assert.equal(errorOf(r)?.kind, 'policy');
          assert.match(errorOf(r).message, /1,500 USDT were used in the last 24 h/);
          // Reconciliation: the order never reached this sandbox, so it is not found and stops counting.
          const rec = structured(await s.call('reconcile_actions')).reconciled;
          assert.deepEqual(
            rec.map((x: { outcome: string }) => x.outcome),
            ['not_found'],
          );
          assert.equal(await orderWrites(s), 0, 'nothing was resent');
          assert.equal(structured(await s.call('server_status')).unresolvedWrites, undefined);
          assert.ok(
            !(await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.025' }))
              .isError,
          );
        });
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  );

  test('an order found by its client id is settled as executed', () =>
    withServer({ toolsMd: sandboxAccount({ 'Max Daily Value': '5000' }) }, async (s) => {
      const sb = await sandbox(s);
      sb.wire.inject({
        fault: { kind: 'reset' },
        afterExecute: true,
        times: 20,
        match: (r) => r.path === '/sapi/v1/margin/order',
      });
      const r = await s.call('place_order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.001',
        newClientOrderId: 'lost-2',
      });
      assert.equal(errorOf(r)?.kind, 'unknown_outcome', JSON.stringify(r.structuredContent));
      sb.wire.clearFaults();
      assert.equal(structured(await s.call('server_status')).unresolvedWrites.length, 1);
      const rec = structured(await s.call('reconcile_actions')).reconciled;
      assert.deepEqual(
        rec.map((x: { outcome: string }) => x.outcome),
        ['executed'],
      );
      assert.equal(sb.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1);
      const last = journalLines(s).at(-1);
      assert.equal(last.phase, 'result');
      assert.equal(last.reconciled, true);
    }));
});

describe('prices fail closed', () => {
  for (const price of ['0', '-5', 'NaN', 'Infinity', '1e-300', 'abc']) {
    test(`a price index of ${price} refuses the write, naming the symbol and the price`, () =>
      withServer({ toolsMd: sandboxAccount({ 'Max Order Value': '1000' }) }, async (s) => {
        const sb = await sandbox(s);
        sb.wire.inject({
          fault: { kind: 'status', status: 200, body: JSON.stringify({ calcTime: 1, price, symbol: 'BTCUSDT' }) },
          times: 5,
          match: (r) => r.path === '/sapi/v1/margin/priceIndex',
        });
        const r = await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '1',
          price: '1',
        });
        assert.equal(errorOf(r)?.kind, 'policy', JSON.stringify(r.structuredContent));
        assert.match(errorOf(r).message, new RegExp(`price index of BTCUSDT is "${price.replace(/[.+-]/g, '\\$&')}"`));
        assert.equal(await orderWrites(s), 0);
      }));
  }
});

describe('redaction stays bounded', () => {
  test('100 show_account calls of an Ed25519 account do not grow the redactor', () => {
    const { privateKey } = ed25519KeyPair();
    return withServer(
      {
        toolsMd: toolsMd([
          {
            name: 'main',
            fields: { 'API Key': KEY, Environment: 'Sandbox', Signing: 'Ed25519', 'Private Key File': 'ed.pem' },
          },
        ]),
        files: { 'ed.pem': privateKey },
      },
      async (s) => {
        assert.ok(!(await s.call('show_account')).isError);
        const size = redactor.size;
        for (let i = 0; i < 100; i++) await s.call('show_account');
        assert.equal(redactor.size, size);
      },
    );
  });
});

describe('after Binance accepted a write, no error invites a retry', () => {
  test('a journal that cannot take the result line still returns Binance’s result', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      const journal = s.handle.journal;
      const append = journal.append.bind(journal);
      journal.append = (entry, durable) => {
        if (entry.phase === 'result') throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        append(entry, durable);
      };
      const r = await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
      assert.ok(!r.isError, JSON.stringify(r.structuredContent));
      assert.equal(structured(r).data.status, 'FILLED');
      assert.ok(s.logs.some((l) => /outcome of a write could not be journaled/.test(l)));
    }));

  test('a special key whose secret cannot be saved comes back masked with a warning, not an error', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      mkdirSync(s.config.stateDir, { recursive: true });
      writeFileSync(join(s.config.stateDir, 'special-keys'), 'not a directory');
      const r = await s.call('create_special_key', { apiName: 'bot' });
      assert.ok(!r.isError, JSON.stringify(r.structuredContent));
      const data = structured(r).data;
      assert.match(data.warning, /could not be saved.*Do NOT create another key/);
      assert.match(data.secretKey, /^\*\*\*\.\.\./);
    }));
});

describe('the daily cap across processes and faults', () => {
  test('writes of one account wait for each other through the lock file, even across server instances', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bmm-state-'));
    // Both servers value orders at 60000 through the stand-in's price index.
    const standIn = await startMainnet(KEY, SECRET);
    const opts = {
      toolsMd: toolsMd([
        { name: 'main', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Mainnet', 'Max Daily Value': '1000' } },
      ]),
      env: { BINANCE_STATE_DIR: stateDir, BINANCE_MAINNET_BASE_URL: standIn.url },
    };
    const a = await startServer(opts);
    const b = await startServer(opts);
    try {
      const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }; // 600 each
      const [pa, pb] = await Promise.all([a.call('place_order', order), b.call('place_order', order)]).then((rs) =>
        rs.map(structured),
      );
      const results = await Promise.all([
        a.call('confirm_action', { token: pa.token, confirmation: 'CONFIRM' }),
        b.call('confirm_action', { token: pb.token, confirmation: 'CONFIRM' }),
      ]);
      assert.equal(
        results.filter((r) => !r.isError).length,
        1,
        JSON.stringify(results.map((r) => r.structuredContent)),
      );
      assert.match(errorOf(results.find((r) => r.isError)!).message, /Max Daily Value/);
      assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1);
    } finally {
      await a.close();
      await b.close();
      await standIn.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
