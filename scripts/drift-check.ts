/**
 * Drift check for maintainers (not run by CI: it reads a file you supply).
 *
 *   npm run drift -- path/to/endpoints.json
 *
 * Compares the catalog with an endpoint list exported from Binance's docs or the
 * official connector and prints what is missing, extra or changed. The list is JSON:
 * an array (or `{ endpoints: [...] }`) of `{ method, path, security?, weight?,
 * params?: [{ name, required? }] }`; `weight` may be a number or Binance's text
 * ("10(IP)", "1500(UID)"). Exits 1 when anything drifted.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CATALOG, endpointId, paramsOf, weightOf, type Endpoint } from '../src/catalog/index.js';

export interface ListedEndpoint {
  method: string;
  path: string;
  security?: string;
  weight?: number | string;
  params?: { name: string; required?: boolean }[];
}

export interface Drift {
  missing: string[];
  extra: string[];
  changed: string[];
}

const isOptional = (e: Endpoint, name: string) => paramsOf(e)[name]?.safeParse(undefined).success ?? true;

function parseWeight(w: number | string | undefined): { amount: number; per?: string } | undefined {
  if (w === undefined) return undefined;
  if (typeof w === 'number') return { amount: w };
  const m = /(\d+)\s*\(?\s*(IP|UID)?/i.exec(w);
  return m ? { amount: Number(m[1]), per: m[2]?.toUpperCase() } : undefined;
}

export function compareCatalog(listed: ListedEndpoint[], catalog: readonly Endpoint[] = CATALOG): Drift {
  const drift: Drift = { missing: [], extra: [], changed: [] };
  const ours = new Map(catalog.map((e) => [endpointId(e), e]));
  const theirs = new Map(listed.map((l) => [`${l.method.toUpperCase()} ${l.path}`, l]));
  for (const [id, l] of theirs) {
    const e = ours.get(id);
    if (!e) {
      drift.missing.push(id);
      continue;
    }
    if (l.security && l.security !== e.security) drift.changed.push(`${id}: security ${e.security} → ${l.security}`);
    const w = parseWeight(l.weight);
    const base = weightOf(e, {});
    if (w && (w.amount !== base.amount || (w.per && w.per !== base.per)))
      drift.changed.push(`${id}: weight ${base.amount}(${base.per}) → ${w.amount}${w.per ? `(${w.per})` : ''}`);
    for (const p of l.params ?? []) {
      if (p.name === 'timestamp' || p.name === 'signature') continue;
      if (!(p.name in paramsOf(e)))
        drift.changed.push(`${id}: new parameter ${p.name}${p.required ? ' (required)' : ''}`);
      else if (p.required !== undefined && p.required === isOptional(e, p.name))
        drift.changed.push(`${id}: ${p.name} is now ${p.required ? 'required' : 'optional'}`);
    }
    const names = new Set((l.params ?? []).map((p) => p.name));
    if (l.params)
      for (const name of Object.keys(paramsOf(e)))
        if (!names.has(name)) drift.changed.push(`${id}: parameter ${name} is no longer listed`);
  }
  for (const id of ours.keys()) if (!theirs.has(id)) drift.extra.push(id);
  return drift;
}

function main(): void {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npm run drift -- <endpoints.json>');
    process.exit(2);
  }
  const json = JSON.parse(readFileSync(file, 'utf8')) as ListedEndpoint[] | { endpoints: ListedEndpoint[] };
  const listed = Array.isArray(json) ? json : json.endpoints;
  const d = compareCatalog(listed);
  const section = (title: string, items: string[]) =>
    console.log(`${title} (${items.length})${items.map((i) => `\n  ${i}`).join('')}`);
  section('Missing from the catalog', d.missing);
  section('In the catalog but not in the list', d.extra);
  section('Changed', d.changed);
  process.exit(d.missing.length + d.extra.length + d.changed.length > 0 ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
