/**
 * The MCP clients `setup` knows: where each keeps its user-level configuration on
 * each OS (the paths the README lists), under which key its servers live, and whether
 * its file may hold comments (JSONC).
 */
import { posix, win32 } from 'node:path';

export const CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf'] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface ClientInfo {
  name: ClientName;
  label: string;
  /** The object that holds the servers. */
  serversKey: 'mcpServers' | 'servers';
  /** VS Code's form: each server says "type": "stdio". */
  typeField: boolean;
  /** The file may hold comments and trailing commas (VS Code and Cursor read JSONC). */
  jsonc: boolean;
  /** What the user does so that the client reads the change. */
  after: string;
}

export const CLIENT_INFO: Record<ClientName, ClientInfo> = {
  'claude-desktop': {
    name: 'claude-desktop',
    label: 'Claude Desktop',
    serversKey: 'mcpServers',
    typeField: false,
    jsonc: false,
    after: 'Quit and restart Claude Desktop to load it.',
  },
  'claude-code': {
    name: 'claude-code',
    label: 'Claude Code',
    serversKey: 'mcpServers',
    typeField: false,
    jsonc: false,
    after: '',
  },
  cursor: {
    name: 'cursor',
    label: 'Cursor',
    serversKey: 'mcpServers',
    typeField: false,
    jsonc: true,
    after: 'Cursor picks it up in Settings → MCP (restart Cursor if it does not).',
  },
  vscode: {
    name: 'vscode',
    label: 'VS Code',
    serversKey: 'servers',
    typeField: true,
    jsonc: true,
    after: 'VS Code picks it up; start it from the MCP view or the mcp.json code lens.',
  },
  windsurf: {
    name: 'windsurf',
    label: 'Windsurf',
    serversKey: 'mcpServers',
    typeField: false,
    jsonc: false,
    after: 'Refresh the MCP servers in Windsurf (Cascade → plug icon → Refresh).',
  },
};

export interface Place {
  platform: NodeJS.Platform;
  home: string;
  /** %APPDATA% on Windows. */
  appData?: string;
}

/** The user-level configuration file of a client on this OS (none for Claude Code, which has its own CLI). */
export function configPath(client: ClientName, p: Place): string | undefined {
  const path = p.platform === 'win32' ? win32 : posix;
  const appData = p.appData || path.join(p.home, 'AppData', 'Roaming');
  // The per-OS folder where Electron apps keep their settings.
  const appDir = (app: string) =>
    p.platform === 'darwin'
      ? path.join(p.home, 'Library', 'Application Support', app)
      : p.platform === 'win32'
        ? path.join(appData, app)
        : path.join(p.home, '.config', app);
  switch (client) {
    case 'claude-desktop':
      return path.join(appDir('Claude'), 'claude_desktop_config.json');
    case 'vscode':
      return path.join(appDir('Code'), 'User', 'mcp.json');
    case 'cursor':
      return path.join(p.home, '.cursor', 'mcp.json');
    case 'windsurf':
      return path.join(p.home, '.codeium', 'windsurf', 'mcp_config.json');
    case 'claude-code':
      return undefined;
  }
}

export const isClient = (s: string): s is ClientName => (CLIENTS as readonly string[]).includes(s);
