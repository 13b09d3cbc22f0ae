/**
 * One account from the environment (issue 21): BINANCE_API_KEY with BINANCE_API_SECRET
 * or BINANCE_PRIVATE_KEY_FILE, BINANCE_ENVIRONMENT and the limit variables define the
 * account `main` when no TOOLS.md is found. It signs like a TOOLS.md account, is
 * masked like one, is Mainnet (so gated) unless told otherwise, and a limit that does
 * not parse refuses its writes, naming the variable.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { accountFromEnv } from '../src/accounts/environment.js';
import { parseToolsMd } from '../src/accounts/toolsmd.js';
import { CATALOG } from '../src/catalog/index.js';
import { parseConfig } from '../src/config.js';
import { errorOf, startServer, structured, toolsMd } from './helpers/mcp.js';
import { ed25519KeyPair, randomApiKey, randomSecret, rsaKeyPair } from './helpers/keys.js';
import { startStandIn } from './helpers/standin.js';

const cwd = '/nowhere';

describe('accountFromEnv', () => {
  test('no credential variable, no account and no issue (limits alone do not make one)', () => {
    assert.deepEqual(accountFromEnv({}, { cwd }), { issues: [] });
    assert.deepEqual(
      accountFromEnv({ BINANCE_API_KEY: '', BINANCE_API_SECRET: '  ', BINANCE_MAX_ORDER_VALUE: '10' }, { cwd }),
      { issues: [] },
      'a bundle passes fields left empty as ""',
    );
  });

  test('an HMAC key: the account main, Mainnet by default, limits read like TOOLS.md reads them', () => {
    const key = randomApiKey();
    const secret = randomSecret();
    const { account, issues } = accountFromEnv(
      {
        BINANCE_API_KEY: ` ${key} `,
        BINANCE_API_SECRET: secret,
        BINANCE_MAX_ORDER_VALUE: '500',
        BINANCE_MAX_BORROW_VALUE: '1,000',
        BINANCE_MAX_DAILY_VALUE: '2000 USDT',
        BINANCE_ALLOWED_SYMBOLS: 'btcusdt, ETHUSDT',
      },
      { cwd },
    );
    assert.deepEqual(issues, []);
    assert.equal(account!.name, 'main');
    assert.equal(account!.environment, 'Mainnet');
    assert.equal(account!.signing, 'HMAC');
    assert.equal(account!.apiKey, key);
    assert.equal(account!.secret, secret);
    const same = parseToolsMd(
      toolsMd([
        {
          name: 'main',
          fields: {
            'API Key': key,
            Secret: secret,
            'Max Order Value': '500',
            'Max Borrow Value': '1,000',
            'Max Daily Value': '2000 USDT',
            'Allowed Symbols': 'btcusdt, ETHUSDT',
          },
        },
      ]),
    ).accounts[0];
    assert.deepEqual(account!.limits, same.limits);
    assert.deepEqual(account!.limits, {
      maxOrderValue: 500,
      maxBorrowValue: 1000,
      maxDailyValue: 2000,
      allowedSymbols: ['BTCUSDT', 'ETHUSDT'],
    });
    assert.equal(
      accountFromEnv({ BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, BINANCE_MAX_TRANSFER_VALUE: '250.5' }, { cwd })
        .account!.limits.maxTransferValue,
      250.5,
    );
    assert.equal(
      accountFromEnv({ BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, BINANCE_ENVIRONMENT: 'sandbox' }, { cwd })
        .account!.environment,
      'Sandbox',
    );
    assert.equal(
      accountFromEnv({ BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, BINANCE_ENVIRONMENT: 'Testnet' }, { cwd })
        .account!.environment,
      'Testnet',
    );
  });

  test(
    'a private key file: RSA or Ed25519 told from the key, relative to the working directory, a passphrase for ' +
      'an encrypted one',
    () => {
      const ed = ed25519KeyPair();
      const rsa = rsaKeyPair('pass phrase 1234');
      const files: Record<string, string> = {
        '/keys/ed.pem': ed.privateKey,
        '/keys/rsa.pem': rsa.privateKey,
        '/keys/junk.pem': 'not a key',
      };
      const readFile = (p: string) => {
        if (!(p in files)) throw new Error('ENOENT');
        return files[p];
      };
      const key = randomApiKey();
      const edAccount = accountFromEnv(
        { BINANCE_API_KEY: key, BINANCE_PRIVATE_KEY_FILE: 'ed.pem' },
        { cwd: '/keys', readFile },
      ).account!;
      assert.equal(edAccount.signing, 'Ed25519');
      assert.equal(edAccount.privateKeyFile, '/keys/ed.pem');
      assert.equal(edAccount.secret, undefined);
      const rsaAccount = accountFromEnv(
        {
          BINANCE_API_KEY: key,
          BINANCE_PRIVATE_KEY_FILE: '/keys/rsa.pem',
          BINANCE_PRIVATE_KEY_PASSPHRASE: 'pass phrase 1234',
        },
        { cwd, readFile },
      ).account!;
      assert.equal(rsaAccount.signing, 'RSA');
      assert.equal(rsaAccount.passphrase, 'pass phrase 1234');
      const fields = (env: Record<string, string>) => accountFromEnv(env, { cwd: '/keys', readFile });
      assert.match(
        fields({ BINANCE_API_KEY: key, BINANCE_PRIVATE_KEY_FILE: 'rsa.pem' }).issues[0].message,
        /set BINANCE_PRIVATE_KEY_PASSPHRASE/,
      );
      assert.match(
        fields({ BINANCE_API_KEY: key, BINANCE_PRIVATE_KEY_FILE: 'rsa.pem', BINANCE_PRIVATE_KEY_PASSPHRASE: 'wrong' })
          .issues[0].message,
        /PASSPHRASE is wrong/,
      );
      assert.match(
        fields({ BINANCE_API_KEY: key, BINANCE_PRIVATE_KEY_FILE: 'junk.pem' }).issues[0].message,
        /not a readable PEM/,
      );
      assert.match(
        fields({ BINANCE_API_KEY: key, BINANCE_PRIVATE_KEY_FILE: 'gone.pem' }).issues[0].message,
        /could not be read/,
      );
      // The default reader is TOOLS.md's: a regular PEM file only (a directory, a device or a FIFO is refused).
      assert.match(
        accountFromEnv({ BINANCE_API_KEY: key, BINANCE_PRIVATE_KEY_FILE: '/dev/null' }, { cwd }).issues[0].message,
        /is not a regular file/,
      );
      assert.match(
        accountFromEnv({ BINANCE_API_KEY: key, BINANCE_PRIVATE_KEY_FILE: '/nonexistent/k.pem' }, { cwd }).issues[0]
          .message,
        /could not be opened/,
      );
    },
  );

  test(
    'what is missing or malformed is an issue that names the variable, never its value, and leaves no ' + 'account',
    () => {
      const key = randomApiKey();
      const secret = randomSecret();
      const cases: [Record<string, string>, string][] = [
        [{ BINANCE_API_SECRET: secret }, 'BINANCE_API_KEY'],
        [{ BINANCE_API_KEY: 'short', BINANCE_API_SECRET: secret }, 'BINANCE_API_KEY'],
        [{ BINANCE_API_KEY: key }, 'BINANCE_API_SECRET'],
        [
          { BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, BINANCE_PRIVATE_KEY_FILE: '/k.pem' },
          'BINANCE_PRIVATE_KEY_FILE',
        ],
        [{ BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, BINANCE_ENVIRONMENT: 'Moonnet' }, 'BINANCE_ENVIRONMENT'],
      ];
      for (const [env, field] of cases) {
        const r = accountFromEnv(env, { cwd });
        assert.equal(r.account, undefined, field);
        assert.deepEqual(
          r.issues.map((i) => [i.account, i.field]),
          [['main', field]],
        );
        const text = JSON.stringify(r.issues);
        assert.ok(!text.includes(key) && !text.includes(secret) && !text.includes('Moonnet'), text);
      }
    },
  );

  test(
    'a limit that does not parse is not dropped: a policy problem naming the variable, on the account, that ' +
      'blocks its writes',
    () => {
      const key = randomApiKey();
      const secret = randomSecret();
      for (const [name, value] of [
        ['BINANCE_MAX_ORDER_VALUE', 'five hundred'],
        ['BINANCE_MAX_ORDER_VALUE', '5e3'],
        ['BINANCE_MAX_BORROW_VALUE', '-1'],
        ['BINANCE_MAX_DAILY_VALUE', '0'],
        ['BINANCE_MAX_TRANSFER_VALUE', '1.000.000'],
        ['BINANCE_ALLOWED_SYMBOLS', 'BTC/USDT'],
        ['BINANCE_ALLOWED_SYMBOLS', ' , '],
      ]) {
        const r = accountFromEnv({ BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, [name]: value }, { cwd });
        assert.deepEqual(
          r.issues.map((i) => [i.field, i.blocksWrites]),
          [[name, true]],
          `${name}=${value}`,
        );
        assert.ok(r.account, 'the account is there, to read');
        assert.deepEqual(r.account.policyProblems, r.issues);
        assert.deepEqual(r.account.limits, {});
        if (value.trim().length > 1)
          assert.ok(!JSON.stringify(r.issues).includes(value.trim()), 'the value is not repeated');
      }
    },
  );

  test(
    'parseConfig hands the store a copy of the variables, the key file made absolute against the working ' +
      'directory',
    () => {
      const config = parseConfig(
        [],
        { BINANCE_API_KEY: 'k', BINANCE_PRIVATE_KEY_FILE: 'keys/ed.pem', BINANCE_MAX_DAILY_VALUE: '9', PATH: '/bin' },
        '/work/dir',
      );
      assert.ok(typeof config === 'object');
      assert.equal(config.accountEnv.BINANCE_API_KEY, 'k');
      assert.equal(config.accountEnv.BINANCE_PRIVATE_KEY_FILE, '/work/dir/keys/ed.pem');
      assert.equal(config.accountEnv.BINANCE_MAX_DAILY_VALUE, '9');
      assert.ok(!('PATH' in config.accountEnv));
    },
  );

  test("a desktop bundle's unreplaced placeholder for a field left empty counts as unset", () => {
    const config = parseConfig(
      [],
      {
        BINANCE_TOOLS_MD: '${user_config.tools_md}',
        BINANCE_MAX_ORDER_VALUE: '${user_config.max_order_value}',
        BINANCE_READ_ONLY: '${user_config.read_only}',
        BINANCE_STATE_DIR: '/state',
      },
      '/work/dir',
    );
    assert.ok(typeof config === 'object');
    assert.equal(
      config.toolsMdPath,
      '/state/TOOLS.md',
      'the default accounts file, not a file named after the placeholder',
    );
    assert.equal(config.accountEnv.BINANCE_MAX_ORDER_VALUE, undefined);
  });
});

describe('the environment account in the server', () => {
  test(
    'signs with HMAC and Ed25519 on Mainnet (a loopback stand-in checks the signatures); reads run, writes stop ' +
      'at the gate',
    async () => {
      const standIn = await startStandIn(
        CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })),
      );
      const hmac = { key: randomApiKey(), secret: randomSecret() };
      standIn.wire.addKey({ apiKey: hmac.key, accountId: 'env-hmac', hmacSecret: hmac.secret });
      const ed = ed25519KeyPair();
      const edKey = randomApiKey();
      standIn.wire.addPublicKey(edKey, 'env-ed', ed.publicKey);
      try {
        for (const [label, env, files] of [
          ['HMAC', { BINANCE_API_KEY: hmac.key, BINANCE_API_SECRET: hmac.secret }, {}],
          ['Ed25519', { BINANCE_API_KEY: edKey, BINANCE_PRIVATE_KEY_FILE: 'ed.pem' }, { 'ed.pem': ed.privateKey }],
        ] as const) {
          // No toolsMd: the file the server is pointed at does not exist.
          const s = await startServer({ env: { ...env, BINANCE_MAINNET_BASE_URL: standIn.url }, files });
          try {
            const before = standIn.wire.requests.length;
            const read = await s.call('get_cross_margin_account');
            assert.notEqual(read.isError, true, `${label}: ${JSON.stringify(read.structuredContent)}`);
            assert.equal(structured(read).account, 'main');
            assert.equal(structured(read).environment, 'mainnet');
            const sent = standIn.wire.requests.slice(before).filter((r) => r.path === '/sapi/v1/margin/account');
            assert.equal(sent.length, 1, `${label}: one signed request reached the stand-in`);
            assert.match(sent[0].rawQuery, /signature=/);
            const order = structured(
              await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
            );
            assert.equal(order.status, 'confirmation_required', `${label}: Mainnet by default, so the gate asks`);
            assert.match(order.summary, /on main \(Mainnet\)/);
            const status = structured(await s.call('server_status'));
            assert.equal(status.mode.sandbox, false);
            assert.equal(status.mode.realMoney, true);
            assert.deepEqual(
              status.accounts.map((a: { name: string; signing: string }) => [a.name, a.signing]),
              [['main', label]],
            );
          } finally {
            await s.close();
          }
        }
      } finally {
        await standIn.close();
      }
    },
  );

  test(
    'masked like every credential: never in show_account, list_accounts, server_status, errors ' + 'or logs',
    async () => {
      const key = randomApiKey();
      const secret = randomSecret();
      const passphrase = 'env passphrase 98765';
      const rsa = rsaKeyPair(passphrase);
      const pemBody = rsa.privateKey.split('\n').filter((l) => l && !l.startsWith('-----'));
      for (const env of [
        {
          BINANCE_API_KEY: key,
          BINANCE_API_SECRET: secret,
          BINANCE_ENVIRONMENT: 'Sandbox',
          BINANCE_MAX_ORDER_VALUE: '50',
        } as Record<string, string>,
        {
          BINANCE_API_KEY: key,
          BINANCE_PRIVATE_KEY_FILE: 'rsa.pem',
          BINANCE_PRIVATE_KEY_PASSPHRASE: passphrase,
          BINANCE_ENVIRONMENT: 'Sandbox',
        },
      ]) {
        const s = await startServer({ env, files: { 'rsa.pem': rsa.privateKey } });
        const results: CallToolResult[] = [];
        const call = async (name: string, args: Record<string, unknown> = {}) => {
          const r = await s.call(name, args);
          results.push(r);
          return r;
        };
        try {
          const shown = structured(await call('show_account'));
          assert.equal(shown.name, 'main');
          assert.equal(shown.apiKey, `${key.slice(0, 5)}...${key.slice(-4)}`);
          if (env.BINANCE_API_SECRET) assert.equal(shown.secret, `***...${secret.slice(-5)}`);
          else assert.match(shown.privateKey, /^\*\*\*\.\.\./);
          const listed = structured(await call('list_accounts'));
          assert.deepEqual(
            listed.accounts.map((a: { label: string }) => a.label),
            ['main (Sandbox)'],
          );
          assert.equal(listed.note, undefined, 'not the sandbox demo account');
          await call('server_status');
          assert.notEqual(
            (await call('get_cross_margin_account')).isError,
            true,
            'the sandbox learns the key and checks the signature',
          );
          // over the limit, or unaffordable
          await call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1000' });
          await call('get_cross_margin_account', { account: 'nobody' });
          const haystacks = [...results.map((r) => JSON.stringify(r)), ...s.logs];
          assert.ok(s.logs.length > 3);
          for (const text of haystacks)
            for (const value of [key, secret, passphrase, ...pemBody])
              assert.ok(!text.includes(value), `a credential leaked: ${text.slice(0, 200)}`);
        } finally {
          await s.close();
        }
      }
    },
  );

  test(
    'limits from the environment apply; one that does not parse leaves reads and refuses writes with a config ' +
      'error naming the variable, nothing sent',
    async () => {
      const key = randomApiKey();
      const secret = randomSecret();
      const ok = await startServer({
        env: {
          BINANCE_API_KEY: key,
          BINANCE_API_SECRET: secret,
          BINANCE_ENVIRONMENT: 'Sandbox',
          BINANCE_ALLOWED_SYMBOLS: 'BTCUSDT',
        },
      });
      try {
        const refused = await ok.call('place_order', {
          symbol: 'ETHUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.01',
        });
        assert.equal(errorOf(refused).kind, 'policy');
        assert.match(errorOf(refused).message, /Allowed Symbols \(BTCUSDT\)/);
        assert.deepEqual(structured(await ok.call('list_accounts')).accounts[0].limits, {
          allowedSymbols: ['BTCUSDT'],
        });
      } finally {
        await ok.close();
      }

      const bad = await startServer({
        env: {
          BINANCE_API_KEY: key,
          BINANCE_API_SECRET: secret,
          BINANCE_ENVIRONMENT: 'Sandbox',
          BINANCE_MAX_ORDER_VALUE: '5OO',
        },
      });
      try {
        assert.notEqual((await bad.call('get_cross_margin_account')).isError, true, 'reads still run');
        const write = await bad.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.001',
        });
        assert.equal(write.isError, true);
        assert.equal(errorOf(write).kind, 'config');
        assert.match(
          errorOf(write).message,
          /BINANCE_MAX_ORDER_VALUE.*is not a positive number of USDT.*writes are refused/,
        );
        assert.ok(!JSON.stringify(write).includes('5OO'));
        const sb = await bad.handle.hosts.sandboxInstance();
        assert.equal(sb.wire.requests.filter((r) => r.method === 'POST').length, 0, 'no write reached the exchange');
        const listed = structured(await bad.call('list_accounts'));
        assert.ok(
          listed.problems.some((p: string) => /account "main": BINANCE_MAX_ORDER_VALUE/.test(p)),
          'list_accounts reports it',
        );
        assert.equal(
          structured(await bad.call('server_status')).mode.sandbox,
          false,
          'never silently the sandbox demo account instead',
        );
      } finally {
        await bad.close();
      }
    },
  );

  test(
    'Testnet is refused as for a TOOLS.md account; a TOOLS.md, when there is one, wins; add_account still ' +
      'writes TOOLS.md',
    async () => {
      const key = randomApiKey();
      const secret = randomSecret();
      const testnet = await startServer({
        env: { BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, BINANCE_ENVIRONMENT: 'Testnet' },
      });
      try {
        const r = await testnet.call('get_cross_margin_account');
        assert.equal(errorOf(r).kind, 'config');
        assert.match(errorOf(r).message, /Spot Testnet, which serves no margin endpoints/);
      } finally {
        await testnet.close();
      }

      const fileKey = randomApiKey();
      const withFile = await startServer({
        toolsMd: toolsMd([
          { name: 'filed', fields: { 'API Key': fileKey, Secret: randomSecret(), Environment: 'Sandbox' } },
        ]),
        env: { BINANCE_API_KEY: key, BINANCE_API_SECRET: secret },
      });
      try {
        assert.deepEqual(
          structured(await withFile.call('list_accounts')).accounts.map((a: { name: string }) => a.name),
          ['filed'],
        );
      } finally {
        await withFile.close();
      }

      const adding = await startServer({
        env: { BINANCE_API_KEY: key, BINANCE_API_SECRET: secret, BINANCE_ENVIRONMENT: 'Sandbox' },
      });
      try {
        const extraKey = randomApiKey();
        const added = await adding.call('add_account', {
          name: 'second',
          environment: 'Sandbox',
          signing: 'HMAC',
          apiKey: extraKey,
          secret: randomSecret(),
        });
        assert.notEqual(added.isError, true, JSON.stringify(added.structuredContent));
        const file = readFileSync(adding.config.toolsMdPath, 'utf8');
        assert.match(file, /### second/);
        assert.ok(
          !file.includes(key) && !file.includes(secret),
          'the environment credentials are not copied into TOOLS.md',
        );
      } finally {
        await adding.close();
      }
    },
  );
});
