/**
 * Headless Chromium (Debian's `chromium` package) driven over the Chrome DevTools
 * Protocol on a pipe (`--remote-debugging-pipe`: fd 3 in, fd 4 out, NUL-terminated JSON),
 * so nothing but Node is needed: no puppeteer, no WebSocket client, no port.
 *
 * Every network request any frame of the page makes is recorded (Network events of the
 * page and of every frame attached to it), so a test can assert there was none.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export function findChromium(): string | undefined {
  for (const name of [process.env.CHROMIUM_PATH, 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!name) continue;
    const r = spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

type Json = Record<string, any>;
type Listener = (params: Json, sessionId?: string) => void;

export interface NetworkRequest {
  url: string;
  type?: string;
  blockedReason?: string;
}

export class Browser {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (v: Json) => void; reject: (e: Error) => void; method: string }
  >();
  private readonly listeners = new Map<string, Set<Listener>>();
  private buffer = '';
  readonly requests: NetworkRequest[] = [];
  readonly console: string[] = [];
  /** The page's session (flat mode). */
  session!: string;
  /** Sessions of the page's out-of-process frames → their frame (target) ids. */
  readonly frames = new Map<string, string>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, end)) as Json;
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(msg);
      }
    });
  }

  static async launch(executable: string): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'bmm-chromium-'));
    const child = spawn(
      executable,
      [
        '--headless=new',
        '--remote-debugging-pipe',
        '--no-sandbox', // root in CI containers; the page is our own test host
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--metrics-recording-only',
        '--mute-audio',
        '--hide-scrollbars',
        '--font-render-hinting=none',
        `--user-data-dir=${profile}`,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    const stderr: string[] = [];
    child.stderr!.on('data', (d) => stderr.push(String(d)));
    const browser = new Browser(child, profile);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${stderr.join('').slice(-2000)}`))),
    );
    const ready = (async () => {
      const { targetInfos } = await browser.send('Target.getTargets');
      let page = (targetInfos as Json[]).find((t) => t.type === 'page');
      if (!page) page = { targetId: (await browser.send('Target.createTarget', { url: 'about:blank' })).targetId };
      browser.session = (
        await browser.send('Target.attachToTarget', { targetId: page.targetId, flatten: true })
      ).sessionId;
      await browser.watchSession(browser.session);
      // Frames in other processes (a sandboxed iframe is one) attach as their own sessions, paused
      // until their network is watched too.
      browser.on('Target.attachedToTarget', (p) => {
        const sessionId = p.sessionId as string;
        if (p.targetInfo?.type === 'iframe') browser.frames.set(sessionId, p.targetInfo.targetId);
        void (async () => {
          await browser.watchSession(sessionId).catch(() => undefined);
          await browser.send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined);
        })();
      });
      browser.on('Target.detachedFromTarget', (p) => browser.frames.delete(p.sessionId));
      await browser.send(
        'Target.setAutoAttach',
        { autoAttach: true, waitForDebuggerOnStart: true, flatten: true },
        browser.session,
      );
      await browser.send('Page.enable', {}, browser.session);
      await browser.send('Runtime.enable', {}, browser.session);
      return browser;
    })();
    return Promise.race([ready, exited]);
  }

  private async watchSession(sessionId: string) {
    await this.send('Network.enable', {}, sessionId);
    await this.send('Log.enable', {}, sessionId).catch(() => undefined);
  }

  private dispatch(msg: Json) {
    if (msg.id !== undefined) {
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (!w) return;
      if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`));
      else w.resolve(msg.result ?? {});
      return;
    }
    if (msg.method === 'Network.requestWillBeSent')
      this.requests.push({ url: msg.params.request.url, type: msg.params.type });
    if (msg.method === 'Network.loadingFailed' && msg.params.blockedReason)
      this.requests.push({ url: `(request ${msg.params.requestId})`, blockedReason: msg.params.blockedReason });
    if (msg.method === 'Runtime.consoleAPICalled' && msg.params.type !== 'debug')
      this.console.push(
        `${msg.params.type}: ${(msg.params.args as Json[]).map((a) => a.value ?? a.description ?? '').join(' ')}`,
      );
    if (msg.method === 'Log.entryAdded') this.console.push(`${msg.params.entry.level}: ${msg.params.entry.text}`);
    for (const l of this.listeners.get(msg.method) ?? []) l(msg.params, msg.sessionId);
  }

  on(method: string, listener: Listener): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  send(method: string, params: Json = {}, sessionId?: string): Promise<Json> {
    const id = this.nextId++;
    const msg = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, method });
      (this.child.stdio[3] as Writable).write(`${msg}\0`);
    });
  }

  /** Evaluates an expression in the page (or in a given execution context of a session) and returns its value. */
  async evaluate<T = unknown>(expression: string, context?: { id: number; session: string }): Promise<T> {
    const r = await this.send(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true, ...(context ? { contextId: context.id } : {}) },
      context?.session ?? this.session,
    );
    if (r.exceptionDetails)
      throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /**
   * An isolated world in the view's frame (the page's child frame, in or out of process): its DOM, without access to
   * its scripts.
   */
  async viewContext(): Promise<{ id: number; session: string }> {
    const { frameTree } = await this.send('Page.getFrameTree', {}, this.session);
    const child = (frameTree.childFrames as Json[] | undefined)?.[0];
    let session = this.session;
    let frameId = child?.frame.id as string | undefined;
    if (!frameId) {
      const last = [...this.frames.entries()].pop();
      if (!last) throw new Error('no view frame');
      [session, frameId] = last;
    }
    const { executionContextId } = await this.send('Page.createIsolatedWorld', { frameId, worldName: 'test' }, session);
    return { id: executionContextId as number, session };
  }

  async screenshot(): Promise<Buffer> {
    const { data } = await this.send(
      'Page.captureScreenshot',
      { format: 'png', captureBeyondViewport: false },
      this.session,
    );
    return Buffer.from(data as string, 'base64');
  }

  async close(): Promise<void> {
    const gone = new Promise((r) => this.child.once('exit', r));
    this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
