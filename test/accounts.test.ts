/** TOOLS.md: parsing, account choice, hot reload, masking, add_account, Testnet, overrides. */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseToolsMd, withAccount } from '../src/accounts/toolsmd.js';
import { parseConfig, UsageError } from '../src/config.js';
import { maskApiKey, maskSecret } from '../src/safety/redact.js';
import { errorOf, startServer, structured, toolsMd } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';

const KEY = 'su1QcAbCdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFgHiJkLmNoP8akf';
const SECRET = 'ThisIsAVerySecretValueOfTheUser1234567890abcdeXYZ12';

describe('parsing TOOLS.md', () => {
  test('every field, any case and spacing, defaults for the optional ones', () => {
    const text = `# notes
## Binance Accounts

### main
- API Key: ${KEY}
-   secret   :   ${SECRET}
- ENVIRONMENT: mainnet
- signing: hmac
- Description: Primary trading account
- Max Order Value: 500
- max borrow value: 1,000
- Max Daily Value: 2000 USDT
- Allowed Symbols: BTCUSDT, ethusdt
- Favourite Colour: blue

### ed
* API Key: \`EdKeyEdKeyEdKeyEdKey\`
* Signing: Ed25519
* Private Key File: keys/ed.pem
* Private Key Passphrase: hunter2hunter2

### defaults
- API Key: DefaultKey123
- Secret: DefaultSecret123

## Not accounts
### ignored
- API Key: nope
`;
    const { accounts, issues } = parseToolsMd(text);
    // An unknown field is kept, and reported: it may be a misspelled limit.
    assert.deepEqual(issues, [
      {
        account: 'main',
        field: 'Favourite Colour',
        message: 'is not a field this server knows (misspelled?)',
        blocksWrites: true,
      },
    ]);
    assert.deepEqual(
      accounts.map((a) => a.name),
      ['main', 'ed', 'defaults'],
    );
    const [main, ed, def] = accounts;
    assert.equal(main.apiKey, KEY);
    assert.equal(main.secret, SECRET);
    assert.equal(main.environment, 'Mainnet');
    assert.equal(main.signing, 'HMAC');
    assert.equal(main.description, 'Primary trading account');
    assert.deepEqual(main.limits, {
      maxOrderValue: 500,
      maxBorrowValue: 1000,
      maxDailyValue: 2000,
      allowedSymbols: ['BTCUSDT', 'ETHUSDT'],
    });
    assert.deepEqual(main.extra, { 'Favourite Colour': 'blue' });
    assert.equal(ed.signing, 'Ed25519');
    assert.equal(ed.apiKey, 'EdKeyEdKeyEdKeyEdKey');
    assert.equal(ed.privateKeyFile, 'keys/ed.pem');
    assert.equal(ed.passphrase, 'hunter2hunter2');
    assert.equal(def.environment, 'Mainnet', 'Environment defaults to Mainnet');
    assert.equal(def.signing, 'HMAC', 'Signing defaults to HMAC');
  });

  test('a malformed account names the account and the field, never the value, and hides no good account', () => {
    const text = toolsMd([
      { name: 'bad1', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Moonnet' } },
      { name: 'bad2', fields: { 'API Key': KEY, Signing: 'RSA' } },
      { name: 'bad3', fields: { Secret: SECRET } },
      { name: 'bad4', fields: { 'API Key': KEY, Secret: SECRET, 'Max Order Value': '-5' } },
      { name: 'bad5', fields: { 'API Key': KEY, Signing: 'DSA', Secret: SECRET } },
      { name: 'good', fields: { 'API Key': KEY, Secret: SECRET } },
    ]);
    const { accounts, issues } = parseToolsMd(text);
    // bad4 reads, but its writes are refused (a limit that does not parse is never "none").
    assert.deepEqual(
      accounts.map((a) => a.name),
      ['bad4', 'good'],
    );
    assert.deepEqual(
      accounts[0].policyProblems?.map((p) => p.field),
      ['Max Order Value'],
    );
    const by = (n: string) => issues.filter((i) => i.account === n).map((i) => i.field);
    assert.deepEqual(by('bad1'), ['Environment']);
    assert.deepEqual(by('bad2'), ['Private Key File']);
    assert.deepEqual(by('bad3'), ['API Key']);
    assert.deepEqual(by('bad4'), ['Max Order Value']);
    assert.deepEqual(by('bad5'), ['Signing']);
    const all = JSON.stringify(issues);
    assert.ok(!all.includes(SECRET) && !all.includes(KEY) && !all.includes('Moonnet') && !all.includes('DSA'), all);
  });

  test('masking: first 5 and last 4 of a key, last 5 of a secret; short values show less', () => {
    assert.equal(maskApiKey(KEY), 'su1Qc...8akf');
    assert.equal(maskSecret(SECRET), '***...XYZ12');
    assert.equal(maskApiKey('12345678'), '12...78');
    assert.equal(maskApiKey('1234567'), '***');
    assert.equal(maskApiKey('abcdefghijklmnopq'), 'ab...pq'); // 17 chars: 9 shown would be over half
    assert.equal(maskSecret('short-secret'), '***...ret');
    assert.equal(maskSecret('abc'), '***');
    for (const v of ['12345678', 'abcdefghijklmnopq', KEY])
      assert.ok(maskApiKey(v).replace('...', '').length * 2 <= v.length, v);
  });

  test('adding keeps every byte outside the accounts section', () => {
    const before =
      '# Title\r\n\r\nnotes with  trailing spaces  \n\n## Binance Accounts\n\n### main\n- API Key: K1234567890\n- ' +
      'Secret: S1234567890\n\n\n## After\ntext\n\n';
    const out = withAccount(
      before,
      { name: 'second', environment: 'Sandbox', signing: 'HMAC', apiKey: 'K2222222222', secret: 'S2222222222' },
      false,
    ).text;
    const head = before.slice(0, before.indexOf('## Binance Accounts'));
    const tail = before.slice(before.indexOf('## After'));
    assert.ok(out.startsWith(head));
    assert.ok(out.endsWith(tail));
    assert.deepEqual(
      parseToolsMd(out).accounts.map((a) => a.name),
      ['main', 'second'],
    );
    assert.throws(
      () =>
        withAccount(out, { name: 'main', environment: 'Mainnet', signing: 'HMAC', apiKey: 'K3', secret: 'S3' }, false),
      /exists/,
    );
    const replaced = withAccount(
      out,
      { name: 'main', environment: 'Sandbox', signing: 'HMAC', apiKey: 'K3333333333', secret: 'S3333333333' },
      true,
    );
    assert.equal(replaced.replaced, true);
    assert.equal(parseToolsMd(replaced.text).accounts.find((a) => a.name === 'main')!.apiKey, 'K3333333333');
    assert.ok(replaced.text.endsWith(tail) && replaced.text.startsWith(head));
    const fresh = withAccount(
      'just notes',
      { name: 'a', environment: 'Sandbox', signing: 'HMAC', apiKey: 'K4444444444', secret: 'S4444444444' },
      false,
    ).text;
    assert.ok(fresh.startsWith('just notes\n\n## Binance Accounts\n'));
  });
});

describe('account tools', () => {
  test('account choice: main by default, the only account, else ask', async () => {
    const two = toolsMd([
      { name: 'alpha', fields: { 'API Key': randomApiKey(), Secret: randomSecret(), Environment: 'Sandbox' } },
      { name: 'beta', fields: { 'API Key': randomApiKey(), Secret: randomSecret(), Environment: 'Testnet' } },
    ]);
    const s = await startServer({ toolsMd: two });
    try {
      const r = await s.call('show_account');
      assert.equal(r.isError, true);
      assert.equal(errorOf(r).kind, 'config');
      assert.match(errorOf(r).message, /alpha \(Sandbox\), beta \(Testnet\)/);
      const unknown = await s.call('show_account', { account: 'gamma' });
      assert.match(errorOf(unknown).message, /no account named "gamma".*alpha \(Sandbox\)/);
      assert.equal(structured(await s.call('show_account', { account: 'beta' })).environment, 'Testnet');
      const list = structured(await s.call('list_accounts'));
      assert.deepEqual(
        list.accounts.map((a: { label: string }) => a.label),
        ['alpha (Sandbox)', 'beta (Testnet)'],
      );
      // Testnet: clear margin error, nothing sent
      const t = await s.call('get_cross_margin_account', { account: 'beta' });
      assert.equal(errorOf(t).kind, 'config');
      assert.match(errorOf(t).message, /Spot Testnet, which serves no margin endpoints/);
      assert.match(errorOf(t).hint!, /Sandbox/);
    } finally {
      await s.close();
    }
    const one = await startServer({
      toolsMd: toolsMd([{ name: 'solo', fields: { 'API Key': randomApiKey(), Secret: randomSecret() } }]),
    });
    try {
      assert.equal(structured(await one.call('show_account')).name, 'solo');
    } finally {
      await one.close();
    }
  });

  test('show_account masks; an edit of TOOLS.md takes effect without a restart', async () => {
    const s = await startServer({
      toolsMd: toolsMd([
        { name: 'main', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Mainnet', Description: 'Primary' } },
      ]),
    });
    try {
      const shown = structured(await s.call('show_account'));
      assert.deepEqual(
        {
          apiKey: shown.apiKey,
          secret: shown.secret,
          signing: shown.signing,
          environment: shown.environment,
          description: shown.description,
        },
        {
          apiKey: 'su1Qc...8akf',
          secret: '***...XYZ12',
          signing: 'HMAC',
          environment: 'Mainnet',
          description: 'Primary',
        },
      );
      const path = s.config.toolsMdPath;
      writeFileSync(
        path,
        toolsMd([
          { name: 'main', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Sandbox', Description: 'Edited' } },
        ]),
      );
      // Reads learn of the edit from the watch of TOOLS.md's folder (accounts/change-watch.ts),
      // at the latest a second after their last look (test/change-watch.test.ts).
      const since = performance.now();
      let after = structured(await s.call('show_account'));
      while (after.description !== 'Edited' && performance.now() - since < 2_000) {
        await new Promise((r) => setTimeout(r, 5));
        after = structured(await s.call('show_account'));
      }
      assert.equal(after.environment, 'Sandbox');
      assert.equal(after.description, 'Edited');
    } finally {
      await s.close();
    }
  });

  test('add_account: from fields and from a credentials file, atomic, 0600, nothing repeated', async () => {
    const original = '# Mine\n\nDo not touch this line.\n';
    const creds = `${randomApiKey()}\n${randomSecret()}\n`;
    const s = await startServer({ toolsMd: original, files: { 'shared-creds.txt': creds } });
    try {
      const missing = await s.call('add_account', { name: 'x', apiKey: randomApiKey(), secret: randomSecret() });
      assert.equal(errorOf(missing).kind, 'validation');
      assert.match(errorOf(missing).message, /needs environment, signing; ask the user/);

      const key = randomApiKey();
      const secret = randomSecret();
      const r = await s.call('add_account', {
        name: 'main',
        environment: 'Mainnet',
        signing: 'HMAC',
        apiKey: key,
        secret,
        description: 'Mine',
      });
      assert.ok(!r.isError, JSON.stringify(r.structuredContent));
      const text = JSON.stringify(r);
      assert.ok(!text.includes(key) && !text.includes(secret));
      assert.equal(structured(r).apiKey, maskApiKey(key));

      const credPath = join(s.dir, 'shared-creds.txt');
      const r2 = await s.call('add_account', {
        name: 'bot',
        environment: 'Sandbox',
        signing: 'HMAC',
        credentialsFile: credPath,
      });
      assert.ok(!r2.isError, JSON.stringify(r2.structuredContent));
      const t2 = JSON.stringify(r2);
      assert.ok(
        !t2.includes(credPath) &&
          !t2.includes('shared-creds') &&
          !t2.includes(creds.split('\n')[0]) &&
          !t2.includes(creds.split('\n')[1]),
      );

      const dup = await s.call('add_account', {
        name: 'main',
        environment: 'Mainnet',
        signing: 'HMAC',
        apiKey: randomApiKey(),
        secret: randomSecret(),
      });
      assert.match(errorOf(dup).message, /already exists/);
      assert.ok(!JSON.stringify(dup).includes(s.config.toolsMdPath));

      const file = readFileSync(s.config.toolsMdPath, 'utf8');
      assert.ok(file.startsWith(original), 'text outside the section kept byte for byte');
      assert.equal(statSync(s.config.toolsMdPath).mode & 0o777, 0o600);
      assert.deepEqual(
        structured(await s.call('list_accounts')).accounts.map((a: { name: string }) => a.name),
        ['main', 'bot'],
      );

      // concurrent adds both survive
      const adds = await Promise.all(
        ['c1', 'c2', 'c3', 'c4'].map((name) =>
          s.call('add_account', {
            name,
            environment: 'Sandbox',
            signing: 'HMAC',
            apiKey: randomApiKey(),
            secret: randomSecret(),
          }),
        ),
      );
      assert.ok(adds.every((a) => !a.isError));
      assert.deepEqual(
        parseToolsMd(readFileSync(s.config.toolsMdPath, 'utf8')).accounts.map((a) => a.name),
        ['main', 'bot', 'c1', 'c2', 'c3', 'c4'],
      );
    } finally {
      await s.close();
    }
  });

  test('two server processes adding accounts at once both keep all their accounts (a lock file)', async () => {
    const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'bmm-lock-'));
    try {
      const path = join(dir, 'TOOLS.md');
      const store = new URL('../src/accounts/store.js', import.meta.url).href;
      // Each process adds 15 accounts as fast as it can; without a cross-process lock their
      // read-modify-write cycles overwrite each other's additions.
      const script = (prefix: string) =>
        `const { AccountStore } = await import(${JSON.stringify(store)});` +
        `const s = new AccountStore({ path: ${JSON.stringify(path)}, forceSandbox: false });` +
        `for (let i = 0; i < 15; i++) await s.add({ name: '${prefix}' + i, environment: 'Sandbox', signing: ` +
        `'HMAC', apiKey: 'K'.repeat(20) + i, secret: 'S'.repeat(20) + i }, false);`;
      const run = (prefix: string) =>
        new Promise<number>((resolve) =>
          spawn(process.execPath, ['--input-type=module', '-e', script(prefix)], { stdio: 'inherit' }).on(
            'exit',
            (code) => resolve(code ?? 1),
          ),
        );
      assert.deepEqual(await Promise.all([run('a'), run('b')]), [0, 0]);
      const names = parseToolsMd(readFileSync(path, 'utf8')).accounts.map((x) => x.name);
      assert.equal(names.length, 30, `kept ${names.length} of 30`);
      assert.equal(existsSync(`${path}.lock`), false, 'the lock is released');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('base-URL overrides are accepted only for loopback hosts', () => {
    for (const ok of ['http://127.0.0.1:9', 'http://localhost:1234', 'http://[::1]:80', 'http://127.5.6.7'])
      assert.equal(typeof parseConfig([], { BINANCE_MAINNET_BASE_URL: ok }), 'object', ok);
    for (const bad of [
      'https://api.binance.com.evil.io',
      'http://10.0.0.1',
      'http://localhost.evil.com',
      'http://128.0.0.1',
      'file:///etc/passwd',
    ])
      assert.throws(() => parseConfig([], { BINANCE_MAINNET_BASE_URL: bad }), UsageError, bad);
    assert.throws(() => parseConfig([], { BINANCE_TESTNET_BASE_URL: 'http://192.168.1.1' }), /loopback/);
    assert.throws(() => parseConfig(['--bogus'], {}), /Unknown option --bogus/);
  });
});
