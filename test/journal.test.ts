/**
 * The journal as its readers see it (src/safety/journal.ts): read incrementally from
 * where the last read stopped, shared with other processes appending to the same files,
 * robust to a torn line, and bounded in memory (issue 23).
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Journal, type JournalEntry } from '../src/safety/journal.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'bmm-journal-'));
  dirs.push(d);
  return d;
};
const month = () => new Date().toISOString().slice(0, 7);
const intent = (id: string, valueUsdt: number, account = 'main'): Omit<JournalEntry, 'time'> => ({
  id,
  phase: 'intent',
  account,
  environment: 'mainnet',
  endpoint: 'POST /sapi/v1/margin/order',
  tool: 'place_order',
  params: {},
  valueUsdt,
});
const line = (e: Omit<JournalEntry, 'time'>, time: Date) => `${JSON.stringify({ time: time.toISOString(), ...e })}\n`;

describe('the journal', () => {
  test('a second process on the same state directory sees every line the other appends, between reads', () => {
    const dir = stateDir();
    const a = new Journal(dir);
    const b = new Journal(dir);
    a.append(intent('1', 100), true);
    assert.equal(b.valueSince('main', Date.now() - 86_400_000), 100);
    b.append(intent('2', 250), true);
    a.append(intent('3', 50), true);
    assert.equal(b.valueSince('main', Date.now() - 86_400_000), 400);
    assert.equal(a.valueSince('main', Date.now() - 86_400_000), 400);
    assert.deepEqual(
      b.unresolved().map((e) => e.id),
      ['1', '2', '3'],
    );
    a.append({ ...intent('2', 0), phase: 'result', status: 'error' });
    assert.equal(b.valueSince('main', Date.now() - 86_400_000), 150, 'an intent Binance refused is not spent');
    assert.deepEqual(
      b.unresolved().map((e) => e.id),
      ['1', '3'],
    );
  });

  test('a line still being written is read once it is complete', () => {
    const dir = stateDir();
    const j = new Journal(dir);
    j.append(intent('1', 100));
    const file = join(dir, 'journal', `${month()}.jsonl`);
    const next = line(intent('2', 200), new Date());
    appendFileSync(file, next.slice(0, 40));
    assert.equal(j.valueSince('main', 0), 100, 'half a line is not an entry yet');
    appendFileSync(file, next.slice(40));
    assert.equal(j.valueSince('main', 0), 300);
  });

  test('a line torn by a crash swallows nothing appended after it', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'journal'), { recursive: true });
    const file = join(dir, 'journal', `${month()}.jsonl`);
    writeFileSync(file, `${line(intent('1', 100), new Date())}{"time":"2026-`);
    const j = new Journal(dir);
    j.append(intent('2', 200), true);
    assert.equal(j.valueSince('main', 0), 300, 'the intent after the torn line counts');
    assert.match(readFileSync(file, 'utf8'), /\{"time":"2026-\n\{"time"/);
  });

  test('a file replaced by another is read again from its start', () => {
    const dir = stateDir();
    const j = new Journal(dir);
    j.append(intent('1', 100));
    j.append(intent('2', 100));
    assert.equal(j.valueSince('main', 0), 200);
    const file = join(dir, 'journal', `${month()}.jsonl`);
    rmSync(file);
    writeFileSync(file, line(intent('9', 5), new Date()));
    assert.equal(j.valueSince('main', 0), 5);
  });

  test('memory stays bounded: a week of entries, and each account’s newest 200 whatever their age', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'journal'), { recursive: true });
    const file = join(dir, 'journal', `${month()}.jsonl`);
    const old = new Date(Date.now() - 10 * 86_400_000);
    let text = '';
    for (let i = 0; i < 3_000; i++) text += line(intent(`old-${i}`, 1), old);
    for (let i = 0; i < 5; i++) text += line(intent(`other-${i}`, 1, 'other'), old);
    for (let i = 0; i < 10; i++) text += line(intent(`new-${i}`, 1), new Date());
    writeFileSync(file, text);
    const j = new Journal(dir);
    const recent = j.recent(200);
    assert.equal(recent.length, 200);
    assert.equal(recent[0].id, 'new-9');
    assert.deepEqual(
      j.recent(200, 'other').map((e) => e.id),
      ['other-4', 'other-3', 'other-2', 'other-1', 'other-0'],
      'an account’s older entries are still there',
    );
    assert.equal(j.valueSince('main', Date.now() - 86_400_000), 10);
    const kept = (j as unknown as { tails: Map<string, { entries: unknown[] }> }).tails.get(`${month()}.jsonl`)!;
    assert.ok(kept.entries.length <= 200 + 5 + 10, `kept ${kept.entries.length} entries`);
  });
});
