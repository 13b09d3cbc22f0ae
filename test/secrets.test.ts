/**
 * No API key, secret, private key, passphrase or signature in any tool result, error,
 * log line or journal line; no accounts-file path in any result or error. Every
 * account tool and a sample of endpoint tools are driven through success and every
 * error kind, and everything they produced is scanned.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CATALOG } from '../src/catalog/index.js';
import { startServer, structured, toolsMd } from './helpers/mcp.js';
import { ed25519KeyPair, randomApiKey, randomSecret, rsaKeyPair } from './helpers/keys.js';
import { startStandIn } from './helpers/standin.js';

test('credentials never leave in results, errors, logs or the journal', async () => {
  const standIn = await startStandIn(CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })));
  const main = { key: randomApiKey(), secret: randomSecret() };
  const passphrase = 'correct horse battery staple';
  const rsa = rsaKeyPair(passphrase);
  const ed = ed25519KeyPair();
  const rsaKey = randomApiKey();
  const edKey = randomApiKey();
  const extra = { key: randomApiKey(), secret: randomSecret() };
  standIn.wire.addKey({ apiKey: main.key, accountId: 'main', hmacSecret: main.secret });

  const s = await startServer({
    toolsMd: toolsMd([
      { name: 'main', fields: { 'API Key': main.key, Secret: main.secret, Environment: 'Mainnet' } },
      {
        name: 'rsa',
        fields: {
          'API Key': rsaKey,
          Signing: 'RSA',
          'Private Key File': 'rsa.pem',
          'Private Key Passphrase': passphrase,
          Environment: 'Sandbox',
        },
      },
      {
        name: 'ed',
        fields: { 'API Key': edKey, Signing: 'Ed25519', 'Private Key File': 'ed.pem', Environment: 'Sandbox' },
      },
    ]),
    files: { 'rsa.pem': rsa.privateKey, 'ed.pem': ed.privateKey, 'creds.txt': `${extra.key}\n${extra.secret}\n` },
    env: { BINANCE_MAINNET_BASE_URL: standIn.url, BINANCE_TIMEOUT_MS: '400' },
  });
  const results: CallToolResult[] = [];
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await s.call(name, args);
    results.push(r);
    return r;
  };
  const kinds = new Set<string>();
  const note = (r: CallToolResult) => {
    if (r.isError) kinds.add((r.structuredContent as { error: { kind: string } }).error.kind);
    return r;
  };
  try {
    // account tools
    await call('list_accounts');
    for (const account of ['main', 'rsa', 'ed']) await call('show_account', { account });
    await call('add_account', {
      name: 'extra',
      environment: 'Sandbox',
      signing: 'HMAC',
      credentialsFile: join(s.dir, 'creds.txt'),
    });
    note(
      await call('add_account', {
        name: 'extra',
        environment: 'Sandbox',
        signing: 'HMAC',
        apiKey: extra.key,
        secret: extra.secret,
      }),
    );
    note(await call('add_account', { name: 'nope', apiKey: extra.key, secret: extra.secret }));
    note(await call('show_account', { account: 'ghost' }));
    await call('server_status');

    // successes on every scheme
    for (const account of ['rsa', 'ed', 'extra'])
      assert.ok(!(await call('get_cross_margin_account', { account })).isError, account);
    const created = await call('create_special_key', { apiName: 'fast', account: 'rsa' });
    assert.ok(!created.isError, JSON.stringify(created.structuredContent));
    const sb = await s.handle.hosts.sandboxInstance();
    sb.wire.recording = true; // the test recorder; a user's server never records
    const special = sb.exchange.keys.specialKeys('rsa').find((k) => k.apiName === 'fast')!;
    assert.ok(special.secretKey, 'the sandbox made an HMAC special key with a secret');
    const savedTo = structured(created).data.secretKeySavedTo as string;
    assert.equal(
      readFileSync(savedTo, 'utf8'),
      `${special.apiKey}\n${special.secretKey}\n`,
      'the secret is saved to a private file, not lost',
    );
    await call('list_special_keys', { account: 'rsa' });
    await call('get_special_key', { account: 'rsa' });
    const pending = structured(
      await call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
    );
    note(await call('confirm_action', { token: pending.token, confirmation: 'yes' }));
    await call('confirm_action', { token: pending.token, confirmation: 'CONFIRM' });
    await call('list_pending_actions');

    // every error kind
    note(await call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1' })); // validation
    standIn.wire.inject({
      fault: { kind: 'binance', code: -2015, msg: `Invalid API-key, IP, or permissions for action. key=${main.key}` },
      match: (r) => r.path === '/sapi/v1/margin/account',
    });
    note(await call('get_cross_margin_account')); // binance (and the key in Binance's text must be scrubbed)
    standIn.wire.inject({ fault: { kind: 'hang' }, times: 3, match: (r) => r.path === '/sapi/v1/margin/tradeCoeff' });
    note(await call('get_margin_level_thresholds')); // network
    note(await call('get_cross_margin_account', { account: 'nobody' })); // config
    writeFileSync(join(s.config.stateDir, 'KILL'), '');
    note(await call('enable_isolated_account', { symbol: 'BTCUSDT', account: 'ed' })); // policy
    readdirSync(s.config.stateDir).includes('KILL') &&
      (await import('node:fs')).unlinkSync(join(s.config.stateDir, 'KILL'));
    standIn.wire.inject({
      fault: { kind: 'reset' },
      match: (r) => r.method === 'POST' && r.path === '/sapi/v1/margin/max-leverage',
    });
    const lev = structured(await call('set_max_leverage', { maxLeverage: 3 }));
    note(await call('confirm_action', { token: lev.token, confirmation: 'CONFIRM' })); // unknown_outcome
    // last: after a 429 the host is held back for Retry-After
    standIn.wire.inject({ fault: { kind: 'too-many', retryAfter: 30 }, match: (r) => r.path === '/sapi/v1/bnbBurn' });
    note(await call('get_bnb_burn_status')); // rate_limit
    await call('recent_actions', { limit: 200 });
    assert.deepEqual([...kinds].sort(), [
      'binance',
      'config',
      'confirmation',
      'network',
      'policy',
      'rate_limit',
      'unknown_outcome',
      'validation',
    ]);

    // what could leak
    const signatures = [...standIn.wire.requests, ...sb.wire.requests]
      .map((r) => /signature=([^&]+)/.exec(r.rawQuery)?.[1])
      .filter(Boolean) as string[];
    assert.ok(signatures.length > 5);
    const pemBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    const secrets = [
      main.key,
      main.secret,
      rsaKey,
      edKey,
      extra.key,
      extra.secret,
      passphrase,
      special.apiKey,
      special.secretKey!,
      ...pemBody(rsa.privateKey),
      ...pemBody(ed.privateKey),
      ...signatures,
      ...signatures.map(decodeURIComponent),
    ];
    const journalDir = join(s.config.stateDir, 'journal');
    const haystacks: [string, string][] = [
      ...results.map((r, i) => [`result ${i}`, JSON.stringify(r)] as [string, string]),
      ...s.logs.map((l, i) => [`log ${i}`, l] as [string, string]),
      ...readdirSync(journalDir).map(
        (f) => [`journal ${f}`, readFileSync(join(journalDir, f), 'utf8')] as [string, string],
      ),
    ];
    assert.ok(s.logs.length > 10, 'the server logged');
    for (const [where, text] of haystacks) {
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `${where} contains a credential (${secret.slice(0, 3)}…)`);
      if (where.startsWith('result')) {
        assert.ok(
          !text.includes(s.config.toolsMdPath) && !text.includes('TOOLS.md'),
          `${where} names the accounts file`,
        );
        assert.ok(!text.includes('rsa.pem') && !text.includes('creds.txt'), `${where} names a key or credentials file`);
      }
    }
  } finally {
    await s.close();
    await standIn.close();
  }
});

test('the redactor: every form of a credential is found and replaced; clean text passes untouched', async () => {
  const { Redactor } = await import('../src/safety/redact.js');
  const r = new Redactor();
  const secret = 'S3cr3t+/=With-Symbols_0123456789';
  const pem = ed25519KeyPair().privateKey;
  r.add(secret, 'secret');
  r.add(pem, 'privateKey');
  const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'))[0];
  for (const leak of [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    body,
    'signature=abcdef0123',
    pem,
  ]) {
    assert.equal(r.mayHold(`x ${leak} y`), true, leak);
    const out = r.scrubText(`x ${leak} y`);
    assert.ok(!out.includes(secret) && !out.includes(body) && !out.includes('abcdef0123'), out);
  }
  assert.equal(r.mayHold('{"asset":"BTC","free":"0.1"}'), false);
  assert.equal(r.mayHold('{"apiKey":"x"}'), true, 'a credential-named field is always scrubbed');
});
