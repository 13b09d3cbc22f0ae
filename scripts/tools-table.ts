/**
 * The README's table of endpoint tools, generated from the catalog (src/catalog), so
 * that it cannot drift from what the server exposes. test/docs.test.ts fails when
 * README.md's table is not what this renders.
 *
 *   node dist/scripts/tools-table.js           print the table
 *   node dist/scripts/tools-table.js --write   rewrite it in README.md, between the markers
 *
 * (`npm run tools-table` builds, then writes.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG, endpointId, isGated, TOOLSETS, type Endpoint } from '../src/catalog/index.js';

export const START = '<!-- tools-table:start -->';
export const END = '<!-- tools-table:end -->';

function access(e: Endpoint): string {
  if (!e.write) return 'read';
  if (!isGated(e)) return 'write, no confirmation';
  return e.destructive ? 'write, destructive' : 'write';
}

function notes(e: Endpoint): string {
  const out: string[] = [];
  if (e.addedAfterSkill) out.push('added after the skill');
  if (e.retired) out.push('**retired** by Binance');
  return out.join('; ');
}

/** The Markdown table: one row per endpoint tool, by toolset, in catalog order within one. */
export function renderToolsTable(): string {
  const rows = TOOLSETS.flatMap((set) => CATALOG.filter((e) => e.toolset === set));
  const lines = [
    `${CATALOG.length} endpoint tools: ${CATALOG.filter((e) => !e.addedAfterSkill).length} of the margin-trading ` +
      `skill and ${CATALOG.filter((e) => e.addedAfterSkill).length} Binance added after it. ` +
      '"write" tools change account state and pass the rails and the confirmation gate; "destructive" ones cancel, ' +
      'disable, delete, liquidate, repay or exchange.',
    '',
    '| Tool | Endpoint | Toolset | Reads or writes | Notes |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((e) => `| \`${e.name}\` | \`${endpointId(e)}\` | ${e.toolset} | ${access(e)} | ${notes(e)} |`),
  ];
  return lines.join('\n');
}

/** README text with the table between the markers replaced. Throws when a marker is missing. */
export function withToolsTable(readme: string, table = renderToolsTable()): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}.`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

/** Runs as a script (not when imported by the tests). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--write')) {
    // dist/scripts/tools-table.js → README.md at the repository's root
    const path = fileURLToPath(new URL('../../README.md', import.meta.url));
    const before = readFileSync(path, 'utf8');
    const after = withToolsTable(before);
    if (after !== before) writeFileSync(path, after);
    process.stderr.write(
      after === before ? 'README.md: tools table already up to date\n' : 'README.md: tools table rewritten\n',
    );
  } else {
    process.stdout.write(`${renderToolsTable()}\n`);
  }
}
