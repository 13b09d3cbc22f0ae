/**
 * `npm run demo`: a short scripted session through a real MCP client, the way an
 * agent's client talks to the server. The MCP SDK's (v2) Client spawns the built
 * bundle (dist/binance-margin-mcp.js) over stdio with `--sandbox --confirm-all` and a
 * temporary state directory, negotiates MCP 2026-07-28 (server/discover), then:
 *
 *   list accounts → account summary → a MARGIN_BUY order, stopped at the gate
 *   → confirm_action "CONFIRM" → the order's status by its client id
 *   → sell back what was bought → repay what the order borrowed → journal
 *
 * Every step is printed as readable JSON. Nothing leaves this machine: the sandbox is
 * a simulated exchange on a loopback port, with no real money. Run it after a build:
 * `node dist/scripts/demo.js` (`npm run demo` builds first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type CallToolResult } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/** dist/scripts/demo.js → dist/binance-margin-mcp.js */
const BIN = fileURLToPath(new URL('../binance-margin-mcp.js', import.meta.url));
const SYMBOL = 'BTCUSDT';

type Json = Record<string, any>;

/** Sum of two non-negative decimal strings, exactly (no floating point). */
function addDecimals(a: string, b: string): string {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const units = (d: string) => {
    const [int, frac = ''] = d.split('.');
    return BigInt(int + frac.padEnd(scale, '0'));
  };
  const sum = (units(a) + units(b)).toString().padStart(scale + 1, '0');
  const text = scale ? `${sum.slice(0, -scale)}.${sum.slice(-scale)}` : sum;
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

let step = 0;
function show(title: string, value: unknown): void {
  step += 1;
  process.stdout.write(`\n── ${step}. ${title} ──\n${JSON.stringify(value, null, 2)}\n`);
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bmm-demo-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, '--sandbox', '--confirm-all'],
    // A client passes only a few variables (PATH, HOME, …) to a server, so the state
    // directory is set here, as a user would in the client's "env".
    env: { ...getDefaultEnvironment(), BINANCE_STATE_DIR: stateDir, LOG_LEVEL: 'warn' },
    stderr: 'inherit',
  });
  // No elicitation declared: the gate answers with a token, which the demo shows and
  // confirms (a client that declares elicitation would ask the user within the call).
  const client = new Client(
    { name: 'binance-margin-mcp-demo', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );

  /** Calls a tool; a result with isError stops the demo (after printing it). */
  async function call(title: string, name: string, args: Json = {}, quiet = false): Promise<Json> {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const body = (result.structuredContent ?? result.content) as Json;
    if (!quiet || result.isError) show(`${title}  [${name} ${JSON.stringify(args)}]`, body);
    if (result.isError) throw new Error(`${name} failed; see the error above.`);
    return body;
  }

  try {
    await client.connect(transport);
    const info = client.getServerVersion();
    show('connected over stdio', {
      server: info,
      protocol: client.getNegotiatedProtocolVersion(),
      command: `node ${BIN} --sandbox --confirm-all`,
      stateDir,
    });

    await call('list accounts', 'list_accounts');

    const summary = await call('account summary', 'get_cross_margin_account');
    const usdt = (summary.data.userAssets as Json[]).find((a) => a.asset === 'USDT');
    const price = await call('price index', 'get_price_index', { symbol: SYMBOL });

    // Spend more USDT than the account holds, so that MARGIN_BUY borrows the rest.
    const free = Number(usdt?.free ?? 0);
    const quantity = (Math.ceil(((free * 1.2) / Number(price.data.price)) * 1000) / 1000).toFixed(3);
    const order = {
      symbol: SYMBOL,
      side: 'BUY',
      type: 'MARKET',
      quantity,
      sideEffectType: 'MARGIN_BUY',
      newClientOrderId: 'demo-buy-1',
    };
    const pending = await call(
      'MARGIN_BUY order: stopped at the confirmation gate (--confirm-all)',
      'place_order',
      order,
    );
    if (pending.status !== 'confirmation_required') throw new Error('expected the gate to ask for confirmation');

    const filled = await call(
      'the user typed CONFIRM: confirm_action executes exactly that request',
      'confirm_action',
      {
        token: pending.token,
        confirmation: 'CONFIRM',
      },
    );
    const clientOrderId = String(filled.data.clientOrderId);

    await call('order status, by its client order id', 'get_order', {
      symbol: SYMBOL,
      origClientOrderId: clientOrderId,
    });

    const borrowedAsset = String(filled.data.marginBuyBorrowAsset ?? 'USDT');
    const borrowed = String(filled.data.marginBuyBorrowAmount ?? '0');

    // The buy spent every USDT; sell what it bought to have USDT to repay with.
    const sellBack = await call('close the position: sell what was bought (gated too)', 'place_order', {
      symbol: SYMBOL,
      side: 'SELL',
      type: 'MARKET',
      quantity: String(filled.data.executedQty),
      newClientOrderId: 'demo-sell-1',
    });
    await call('confirm the sell', 'confirm_action', { token: sellBack.token, confirmation: 'CONFIRM' });

    // Binance charges the first hour's interest when it lends, and a repay pays interest
    // first: repay the principal and the interest so that nothing is left owed.
    const before = await call('what the account owes now', 'get_cross_margin_account', {}, true);
    const owed = (before.data.userAssets as Json[]).find((a) => a.asset === borrowedAsset);
    const amount = addDecimals(String(owed?.borrowed ?? borrowed), String(owed?.interest ?? '0'));
    const repay = await call(
      `repay what the order borrowed (${borrowed} ${borrowedAsset}) and its interest`,
      'borrow_or_repay',
      {
        asset: borrowedAsset,
        isIsolated: 'FALSE',
        symbol: SYMBOL,
        amount,
        type: 'REPAY',
      },
    );
    if (repay.status === 'confirmation_required')
      await call('confirm the repay', 'confirm_action', { token: repay.token, confirmation: 'CONFIRM' });

    const after = await call('account summary after', 'get_cross_margin_account', {}, true);
    const debt = (after.data.userAssets as Json[]).find((a) => a.asset === borrowedAsset);
    show(`still owed after the repay  [get_cross_margin_account {}], ${borrowedAsset} only`, {
      asset: borrowedAsset,
      borrowed: debt?.borrowed,
      interest: debt?.interest,
      free: debt?.free,
    });

    await call('the journal of this session (newest first)', 'recent_actions', { limit: 3 });
    process.stdout.write(
      '\nDone: every step above went through a real MCP client over stdio, on the sandbox (no real money).\n',
    );
  } finally {
    await client.close().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
