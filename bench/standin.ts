/**
 * The loopback Binance stand-in for the bench, run as its own process (forked by
 * bench.ts, driven over IPC) so that its request handling neither shares an event
 * loop with the client being timed nor disturbs the bench's own measurements.
 * Each `start` makes a fresh sandbox exchange (src/sandbox) with its own weight
 * windows and registers the bench's HMAC key on account "main".
 */
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';

type Command =
  | {
      id: number;
      cmd: 'start';
      apiKey: string;
      secret: string;
      ipWeightLimit?: number;
      uidWeightLimit?: number;
      clockSkewMs?: number;
    }
  | { id: number; cmd: 'stats'; box: number }
  | { id: number; cmd: 'close'; box: number }
  | { id: number; cmd: 'exit' };

const boxes = new Map<number, Sandbox>();
let nextBox = 1;

async function handle(msg: Command): Promise<Record<string, unknown>> {
  switch (msg.cmd) {
    case 'start': {
      const sb = await startSandbox({ ipWeightLimit: msg.ipWeightLimit, uidWeightLimit: msg.uidWeightLimit });
      sb.wire.clockSkewMs = msg.clockSkewMs ?? 0;
      sb.addHmacKey(msg.apiKey, msg.secret, 'main');
      const box = nextBox++;
      boxes.set(box, sb);
      return { box, url: sb.url };
    }
    case 'stats': {
      const sb = boxes.get(msg.box);
      if (!sb) throw new Error(`no sandbox ${msg.box}`);
      return { stats: { ...sb.wire.stats }, now: sb.wire.now() };
    }
    case 'close': {
      const sb = boxes.get(msg.box);
      boxes.delete(msg.box);
      await sb?.close();
      return {};
    }
    case 'exit': {
      await Promise.all([...boxes.values()].map((b) => b.close().catch(() => undefined)));
      setImmediate(() => process.exit(0));
      return {};
    }
  }
}

process.on('message', (msg: Command) => {
  handle(msg).then(
    (reply) => process.send!({ id: msg.id, ok: true, ...reply }),
    (err) => process.send!({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
// The bench died: do not linger.
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0, ok: true, ready: true });
