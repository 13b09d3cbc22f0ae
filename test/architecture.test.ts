/**
 * The boundaries docs/architecture.md promises, checked on the source: the sandbox
 * imports nothing from the rest of src; no code outside the catalog names an endpoint
 * tool; one place sends writes; the reads the rails make by role exist and are reads.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { CATALOG } from '../src/catalog/index.js';
import { SAFETY_READS, safetyRead, type SafetyRead } from '../src/catalog/reads.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}
const sources = files(SRC).map((f) => ({ path: relative(ROOT, f), text: readFileSync(f, 'utf8') }));
const importsOf = (text: string) =>
  [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map(
    (m) => m[1] ?? m[2],
  );

describe('architecture', () => {
  test('the sandbox imports nothing from the rest of src', () => {
    for (const f of sources.filter((s) => s.path.startsWith('src/sandbox/')))
      for (const spec of importsOf(f.text)) {
        if (!spec.startsWith('.')) continue; // node: built-ins and packages
        const target = relative(ROOT, join(ROOT, dirname(f.path), spec));
        assert.ok(target.startsWith('src/sandbox/'), `${f.path} imports ${spec}`);
      }
  });

  test('no code outside the catalog names an endpoint tool', () => {
    const names = CATALOG.map((e) => e.name);
    for (const f of sources.filter((s) => !s.path.startsWith('src/catalog/') && !s.path.startsWith('src/sandbox/')))
      for (const n of names)
        assert.ok(
          !f.text.includes(`'${n}'`) && !f.text.includes(`"${n}"`),
          `${f.path} names ${n}: put that knowledge in the catalog entry`,
        );
  });

  test('writes are sent from one place: Pipeline.execute', () => {
    const callers = sources.filter((s) => /dispatcher\.write\(/.test(s.text)).map((s) => s.path);
    assert.deepEqual(callers, ['src/pipeline/pipeline.ts']);
    const pipeline = sources.find((s) => s.path === 'src/pipeline/pipeline.ts')!.text;
    assert.equal(pipeline.match(/dispatcher\.write\(/g)!.length, 1);
  });

  test('every read the rails make by role is a catalog read', () => {
    for (const role of Object.keys(SAFETY_READS) as SafetyRead[]) assert.equal(safetyRead(role).write, false, role);
  });
});

describe('shape', () => {
  test('no line of src/ over 120 characters; no file over 400 lines but the catalog entries', () => {
    for (const f of sources) {
      const lines = f.text.split('\n');
      for (const [i, l] of lines.entries()) assert.ok(l.length <= 120, `${f.path}:${i + 1} is ${l.length} characters`);
      if (!f.path.startsWith('src/catalog/endpoints/'))
        assert.ok(lines.length <= 400, `${f.path} has ${lines.length} lines`);
    }
  });
});
