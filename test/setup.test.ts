/**
 * `binance-margin-mcp setup --client …` (issue 21): the text edit keeps every other
 * byte, the per-OS paths, and the built bundle run against a temporary HOME for each
 * client: a fresh file, a file with other servers (and comments where the client
 * allows them), a file that is not JSON, and a second run that changes nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import * as jsonc from 'jsonc-parser';
import { CLIENT_INFO, configPath, type ClientName } from '../src/setup/clients.js';
import { ConfigFileError, setServerEntry } from '../src/setup/jsonedit.js';
import { launcher, runSetup, shellWord } from '../src/setup/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../binance-margin-mcp.js', import.meta.url));

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'bmm-setup-'));
  dirs.push(d);
  return d;
};

/** The source text of each server entry under `key`, by name. */
function entryTexts(text: string, key: string): Record<string, string> {
  const root = jsonc.parseTree(text, [], { allowTrailingComma: true })!;
  const servers = jsonc.findNodeAtLocation(root, [key]);
  const out: Record<string, string> = {};
  for (const prop of servers?.children ?? []) {
    const [k, v] = prop.children!;
    out[k.value as string] = text.slice(v.offset, v.offset + v.length);
  }
  return out;
}

const parse = (text: string) => jsonc.parse(text, [], { allowTrailingComma: true }) as Record<string, any>;

describe('editing the configuration text', () => {
  const fields = { command: 'node', args: ['/opt/bmm/dist/binance-margin-mcp.js', '--read-only'] };
  const opts = (over: Partial<Parameters<typeof setServerEntry>[1]> = {}) => ({
    serversKey: 'mcpServers',
    name: 'binance-margin',
    fields,
    jsonc: false,
    where: 'the file',
    ...over,
  });

  test('adding keeps every other entry byte for byte, even one written on one line, and the file around it', () => {
    const before =
      '{\n  "globalShortcut": "Ctrl+Space",\n  "mcpServers": {\n    "files": {"command": "npx", "args": ["-y", ' +
      '"@modelcontextprotocol/server-filesystem", "/tmp"]},\n    "git":   { "command" : "uvx", ' +
      '"args":["mcp-server-git"] }\n  },\n  "zz": [1,2,  3]\n}\n';
    const { text, action } = setServerEntry(before, opts());
    assert.equal(action, 'added');
    const was = entryTexts(before, 'mcpServers');
    const now = entryTexts(text, 'mcpServers');
    assert.equal(now.files, was.files);
    assert.equal(now.git, was.git);
    assert.deepEqual(JSON.parse(now['binance-margin']), fields);
    // Only insertions: the old text is the new one minus what was added after "git".
    const at = before.indexOf('}\n  },') + 1;
    assert.ok(text.startsWith(before.slice(0, at)) && text.endsWith(before.slice(at)), text);
    assert.deepEqual(parse(text), {
      ...parse(before),
      mcpServers: { ...parse(before).mcpServers, 'binance-margin': fields },
    });
  });

  test('a one-line file, a file with no servers key, an empty servers object', () => {
    const one = '{"mcpServers":{"a":{"command":"x"}},"theme":"dark"}';
    const r1 = setServerEntry(one, opts());
    assert.equal(entryTexts(r1.text, 'mcpServers').a, '{"command":"x"}');
    assert.ok(r1.text.endsWith(',"theme":"dark"}'));
    assert.deepEqual(parse(r1.text).mcpServers['binance-margin'], fields);

    const noKey = '{\n\t"theme": "dark"\n}';
    const r2 = setServerEntry(noKey, opts());
    assert.ok(
      r2.text.startsWith('{\n\t"theme": "dark",\n\t"mcpServers": {\n\t\t"binance-margin": {'),
      `tabs kept:\n${r2.text}`,
    );
    assert.deepEqual(parse(r2.text), { theme: 'dark', mcpServers: { 'binance-margin': fields } });

    const empty = '{\r\n  "mcpServers": {}\r\n}\r\n';
    const r3 = setServerEntry(empty, opts());
    assert.ok(!/[^\r]\n/.test(r3.text), 'CRLF kept on every line');
    assert.deepEqual(parse(r3.text).mcpServers, { 'binance-margin': fields });
    assert.equal(setServerEntry(r3.text, opts()).action, 'unchanged');
  });

  test(
    'JSONC (VS Code, Cursor): comments and trailing commas stay; the comment beside the last entry stays beside ' +
      'it',
    () => {
      const before =
        '// my servers\n{\n  "servers": {\n    /* kept */\n    "gh": { "type": "http", "url": ' +
        '"https://example.invalid/mcp" }, // beside gh\n  },\n}\n';
      const { text } = setServerEntry(
        before,
        opts({ serversKey: 'servers', jsonc: true, fields: { type: 'stdio', ...fields } }),
      );
      assert.ok(text.includes('// my servers\n') && text.includes('/* kept */'));
      assert.ok(text.includes('"gh": { "type": "http", "url": "https://example.invalid/mcp" }, // beside gh\n'), text);
      assert.deepEqual(parse(text).servers['binance-margin'], { type: 'stdio', ...fields });
      assert.equal(entryTexts(text, 'servers').gh, entryTexts(before, 'servers').gh);
      assert.equal(
        setServerEntry(text, opts({ serversKey: 'servers', jsonc: true, fields: { type: 'stdio', ...fields } })).action,
        'unchanged',
      );
    },
  );

  test("updating changes only the fields setup owns; the entry's env and other fields stay byte for byte", () => {
    const before =
      '{\n  "mcpServers": {\n    "binance-margin": {\n      "command": "node",\n      "args": ["/old/path.js"],\n  ' +
      '    "env": { "LOG_LEVEL": "debug" },\n      "disabled": false\n    }\n  }\n}\n';
    const r = setServerEntry(before, opts());
    assert.equal(r.action, 'updated');
    assert.deepEqual(r.before, {
      command: 'node',
      args: ['/old/path.js'],
      env: { LOG_LEVEL: 'debug' },
      disabled: false,
    });
    assert.ok(r.text.includes('"env": { "LOG_LEVEL": "debug" },\n      "disabled": false\n'), r.text);
    assert.ok(r.text.includes('      "command": "node",\n'), 'an equal field is not rewritten');
    assert.deepEqual(parse(r.text).mcpServers['binance-margin'], {
      ...fields,
      env: { LOG_LEVEL: 'debug' },
      disabled: false,
    });
    assert.equal(setServerEntry(r.text, opts()).action, 'unchanged');
  });

  test('refuses what is not JSON, or not the expected shape, with the place of the error', () => {
    assert.throws(
      () => setServerEntry('{"mcpServers": {', opts()),
      (e: Error) => e instanceof ConfigFileError && /not valid JSON.*line 1/.test(e.message),
    );
    assert.throws(
      () => setServerEntry('// a comment\n{}', opts()),
      /not valid JSON/,
      'comments are not JSON for Claude Desktop and Windsurf',
    );
    assert.doesNotThrow(() => setServerEntry('// a comment\n{}', opts({ jsonc: true })));
    assert.throws(() => setServerEntry('[1]', opts()), /does not hold a JSON object/);
    assert.throws(() => setServerEntry('{"mcpServers": []}', opts()), /"mcpServers" is not an object/);
    assert.throws(() => setServerEntry('{"mcpServers": {"binance-margin": "x"}}', opts()), /is not an object/);
  });
});

describe('where each client keeps its configuration', () => {
  test('per OS, as the README lists them', () => {
    const mac = { platform: 'darwin' as const, home: '/Users/u' };
    const linux = { platform: 'linux' as const, home: '/home/u' };
    const win = { platform: 'win32' as const, home: 'C:\\Users\\u', appData: 'C:\\Users\\u\\AppData\\Roaming' };
    assert.equal(
      configPath('claude-desktop', mac),
      '/Users/u/Library/Application Support/Claude/claude_desktop_config.json',
    );
    assert.equal(configPath('claude-desktop', linux), '/home/u/.config/Claude/claude_desktop_config.json');
    assert.equal(
      configPath('claude-desktop', win),
      'C:\\Users\\u\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    );
    assert.equal(
      configPath('claude-desktop', { platform: 'win32', home: 'C:\\Users\\u' }),
      'C:\\Users\\u\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    );
    assert.equal(configPath('vscode', mac), '/Users/u/Library/Application Support/Code/User/mcp.json');
    assert.equal(configPath('vscode', linux), '/home/u/.config/Code/User/mcp.json');
    assert.equal(configPath('vscode', win), 'C:\\Users\\u\\AppData\\Roaming\\Code\\User\\mcp.json');
    assert.equal(configPath('cursor', linux), '/home/u/.cursor/mcp.json');
    assert.equal(configPath('cursor', win), 'C:\\Users\\u\\.cursor\\mcp.json');
    assert.equal(configPath('windsurf', mac), '/Users/u/.codeium/windsurf/mcp_config.json');
    assert.equal(configPath('windsurf', win), 'C:\\Users\\u\\.codeium\\windsurf\\mcp_config.json');
    assert.equal(configPath('claude-code', linux), undefined);
  });

  test(
    "the command: this checkout's bundle with this node, or the npm package through npx; words quoted for a " + 'shell',
    () => {
      assert.deepEqual(launcher('/home/u/src/bmm/dist/binance-margin-mcp.js', '/usr/bin/node', 'linux'), {
        command: '/usr/bin/node',
        args: ['/home/u/src/bmm/dist/binance-margin-mcp.js'],
      });
      assert.deepEqual(
        launcher(
          '/home/u/.npm/_npx/ab12/node_modules/binance-margin-mcp/dist/binance-margin-mcp.js',
          '/usr/bin/node',
          'darwin',
        ),
        { command: 'npx', args: ['-y', 'binance-margin-mcp'] },
      );
      assert.deepEqual(
        launcher(
          'C:\\Users\\u\\AppData\\Local\\npm-cache\\_npx\\1\\node_modules\\binance-margin-mcp\\dist\\binance-margin-mcp.js',
          'node.exe',
          'win32',
        ),
        { command: 'cmd', args: ['/c', 'npx', '-y', 'binance-margin-mcp'] },
        'npx.cmd needs a shell on Windows',
      );
      assert.deepEqual(launcher('C:\\src\\bmm\\dist\\binance-margin-mcp.js', 'C:\\node\\node.exe', 'win32'), {
        command: 'C:\\node\\node.exe',
        args: ['C:\\src\\bmm\\dist\\binance-margin-mcp.js'],
      });
      assert.equal(shellWord('/a/b.js', 'linux'), '/a/b.js');
      assert.equal(shellWord("/My Files/it's.md", 'linux'), `'/My Files/it'\\''s.md'`);
      assert.equal(shellWord('C:\\My Files\\T.md', 'win32'), '"C:\\My Files\\T.md"');
    },
  );
});

/** Runs the built bundle's `setup` with HOME set to `home`. */
function setup(home: string, args: string[], extraEnv: Record<string, string> = {}, cwd = home) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, ...extraEnv };
  const r = spawnSync(process.execPath, [BIN, 'setup', ...args], { cwd, env, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FILE_CLIENTS: ClientName[] = ['claude-desktop', 'cursor', 'vscode', 'windsurf'];
const KEY = 'EnvKeyThatMustNeverBeWrittenAnywhere0123456789abcdefABCDEF';
const SECRET = 'EnvSecretThatMustNeverBeWrittenAnywhere0123456789abcdef';

describe('setup from the built bundle, against a temporary HOME', () => {
  for (const client of FILE_CLIENTS) {
    const info = CLIENT_INFO[client];
    const pathIn = (home: string) => configPath(client, { platform: process.platform, home })!;
    const ours = (toolsMd: string) => ({
      ...(info.typeField ? { type: 'stdio' } : {}),
      command: process.execPath,
      args: [BIN, '--tools-md', toolsMd, '--read-only'],
    });

    test(`${client}: a fresh file, then a second run that changes nothing`, { timeout: 30_000 }, () => {
      const home = scratch();
      const toolsMd = join(home, 'TOOLS.md');
      writeFileSync(toolsMd, '## Binance Accounts\n');
      // Credentials in setup's own environment must not end up in the client's file.
      const r = setup(home, ['--client', client, '--tools-md', 'TOOLS.md', '--read-only'], {
        BINANCE_API_KEY: KEY,
        BINANCE_API_SECRET: SECRET,
      });
      assert.equal(r.code, 0, r.stderr);
      const file = pathIn(home);
      const text = readFileSync(file, 'utf8');
      assert.deepEqual(
        parse(text)[info.serversKey]['binance-margin'],
        ours(toolsMd),
        'the relative --tools-md is made absolute',
      );
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.ok(!existsSync(`${file}.bak`), 'nothing to back up');
      assert.match(r.stdout, new RegExp(`${info.label}: created .*binance-margin`));
      assert.equal(r.stderr, '', 'no server started: no log line');
      for (const where of [text, r.stdout, r.stderr])
        assert.ok(!where.includes(KEY) && !where.includes(SECRET), 'no credential written or printed');

      const again = setup(home, ['--client', client, '--tools-md', toolsMd, '--read-only']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /nothing changed/);
      assert.equal(readFileSync(file, 'utf8'), text);
      assert.ok(!existsSync(`${file}.bak`), 'an unchanged file gets no backup');
    });

    test(`${client}: an existing file with other servers keeps them byte for byte, its mode, and a .bak`, {
      timeout: 30_000,
    }, () => {
      const home = scratch();
      const file = pathIn(home);
      mkdirSync(dirname(file), { recursive: true });
      const comment = info.jsonc ? '  // servers I use every day\n' : '';
      const original =
        `{\n${comment}  "${info.serversKey}": {\n    "files": {"command": "npx", "args": ["-y", ` +
        `"@modelcontextprotocol/server-filesystem", "/tmp"], "env": {"A": "1"}},\n    "binance-margin": {\n      ` +
        `"command": "node",\n      "args": ["/old/dist/binance-margin-mcp.js"],\n      "env": {"LOG_LEVEL": ` +
        `"warn"}\n    },\n    "git":{"command":"uvx","args":["mcp-server-git"]}\n  },\n  "other": {"keep": ` +
        `true}\n}`;
      writeFileSync(file, original);
      chmodSync(file, 0o644);
      const r = setup(home, ['--client', client, '--tools-md', join(home, 'T.md'), '--read-only']);
      assert.equal(r.code, 0, r.stderr);
      const text = readFileSync(file, 'utf8');
      assert.equal(readFileSync(`${file}.bak`, 'utf8'), original, 'the .bak is the file as it was');
      assert.equal(statSync(file).mode & 0o777, 0o644, 'the file keeps its mode');
      const was = entryTexts(original, info.serversKey);
      const now = entryTexts(text, info.serversKey);
      assert.equal(now.files, was.files);
      assert.equal(now.git, was.git);
      assert.ok(text.includes(comment) && text.includes('"other": {"keep": true}'));
      assert.ok(now['binance-margin'].includes('"env": {"LOG_LEVEL": "warn"}'), 'the entry keeps its own env');
      const entry = parse(text)[info.serversKey]['binance-margin'];
      assert.deepEqual({ ...entry, env: undefined }, { ...ours(join(home, 'T.md')), env: undefined });
      assert.match(r.stdout, /updated the server "binance-margin"/);
      assert.match(r.stdout, /before: .*\/old\/dist/);
      assert.match(r.stdout, /\.bak/);
      assert.match(r.stdout, /does not exist yet/, 'a TOOLS.md that is not there is pointed out');
      const again = setup(home, ['--client', client, '--tools-md', join(home, 'T.md'), '--read-only']);
      assert.equal(again.code, 0);
      assert.equal(readFileSync(file, 'utf8'), text, 'idempotent');
      assert.equal(readFileSync(`${file}.bak`, 'utf8'), original, 'the .bak of the real change stays');
    });

    test(`${client}: a file that is not valid JSON is refused and left as it was`, { timeout: 30_000 }, () => {
      const home = scratch();
      const file = pathIn(home);
      mkdirSync(dirname(file), { recursive: true });
      const broken = `{\n  "${info.serversKey}": {\n    "files": {"command": "npx",}\n  \n`;
      writeFileSync(file, broken);
      const r = setup(home, ['--client', client]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not valid JSON.*line \d+, column \d+.*Nothing was changed/s);
      assert.equal(r.stdout, '');
      assert.equal(readFileSync(file, 'utf8'), broken);
      assert.deepEqual(readdirSync(dirname(file)), [file.split(/[\\/]/).pop()], 'no .bak, no temporary file');
    });
  }

  test('claude-code: prints the `claude mcp add` command and writes nothing', { timeout: 30_000 }, () => {
    const home = scratch();
    const r = setup(home, [
      '--client',
      'claude-code',
      '--tools-md',
      '/srv/my accounts/TOOLS.md',
      '--toolsets',
      'core,borrow',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout.includes(
        `claude mcp add --scope user binance-margin -- ${process.execPath} ${BIN} --tools-md '/srv/my ` +
          `accounts/TOOLS.md' --toolsets core,borrow`,
      ),
      r.stdout,
    );
    assert.deepEqual(readdirSync(home), []);
    // With --config it edits that file instead: a project's .mcp.json.
    const project = scratch();
    const withFile = setup(home, ['--client', 'claude-code', '--config', '.mcp.json'], {}, project);
    assert.equal(withFile.code, 0, withFile.stderr);
    assert.deepEqual(parse(readFileSync(join(project, '.mcp.json'), 'utf8')).mcpServers['binance-margin'], {
      command: process.execPath,
      args: [BIN],
    });
  });

  test('--dry-run prints the change and writes nothing; a symlinked configuration is edited where it lives', {
    timeout: 30_000,
  }, () => {
    const home = scratch();
    const dry = setup(home, ['--client', 'cursor', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would create .*mcp\.json.*dry run: nothing written/);
    assert.deepEqual(readdirSync(home), []);

    const dotfiles = join(home, 'dotfiles');
    mkdirSync(dotfiles);
    writeFileSync(join(dotfiles, 'cursor-mcp.json'), '{"mcpServers": {}}\n');
    mkdirSync(join(home, '.cursor'));
    symlinkSync(join(dotfiles, 'cursor-mcp.json'), join(home, '.cursor', 'mcp.json'));
    const r = setup(home, ['--client', 'cursor']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(home, '.cursor', 'mcp.json')).isSymbolicLink(), 'the link stays a link');
    assert.ok(parse(readFileSync(join(dotfiles, 'cursor-mcp.json'), 'utf8')).mcpServers['binance-margin']);
    assert.ok(existsSync(join(dotfiles, 'cursor-mcp.json.bak')));
  });

  test('a file saved with a byte order mark (Notepad) keeps it, and CRLF line endings', { timeout: 30_000 }, () => {
    const home = scratch();
    const file = configPath('claude-desktop', { platform: process.platform, home })!;
    mkdirSync(dirname(file), { recursive: true });
    const original = '\uFEFF{\r\n  "mcpServers": {\r\n    "a": { "command": "x" }\r\n  }\r\n}\r\n';
    writeFileSync(file, original);
    const r = setup(home, ['--client', 'claude-desktop']);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(file, 'utf8');
    assert.ok(
      text.startsWith('\uFEFF{\r\n  "mcpServers": {\r\n    "a": { "command": "x" },\r\n    "binance-margin": {'),
      JSON.stringify(text),
    );
    assert.ok(!/[^\r]\n/.test(text), 'CRLF throughout');
    assert.equal(readFileSync(`${file}.bak`, 'utf8'), original);

    // Bytes that are not UTF-8 would not survive a round trip: refused, untouched.
    const latin1 = Buffer.from('{"mcpServers": {"caf\xe9": {"command": "x"}}}', 'latin1');
    writeFileSync(file, latin1);
    const refused = setup(home, ['--client', 'claude-desktop', '--read-only']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not UTF-8 text; nothing was changed/);
    assert.ok(readFileSync(file).equals(latin1));
  });

  test('a quoted ~/ path is taken from HOME', { timeout: 30_000 }, () => {
    const home = scratch();
    const r = setup(
      home,
      ['--client', 'cursor', '--tools-md', '~/accounts/TOOLS.md', '--config', '~/custom.json'],
      {},
      '/',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      parse(readFileSync(join(home, 'custom.json'), 'utf8')).mcpServers['binance-margin'].args.slice(1),
      ['--tools-md', join(home, 'accounts', 'TOOLS.md')],
    );
  });

  test('refuses control characters, unknown clients, flags and toolsets (exit 2), changing nothing', {
    timeout: 30_000,
  }, () => {
    const home = scratch();
    for (const args of [
      ['--client', 'cursor', '--tools-md', '/tmp/a\nb'],
      ['--client', 'cursor', '--name', 'x\u0007'],
      ['--client', 'emacs'],
      ['--client', 'cursor', '--toolsets', 'core,nope'],
      ['--client', 'cursor', '--api-key', KEY],
      [],
    ]) {
      const r = setup(home, args);
      assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: binance-margin-mcp setup/);
      assert.ok(!r.stderr.includes(KEY), 'an offered key is not echoed');
    }
    assert.deepEqual(readdirSync(home), []);
  });

  test('`npx binance-margin-mcp setup` from the packed npm package writes the npx form', {
    timeout: 60_000,
  }, async () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { files: { path: string }[] }[];
    const files = packed[0].files.map((f) => f.path);
    assert.ok(
      files.some((f) => /^dist\/chunks\/setup-/.test(f)),
      'the setup chunk is packed',
    );
    // Laid out as npx installs it: <cache>/node_modules/binance-margin-mcp, run through .bin.
    const cache = scratch();
    const pkgDir = join(cache, 'node_modules', 'binance-margin-mcp');
    for (const f of files) {
      mkdirSync(dirname(join(pkgDir, f)), { recursive: true });
      cpSync(join(ROOT, f), join(pkgDir, f));
    }
    mkdirSync(join(cache, 'node_modules', '.bin'));
    symlinkSync(
      '../binance-margin-mcp/dist/binance-margin-mcp.js',
      join(cache, 'node_modules', '.bin', 'binance-margin-mcp'),
    );
    const home = scratch();
    const r = spawnSync(
      join(cache, 'node_modules', '.bin', 'binance-margin-mcp'),
      ['setup', '--client', 'windsurf', '--toolsets', 'core'],
      { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home }, encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(configPath('windsurf', { platform: process.platform, home })!, 'utf8');
    assert.deepEqual(parse(text).mcpServers['binance-margin'], {
      command: 'npx',
      args: ['-y', 'binance-margin-mcp', '--toolsets', 'core'],
    });
  });
});

describe('runSetup in-process', () => {
  test('prints the usage for --help and never starts a server', async () => {
    const out: string[] = [];
    assert.equal(await runSetup(['--help'], {}, { out: (l) => out.push(l), err: (l) => out.push(l) }), 0);
    assert.match(out.join('\n'), /--client CLIENT +claude-desktop \| claude-code \| cursor \| vscode \| windsurf/);
  });
});
