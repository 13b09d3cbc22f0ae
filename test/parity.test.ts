/**
 * Parity with Binance's official source: the catalog against the endpoint table
 * extracted from Binance's official JavaScript connector (test/fixtures/
 * official-margin-endpoints.json; its provenance, repository@commit and packages, is in
 * the file; scripts/extract-official.ts makes it). Every difference must be one of the
 * deliberate deviations below, each with its reason; a new difference, or a deviation
 * that no longer occurs, fails the test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { z } from 'zod';
import { CATALOG, endpointId, paramsOf, weightOf, type Endpoint } from '../src/catalog/index.js';
import type { OfficialEndpoint, OfficialParam } from '../scripts/extract-official.js';

const official = JSON.parse(
  readFileSync(new URL('../../test/fixtures/official-margin-endpoints.json', import.meta.url), 'utf8'),
) as {
  source: { repository: string; commit: string };
  endpoints: OfficialEndpoint[];
};

/** Deliberate differences, each as the test words it, with why. */
const DEVIATIONS: Record<string, string> = {
  // Not in the connector at this commit: documented on developers.binance.com (margin_trading/trade-data-stream).
  'POST /sapi/v1/userListenToken: not in the official table':
    'Binance documents it (2025-11) as the replacement of the retired user-data listen keys; the connector has not ' +
    'caught up.',
  // The connector marks the OTO iceberg mandatory; an iceberg is optional by nature and Binance's own page lists it as
  // optional elsewhere.
  'POST /sapi/v1/margin/order/oto workingIcebergQty: required there, optional here':
    'An iceberg is optional; the generated connector marks it required.',
  // leverageBracket is retired (Cross Margin Pro sunset 2026-04-13): kept as a tool that says so.
  'GET /sapi/v1/margin/leverageBracket: retired here': 'Binance change log 2026-04-13; the connector still lists it.',
  // Newer than the connector: Binance change log 2026-04-16.
  'GET /sapi/v1/margin/maxBorrowable weight: 50 IP there, 750 UID here':
    'Binance change log 2026-04-16 raised it to 750 (UID).',
  // Cross Margin Pro was sunset (2026-04-13): Classic takes 3 or 5 only; the connector types it as any integer.
  'POST /sapi/v1/margin/max-leverage maxLeverage: integer there, 3|5 here':
    'Only 3 and 5 remain (Cross Margin Classic).',
  // Trailing deltas are basis points, whole numbers (Binance: LONG); the connector types the OTO/OTOCO ones as number.
  'POST /sapi/v1/margin/order/oto pendingTrailingDelta: number there, integer here':
    'Basis points are integers (spot trailing-stop FAQ; LONG on the docs page).',
  'POST /sapi/v1/margin/order/otoco pendingAboveTrailingDelta: number there, integer here': 'As above.',
  'POST /sapi/v1/margin/order/otoco pendingBelowTrailingDelta: number there, integer here': 'As above.',
  // Our schemas take booleans and send Binance's spelling; the connector's enum is that spelling.
  'GET /sapi/v1/margin/next-hourly-interest-rate isIsolated: enum TRUE|FALSE there, boolean here':
    'A boolean for the agent, sent as TRUE/FALSE.',
  // Lists are typed as strings in the connector (13.0.0 changed assetNames array → string); ours take an array or "A,B"
  // and send "A,B".
  // The universal transfer: only the five margin types, never futures, funding, options or portfolio margin.
  'POST /sapi/v1/asset/transfer type: enum differs (only the margin types here)':
    'Nothing of the wallet but margin collateral moves (issue 16).',
  'GET /sapi/v1/asset/transfer type: string there, enum here': 'The history reads the same five margin types only.',
  // The generated wallet client puts transfer types in fromSymbol/toSymbol's enum; Binance's page says they are the
  // isolated pairs.
  'POST /sapi/v1/asset/transfer fromSymbol: enum there, symbol here':
    'fromSymbol is the sending isolated pair (wallet docs: "must be sent when type is ISOLATEDMARGIN_MARGIN or ' +
    'ISOLATEDMARGIN_ISOLATEDMARGIN").',
  'POST /sapi/v1/asset/transfer toSymbol: enum there, symbol here': 'toSymbol is the receiving isolated pair.',
  'GET /sapi/v1/asset/transfer fromSymbol: enum there, symbol here': 'As above.',
  'GET /sapi/v1/asset/transfer toSymbol: enum there, symbol here': 'As above.',
};

type Kind =
  | { kind: 'enum'; values: string[] }
  | { kind: 'integer' | 'decimal' | 'boolean' | 'string' | 'list' | 'number-set'; values?: string[] };

/** What an agent may send for one parameter, read from its JSON Schema. */
function kindOf(schema: z.ZodType): Kind {
  const js = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  if (Array.isArray(js.enum)) return { kind: 'enum', values: (js.enum as unknown[]).map(String) };
  const any = (js.anyOf ?? js.oneOf) as Record<string, unknown>[] | undefined;
  if (any?.every((s) => 'const' in s)) return { kind: 'number-set', values: any.map((s) => String(s.const)) };
  if (any?.some((s) => s.type === 'array')) return { kind: 'list' };
  if (Array.isArray(js.type) && js.type.includes('number')) return { kind: 'decimal' };
  // Decimals are advertised as strings (issue 17) and still take JSON numbers: probe the schema.
  const decimal = schema.safeParse(0.5);
  if (js.type === 'string' && decimal.success && decimal.data === '0.5') return { kind: 'decimal' };
  if (js.type === 'array') return { kind: 'list' };
  if (js.type === 'integer') {
    // An integer checked against a set (maxLeverage): the values it takes out of 1..100.
    const allowed = Array.from({ length: 100 }, (_, i) => i + 1).filter((n) => schema.safeParse(n).success);
    if (allowed.length < 100 && allowed.length <= 10) return { kind: 'number-set', values: allowed.map(String) };
    return { kind: 'integer' };
  }
  if (js.type === 'boolean') return { kind: 'boolean' };
  return { kind: 'string' };
}

/** Whether the official type and ours agree, or the difference in the test's words. */
function typeDiff(id: string, p: OfficialParam, ours: Kind): string | undefined {
  const at = `${id} ${p.name}`;
  switch (p.type) {
    case 'enum': {
      if (ours.kind === 'boolean') return `${at}: enum ${p.enum!.join('|')} there, boolean here`;
      if (ours.kind !== 'enum') return `${at}: enum there, ${ours.kind === 'string' ? 'symbol' : ours.kind} here`;
      const a = [...p.enum!].sort().join('|');
      const b = [...ours.values].sort().join('|');
      return a === b
        ? undefined
        : p.name === 'type' && id.endsWith('/asset/transfer')
          ? `${at}: enum differs (only the margin types here)`
          : `${at}: enum ${a} there, ${b} here`;
    }
    case 'integer':
      if (ours.kind === 'integer') return undefined;
      return `${at}: integer there, ${ours.kind === 'number-set' ? ours.values!.join('|') : ours.kind} here`;
    case 'number':
      return ours.kind === 'decimal' ? undefined : `${at}: number there, ${ours.kind} here`;
    case 'boolean':
      return ours.kind === 'boolean' ? undefined : `${at}: boolean there, ${ours.kind} here`;
    case 'string':
      // Binance sends decimals and lists as strings too.
      return ['string', 'decimal', 'list'].includes(ours.kind) ? undefined : `${at}: string there, ${ours.kind} here`;
    default:
      return `${at}: unknown official type ${p.type}`;
  }
}

function weightDiff(id: string, o: OfficialEndpoint, e: Endpoint): string | undefined {
  const simple = /^(\d+) (IP|UID)$/.exec(o.weight);
  const ours = weightOf(e, {});
  if (simple)
    return Number(simple[1]) === ours.amount && simple[2] === ours.per
      ? undefined
      : `${id} weight: ${o.weight} there, ${ours.amount} ${ours.per} here`;
  // Worded weights ("6(UID) or 1500(UID) when …", "1 when coin is specified; 5 when …"): ours must be among their
  // numbers.
  const numbers = [...o.weight.matchAll(/\d+/g)].map((m) => Number(m[0]));
  return numbers.includes(ours.amount)
    ? undefined
    : `${id} weight: "${o.weight}" there, ${ours.amount} ${ours.per} here`;
}

/** Every difference between the catalog and the official table. */
function differences(): string[] {
  const out: string[] = [];
  const theirs = new Map(official.endpoints.map((o) => [`${o.method} ${o.path}`, o]));
  for (const e of CATALOG) {
    const id = endpointId(e);
    const o = theirs.get(id);
    if (!o) {
      out.push(`${id}: not in the official table`);
      continue;
    }
    if (e.retired) out.push(`${id}: retired here`);
    const w = weightDiff(id, o, e);
    if (w) out.push(w);
    const ours = paramsOf(e);
    for (const p of o.params) {
      const schema = ours[p.name];
      if (!schema) {
        out.push(`${id} ${p.name}: missing here`);
        continue;
      }
      const optional = schema.safeParse(undefined).success;
      if (p.required && optional) out.push(`${id} ${p.name}: required there, optional here`);
      if (!p.required && !optional) out.push(`${id} ${p.name}: optional there, required here`);
      const t = typeDiff(id, p, kindOf(schema));
      if (t) out.push(t);
    }
    const names = new Set(o.params.map((p) => p.name));
    for (const name of Object.keys(ours)) if (!names.has(name)) out.push(`${id} ${name}: not in the official table`);
  }
  for (const id of theirs.keys()) if (!CATALOG.some((e) => endpointId(e) === id)) out.push(`${id}: missing here`);
  return out.sort();
}

test('the official table names its source: repository, commit and packages', () => {
  assert.equal(official.source.repository, 'https://github.com/binance/binance-connector-js');
  assert.match(official.source.commit, /^[0-9a-f]{40}$/);
  assert.equal(official.endpoints.filter((e) => !e.client).length, 65, "the margin-trading client's 65 endpoints");
});

test('the catalog matches the official connector, but for the deliberate deviations', () => {
  assert.deepEqual(differences(), Object.keys(DEVIATIONS).sort());
});

test('a drift from the official table is caught: a new parameter, a changed enum, a changed weight', () => {
  const o = official.endpoints.find((e) => e.method === 'POST' && e.path === '/sapi/v1/margin/order')!;
  const saved = structuredClone(o);
  try {
    o.params.push({ name: 'pegPriceType', required: false, type: 'string' });
    o.params.find((p) => p.name === 'side')!.enum!.push('SHORT');
    o.weight = '12 UID';
    const d = differences();
    assert.ok(d.includes('POST /sapi/v1/margin/order pegPriceType: missing here'));
    assert.ok(d.some((x) => x.startsWith('POST /sapi/v1/margin/order side: enum')));
    assert.ok(d.includes('POST /sapi/v1/margin/order weight: 12 UID there, 6 UID here'));
  } finally {
    Object.assign(o, saved);
  }
});
