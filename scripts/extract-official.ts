/**
 * Extracts Binance's official margin endpoint table from the official JavaScript
 * connector (binance/binance-connector-js, clients/margin-trading/src/rest-api/modules),
 * for test/fixtures/official-margin-endpoints.json, which test/parity.test.ts diffs the
 * catalog against. Run by hand when the connector moves, never by tests:
 *
 *   git clone https://github.com/binance/binance-connector-js /tmp/bcj
 *   npm run build && node dist/scripts/extract-official.js /tmp/bcj > test/fixtures/official-margin-endpoints.json
 *
 * It reads the generated request builders: each one's doc comment (weight, @param with
 * [optional]), its signature (parameter order and enum types), the endpoint and method
 * it returns, and the enums the module declares.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OfficialParam {
  name: string;
  required: boolean;
  type: string;
  enum?: string[];
}
export interface OfficialEndpoint {
  method: string;
  path: string;
  /** The connector's method name. */
  operation: string;
  /** Set for endpoints of another client than margin-trading. */
  client?: string;
  /** "1500 UID", or Binance's words when the weight depends on the call. */
  weight: string;
  params: OfficialParam[];
}

const BUILDER =
  /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+): async \(([^)]*)\): Promise<RequestArgs> => \{[\s\S]*?endpoint: '([^']+)',\s*method: '(\w+)'/g;
const ENUM = /export enum (\w+) \{([^}]*)\}/g;

function weightOf(doc: string): string {
  const line = doc.split('\n').find((l) => /\* Weight/.test(l));
  if (!line) return '';
  const text = line.replace(/^\s*\*\s*/, '').trim();
  const simple = /^Weight\((IP|UID)\): (\d+)$/.exec(text);
  return simple
    ? `${simple[2]} ${simple[1]}`
    : text.replace(/^Weight(\((IP|UID)\))?: /, (_m, _g, per) => (per ? `${per}: ` : ''));
}

/** The request builders of a connector client's modules (all of them, or the files and paths named). */
export function extract(modulesDir: string, only?: { files: string[]; paths: string[] }): OfficialEndpoint[] {
  const out: OfficialEndpoint[] = [];
  for (const file of readdirSync(modulesDir)
    .filter((f) => f.endsWith('-api.ts') && (!only || only.files.includes(f)))
    .sort()) {
    const text = readFileSync(join(modulesDir, file), 'utf8');
    const enums = new Map<string, string[]>();
    for (const m of text.matchAll(ENUM))
      enums.set(
        m[1],
        [...m[2].matchAll(/= '([^']*)'/g)].map((v) => v[1]),
      );
    for (const m of text.matchAll(BUILDER)) {
      const [, doc, operation, signature, path, method] = m;
      const params: OfficialParam[] = signature
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const p = /^(\w+)(\?)?: (.+)$/.exec(s)!;
          const type = p[3].trim();
          const values = enums.get(type);
          return {
            name: p[1],
            required: !p[2],
            type: values ? 'enum' : type === 'number | bigint' ? 'integer' : type,
            ...(values ? { enum: values } : {}),
          };
        });
      if (only && !only.paths.includes(path)) continue;
      out.push({ method, path, operation, weight: weightOf(doc), params });
    }
  }
  return out.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}

if (process.argv[1]?.endsWith('extract-official.js')) {
  const repo = process.argv[2];
  if (!repo) throw new Error('usage: node dist/scripts/extract-official.js <binance-connector-js checkout>');
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
  const pkgOf = (client: string) => {
    const pkg = JSON.parse(readFileSync(join(repo, client, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    return `${pkg.name}@${pkg.version}`;
  };
  const modules = (client: string) => join(repo, client, 'src/rest-api/modules');
  const margin = extract(modules('clients/margin-trading'));
  // The margin transfer types of the wallet's universal transfer (transfer_margin_collateral).
  const wallet = extract(modules('clients/wallet'), { files: ['asset-api.ts'], paths: ['/sapi/v1/asset/transfer'] });
  const doc = {
    source: {
      repository: 'https://github.com/binance/binance-connector-js',
      commit: git('rev-parse', 'HEAD'),
      committed: git('log', '-1', '--format=%cI'),
      clients: {
        'clients/margin-trading/src/rest-api/modules': pkgOf('clients/margin-trading'),
        'clients/wallet/src/rest-api/modules/asset-api.ts (POST and GET /sapi/v1/asset/transfer only)':
          pkgOf('clients/wallet'),
      },
      extractedBy: 'scripts/extract-official.ts',
    },
    count: margin.length + wallet.length,
    endpoints: [...margin, ...wallet.map((e) => ({ ...e, client: 'wallet' }))],
  };
  process.stdout.write(`${JSON.stringify(doc, null, 1)}\n`);
}
