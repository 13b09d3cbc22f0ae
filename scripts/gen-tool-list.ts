/**
 * Build step: writes dist/tool-list.json, every tool the server can list, exactly as
 * the server describes it at run time (the same describeTool, over the real server's
 * tool table). The bundled server serves it, so its first tools/list builds no schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server.js';
import type { ToolListFile } from '../src/tools/tool-list.js';

export async function computeToolList(): Promise<ToolListFile> {
  const dir = mkdtempSync(join(tmpdir(), 'bmm-toollist-'));
  try {
    const config = parseConfig(['--sandbox'], { BINANCE_STATE_DIR: dir }, dir) as Config;
    const handle = createServer(config, createLogger('silent'));
    const list = handle.toolList();
    await handle.close();
    return list;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const out = process.argv[2];
if (out) writeFileSync(out, JSON.stringify(await computeToolList()));
