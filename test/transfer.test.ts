/**
 * Moving collateral through MCP against the sandbox (issue 16): a gated write with a
 * summary on Mainnet-like confirmation, journaled intent before result, the balances
 * moved, and the kill switch: a transfer into margin passes it, one out is refused.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { errorOf, startServer, structured, toolsMd } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';

const KEY = randomApiKey();
const SECRET = randomSecret();

test(
  'transfer_margin_collateral: confirmed, journaled, balances moved; the kill switch passes only transfers into ' +
    'margin',
  async () => {
    const s = await startServer({
      toolsMd: toolsMd([{ name: 'main', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Sandbox' } }]),
      args: ['--confirm-all'],
    });
    try {
      const usdt = async () =>
        (
          structured(await s.call('get_cross_margin_account')).data.userAssets as { asset: string; free: string }[]
        ).find((a) => a.asset === 'USDT')!.free;
      const before = Number(await usdt());
      const pending = structured(
        await s.call('transfer_margin_collateral', { type: 'MAIN_MARGIN', asset: 'USDT', amount: '300' }),
      );
      assert.equal(pending.status, 'confirmation_required');
      assert.match(
        pending.summary,
        /^Transfer 300 USDT from the spot wallet to cross margin on main \(Sandbox\) \(≈ 300 USDT/,
      );
      assert.equal(Number(await usdt()), before, 'nothing moved before CONFIRM');
      const done = structured(await s.call('confirm_action', { token: pending.token, confirmation: 'CONFIRM' }));
      assert.ok(done.data.tranId > 0);
      assert.equal(Number(await usdt()), before + 300);
      const history = structured(await s.call('get_collateral_transfers', { type: 'MAIN_MARGIN' })).data;
      assert.equal(history.total, 1);
      assert.equal(history.rows[0].amount, '300.00000000');

      const dir = join(s.config.stateDir, 'journal');
      const lines = readFileSync(join(dir, readdirSync(dir)[0]), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const phases = lines.filter((l) => l.tool === 'transfer_margin_collateral').map((l) => l.phase);
      assert.deepEqual(phases.slice(-2), ['intent', 'result']);
      assert.ok(!JSON.stringify(lines).includes(SECRET));

      const kill = join(s.config.stateDir, 'KILL');
      writeFileSync(kill, '');
      try {
        const out = await s.call('transfer_margin_collateral', { type: 'MARGIN_MAIN', asset: 'USDT', amount: '10' });
        assert.equal(errorOf(out).kind, 'policy');
        assert.match(errorOf(out).message, /kill switch is on/);
        const toPair = await s.call('transfer_margin_collateral', {
          type: 'MARGIN_ISOLATEDMARGIN',
          asset: 'USDT',
          amount: '10',
          toSymbol: 'BTCUSDT',
        });
        assert.equal(errorOf(toPair).kind, 'policy', 'taking collateral from cross is not risk-reducing');
        const into = structured(
          await s.call('transfer_margin_collateral', { type: 'MAIN_MARGIN', asset: 'USDT', amount: '10' }),
        );
        assert.equal(into.status, 'confirmation_required', 'adding collateral passes the kill switch');
      } finally {
        unlinkSync(kill);
      }
    } finally {
      await s.close();
    }
  },
);

test(
  'Max Transfer Value bounds every transfer, into margin too; Allowed Symbols bounds the isolated pairs it ' +
    'touches',
  async () => {
    const s = await startServer({
      toolsMd: toolsMd([
        {
          name: 'main',
          fields: {
            'API Key': KEY,
            Secret: SECRET,
            Environment: 'Sandbox',
            'Max Transfer Value': '500',
            'Allowed Symbols': 'BTCUSDT',
          },
        },
      ]),
    });
    try {
      const into = await s.call('transfer_margin_collateral', { type: 'MAIN_MARGIN', asset: 'USDT', amount: '600' });
      assert.equal(errorOf(into)?.kind, 'policy', JSON.stringify(into.structuredContent));
      assert.match(errorOf(into).message, /Max Transfer Value is 500 USDT; this transfer is worth 600 USDT/);
      // 600 USDT at 60,000
      const btc = await s.call('transfer_margin_collateral', { type: 'MARGIN_MAIN', asset: 'BTC', amount: '0.01' });
      assert.match(errorOf(btc).message, /worth 600 USDT/);
      const pair = await s.call('transfer_margin_collateral', {
        type: 'MARGIN_ISOLATEDMARGIN',
        asset: 'USDT',
        amount: '10',
        toSymbol: 'ETHUSDT',
      });
      assert.match(errorOf(pair).message, /Allowed Symbols \(BTCUSDT\).*ETHUSDT/);
      const sb = await s.handle.hosts.sandboxInstance();
      void sb;
      const ok = await s.call('transfer_margin_collateral', { type: 'MAIN_MARGIN', asset: 'USDT', amount: '400' });
      assert.ok(!ok.isError, JSON.stringify(ok.structuredContent));
      // A transfer is not an order or a borrow: it does not count toward Max Daily Value.
      const st = structured(await s.call('server_status'));
      assert.deepEqual(st.accounts[0].limits, { maxTransferValueUsdt: 500, allowedSymbols: ['BTCUSDT'] });
    } finally {
      await s.close();
    }
  },
);
