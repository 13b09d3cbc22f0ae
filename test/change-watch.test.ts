/**
 * How the account store learns that TOOLS.md changed (src/accounts/change-watch.ts,
 * issue 23): reads trust a watch of its folder and look at most a second after their
 * last look; writes, and every call where nothing can be watched, look at once.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ChangeWatch, MAX_AGE_MS } from '../src/accounts/change-watch.js';
import { AccountStore } from '../src/accounts/store.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { toolsMd } from './helpers/mcp.js';
import { scratch } from './helpers/process.js';

const keys = { 'API Key': randomApiKey(), Secret: randomSecret() };
const accountsFile = (description: string) =>
  toolsMd([{ name: 'main', fields: { ...keys, Environment: 'Testnet', Description: description } }]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits, with the event loop turning, until `ok()`; false after 5 s. */
async function eventually(ok: () => boolean): Promise<boolean> {
  for (const end = Date.now() + 5_000; Date.now() < end; await sleep(5)) if (ok()) return true;
  return false;
}

describe('the watch of TOOLS.md', () => {
  test('is due at first, then only when the folder reports a change of the file, or after a second', async () => {
    const dir = scratch();
    const path = join(dir, 'TOOLS.md');
    writeFileSync(path, 'one');
    let now = 0;
    const watch = new ChangeWatch(path, MAX_AGE_MS, () => now);
    try {
      assert.equal(watch.watching, true);
      assert.equal(watch.due(), true, 'nothing looked yet');
      watch.look();
      assert.equal(watch.due(), false);
      // Another file in the folder: not a change of TOOLS.md.
      writeFileSync(join(dir, 'notes.txt'), 'x');
      await sleep(50);
      assert.equal(watch.due(), false);
      // An edit in place, with the clock stopped: only the event can make a look due.
      writeFileSync(path, 'two');
      assert.ok(await eventually(() => watch.due()), 'an edit in place is reported');
      assert.equal(watch.look(), true, 'the look is told that a change was reported');
      assert.equal(watch.due(), false);
      // A save that replaces the file (a temporary file renamed over it), as editors do.
      writeFileSync(join(dir, '.TOOLS.md.tmp'), 'three');
      renameSync(join(dir, '.TOOLS.md.tmp'), path);
      assert.ok(await eventually(() => watch.due()), 'a replacement is reported');
      assert.equal(watch.look(), true);
      // No event for a second: a look is due anyway (a share whose changes are not reported).
      now += MAX_AGE_MS - 1;
      assert.equal(watch.due(), false);
      now += 1;
      assert.equal(watch.due(), true);
      assert.equal(watch.look(), false, 'due by age, no change reported');
    } finally {
      watch.close();
    }
    assert.equal(watch.watching, false);
  });

  test('watches nothing, so that every call looks, for a symbolic link or a folder that does not exist', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'TOOLS.md'), 'x');
    symlinkSync(join(dir, 'real', 'TOOLS.md'), join(dir, 'TOOLS.md'));
    const now = () => 0;
    for (const path of [join(dir, 'TOOLS.md'), join(dir, 'missing', 'TOOLS.md')]) {
      const watch = new ChangeWatch(path, MAX_AGE_MS, now);
      assert.equal(watch.watching, false, path);
      watch.look();
      assert.equal(watch.due(), true, 'due on every call');
      watch.close();
    }
  });

  test('stops when TOOLS.md is replaced by a symbolic link (its target is in a folder nobody watches)', async () => {
    const dir = scratch();
    const path = join(dir, 'TOOLS.md');
    writeFileSync(path, 'x');
    writeFileSync(join(dir, 'elsewhere.md'), 'y');
    const watch = new ChangeWatch(path, MAX_AGE_MS, () => 0);
    watch.look();
    rmSync(path);
    symlinkSync(join(dir, 'elsewhere.md'), path);
    assert.ok(await eventually(() => watch.due()));
    watch.look();
    assert.equal(watch.watching, false);
    assert.equal(watch.due(), true);
  });
});

describe('the account store with the watch', () => {
  /** A watch the test drives: counts the store's looks. */
  const driven = () => {
    const w = { reported: false, looks: 0 };
    const watch = {
      due: () => w.reported,
      look: () => {
        w.looks++;
        const r = w.reported;
        w.reported = false;
        return r;
      },
      close: () => undefined,
    } as unknown as ChangeWatch;
    return { w, watch };
  };

  test('reads look at TOOLS.md only when the watch says so; a fresh resolve (a write) always does', () => {
    const dir = scratch();
    const path = join(dir, 'TOOLS.md');
    writeFileSync(path, accountsFile('first'));
    const { w, watch } = driven();
    const store = new AccountStore({ path, forceSandbox: false, watch });
    assert.equal(w.looks, 1, 'the first read');
    for (let i = 0; i < 100; i++) assert.equal(store.resolve(undefined).description, 'first');
    assert.equal(w.looks, 1, 'no look for reads the watch did not make due');

    writeFileSync(path, accountsFile('second'));
    assert.equal(store.resolve(undefined).description, 'first', 'not reported yet: the view of the last look');
    assert.equal(store.resolve(undefined, { fresh: true }).description, 'second', 'a write looks at once');
    assert.equal(w.looks, 2);

    writeFileSync(path, accountsFile('third'));
    w.reported = true;
    assert.equal(store.resolve(undefined).description, 'third', 'reported: the next read looks');
    assert.equal(w.looks, 3);
  });

  test('a reported change is read even when size and modification time did not move', () => {
    const dir = scratch();
    const path = join(dir, 'TOOLS.md');
    const { w, watch } = driven();
    // The same size and the same modification time (whole seconds, set back after the edit).
    writeFileSync(path, accountsFile('AAAA'));
    utimesSync(path, 1e9, 1e9);
    const store = new AccountStore({ path, forceSandbox: false, watch });
    const before = statSync(path);
    writeFileSync(path, accountsFile('BBBB'));
    utimesSync(path, 1e9, 1e9);
    assert.equal(statSync(path).mtimeMs, before.mtimeMs);
    assert.equal(statSync(path).size, before.size);
    assert.equal(store.resolve(undefined, { fresh: true }).description, 'AAAA', 'the stamp alone misses it');
    w.reported = true;
    assert.equal(store.resolve(undefined).description, 'BBBB');
  });
});
