/**
 * The views' HTML, built by scripts/build-views.mjs into dist/apps/. Found relative to
 * this module wherever it runs: compiled (dist/src/apps/html.js), in the bundle
 * (dist/binance-margin-mcp.js) or in one of its chunks (dist/chunks/).
 */
import { readFileSync } from 'node:fs';
import type { ViewDef } from './meta.js';

const cache = new Map<string, string>();

export function viewHtml(name: ViewDef['name']): string {
  let html = cache.get(name);
  if (html !== undefined) return html;
  const tried: string[] = [];
  for (const rel of [`../../apps/${name}.html`, `./apps/${name}.html`, `../apps/${name}.html`]) {
    const url = new URL(rel, import.meta.url);
    try {
      html = readFileSync(url, 'utf8');
      break;
    } catch {
      tried.push(url.pathname);
    }
  }
  if (html === undefined)
    throw new Error(`The ${name} view is not built (looked in ${tried.join(', ')}); run npm run build.`);
  cache.set(name, html);
  return html;
}
