/**
 * Build step: writes dist/tool-list.json, every tool the server can list, exactly as
 * the server computes it at run time (it starts the real server in memory and asks).
 * The bundled server serves it, so its first tools/list builds no schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { parseConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server.js';
import type { ToolListFile } from '../src/tools/tool-list.js';
import { VERSION } from '../src/version.js';

export async function computeToolList(): Promise<ToolListFile> {
  const dir = mkdtempSync(join(tmpdir(), 'bmm-toollist-'));
  try {
    const config = parseConfig(['--sandbox'], { BINANCE_STATE_DIR: dir }, dir) as Config;
    const handle = createServer(config, createLogger('silent'));
    const client = new Client({ name: 'build', version: VERSION });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await handle.server.connect(b);
    await client.connect(a);
    const { tools } = await client.listTools();
    await client.close();
    await handle.close();
    return { version: VERSION, tools };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const out = process.argv[2];
if (out) writeFileSync(out, JSON.stringify(await computeToolList()));
