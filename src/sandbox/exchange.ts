/**
 * The simulated margin exchange: accounts, their cross and isolated wallets, borrowing
 * and repaying within the limits leverage allows, hourly interest, liquidation, special
 * keys and listen keys, and every history Binance keeps about them. Orders live in
 * orders.ts and settle through the wallet operations here. The whole state is one
 * plain object, so saving and loading it is one JSON round trip.
 *
 * Special and listen keys live in keys.ts, small liabilities and liquidations in
 * liquidation.ts, the state's types in state.ts.
 *
 * Nothing here knows HTTP: routes/ turns requests into calls and results into
 * Binance's response shapes; a refusal is a BinanceReject with Binance's code.
 */
import { dec, div, fmt, max, min, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import { assetInfo, PriceFeed, symbolInfo } from './market.js';
import { OrderEngine } from './orders.js';
import { DEPTH_USDT } from './depth.js';
import { KeyBook } from './keys.js';
import { Liquidation } from './liquidation.js';
import { Rng } from './random.js';
import { Transfers } from './transfers.js';
import { addInterest, chargeInterest, loanRow } from './interest.js';
import { type AccountSnapshot, snapshotOf } from './snapshot.js';
import {
  emptyBalance,
  type Account,
  type Balance,
  type ExchangeOptions,
  type ExchangeState,
  type Row,
  type Scope,
  type Wallet,
} from './state.js';

export * from './state.js';

/** What a new account holds in cross margin, and what stays in its demo spot wallet. */
const DEMO_CROSS: Record<string, string> = { USDT: '10000', BTC: '0.1', ETH: '1', BNB: '5' };
const DEMO_SPOT: Record<string, string> = { USDT: '100000', USDC: '100000', BTC: '1', ETH: '10', BNB: '50' };
/** A newly enabled isolated pair receives this much (in USDT value) of its quote asset. */
const ISOLATED_FUNDING_USDT = dec('1000');
export const MAX_ISOLATED_ACCOUNTS = 10;
const HOUR_MS = 3_600_000;

export class SandboxExchange {
  readonly state: ExchangeState;
  readonly prices: PriceFeed;
  readonly orders: OrderEngine;
  readonly rng: Rng;
  readonly now: () => number;
  /** Depth per level of the modelled book (USDT). */
  readonly depthUsdt: Dec;
  /** Special keys and listen keys. */
  readonly keys: KeyBook;
  /** Small liabilities, liquidations and the liquidation loan. */
  readonly liquidation: Liquidation;
  /** Money moving between the spot wallet and margin. */
  readonly transfers: Transfers;

  constructor(opts: ExchangeOptions = {}, saved?: ExchangeState) {
    this.now = opts.now ?? Date.now;
    this.depthUsdt = opts.depthUsdt === undefined ? DEPTH_USDT : dec(opts.depthUsdt);
    const seed = opts.seed ?? 1;
    const seeded = new Rng(seed);
    this.state = saved ?? {
      version: 1,
      rng: seeded.state,
      // Ids start at seeded values, as real ids are large and never 1.
      ids: {
        order: seeded.int(100_000, 999_999),
        list: seeded.int(1_000, 9_999),
        trade: seeded.int(10_000, 99_999),
        tx: seeded.int(1_000_000, 9_999_999),
      },
      accounts: {},
      orders: [],
      orderLists: [],
      trades: [],
      market: { prices: {}, lastStep: this.now() },
    };
    this.rng = new Rng(this.state.rng);
    this.prices = new PriceFeed(opts.priceMode ?? 'fixed', this.rng, this.now(), this.state.market);
    this.orders = new OrderEngine(this);
    this.keys = new KeyBook(this, opts);
    this.liquidation = new Liquidation(this);
    this.transfers = new Transfers(this);
  }

  // ---------------------------------------------------------------- ids, time, persistence

  nextId(kind: keyof ExchangeState['ids']): number {
    return ++this.state.ids[kind];
  }

  /** The state as JSON-ready data (bigints written as {"$dec": "..."}). */
  serialize(): string {
    this.state.rng = this.rng.state;
    this.state.market = this.prices.snapshot();
    return JSON.stringify(this.state, (_k, v) => (typeof v === 'bigint' ? { $dec: v.toString() } : v));
  }

  static deserialize(text: string): ExchangeState {
    const state = JSON.parse(text, (_k, v) =>
      v && typeof v === 'object' && typeof v.$dec === 'string' && Object.keys(v).length === 1 ? BigInt(v.$dec) : v,
    ) as ExchangeState;
    if (state.version !== 1) throw new Error(`unsupported sandbox state version ${String(state.version)}`);
    return state;
  }

  /**
   * Catches up with time before each request: the price walk, whole hours of interest,
   * orders the new prices trigger, and listen keys that expired.
   */
  tick(): void {
    const now = this.now();
    const moved = this.prices.advance(now);
    for (const symbol of moved) this.orders.onPrice(symbol);
    for (const account of Object.values(this.state.accounts)) {
      const hours = Math.floor((now - account.interestAccruedUntil) / HOUR_MS);
      if (hours > 0) {
        account.interestAccruedUntil += hours * HOUR_MS;
        chargeInterest(this, account, Math.min(hours, 24 * 31));
      }
      for (const [key, expires] of Object.entries(account.listenKeys))
        if (expires < now) delete account.listenKeys[key];
    }
  }

  // ---------------------------------------------------------------- prices

  getPrice(symbol: string): string {
    return fmt(this.prices.get(symbol));
  }

  /** Moves a price; resting orders and order-list legs it crosses fill or trigger. */
  setPrice(symbol: string, price: string): void {
    this.prices.set(symbol, dec(price));
    this.orders.onPrice(symbol);
  }

  // ---------------------------------------------------------------- accounts and wallets

  /** The account, created and funded with the demo wallet when new. */
  ensureAccount(accountId: string): Account {
    const existing = this.state.accounts[accountId];
    if (existing) return existing;
    const now = this.now();
    const account: Account = {
      id: accountId,
      cross: {},
      isolated: {},
      spot: {},
      maxLeverage: 3,
      bnbBurn: { spotBNBBurn: false, interestBNBBurn: false },
      interestAccruedUntil: now,
      specialKeys: [],
      listenKeys: {},
      history: {
        transfers: [],
        borrows: [],
        repays: [],
        interest: [],
        flows: [],
        forceLiquidations: [],
        smallLiability: [],
        loanRepays: [],
      },
    };
    this.state.accounts[accountId] = account;
    for (const [asset, amount] of Object.entries(DEMO_SPOT)) account.spot[asset] = dec(amount);
    for (const [asset, amount] of Object.entries(DEMO_CROSS))
      this.transfers.transferIn({ accountId }, asset, dec(amount));
    return account;
  }

  account(accountId: string): Account {
    const account = this.state.accounts[accountId];
    if (!account) throw errors.noMarginAccount();
    return account;
  }

  /** The wallet of a scope; an isolated pair must be enabled. */
  wallet(scope: Scope): Wallet {
    const account = this.account(scope.accountId);
    if (!scope.isolatedSymbol) return account.cross;
    const pair = account.isolated[scope.isolatedSymbol];
    if (!pair?.enabled) throw errors.noMarginAccount();
    return pair.wallet;
  }

  balance(scope: Scope, asset: string): Balance {
    const wallet = this.wallet(scope);
    return (wallet[asset] ??= emptyBalance());
  }

  /** Checks that an asset can be held in the scope (an isolated pair holds its two assets only). */
  checkAsset(scope: Scope, asset: string): void {
    if (!assetInfo(asset)) throw errors.notMarginAsset();
    if (scope.isolatedSymbol) {
      const info = symbolInfo(scope.isolatedSymbol)!;
      if (asset !== info.base && asset !== info.quote) throw errors.notMarginAsset();
    }
  }

  /**
   * One line of the capital flow; amounts are signed (money in positive, out negative).
   * `symbol` is the isolated pair, or the pair a cross trade was on; `scope` (kept for
   * the query, not shown) says which account the line belongs to.
   */
  recordFlow(scope: Scope, asset: string, type: string, amount: Dec, tranId = this.nextId('tx'), pair?: string): void {
    const account = this.account(scope.accountId);
    const row: Row = { id: account.history.flows.length + 1, tranId, timestamp: this.now(), asset };
    const symbol = scope.isolatedSymbol ?? pair;
    if (symbol) row.symbol = symbol;
    Object.assign(row, { type, amount: fmt(amount), scope: scope.isolatedSymbol ?? 'CROSS' });
    account.history.flows.push(row);
  }

  // ---------------------------------------------------------------- isolated pairs

  enableIsolated(accountId: string, symbol: string): void {
    const account = this.account(accountId);
    const info = symbolInfo(symbol);
    if (!info) throw errors.invalidSymbol();
    const pair = account.isolated[symbol];
    if (pair?.enabled) return;
    if (this.enabledIsolatedCount(accountId) >= MAX_ISOLATED_ACCOUNTS) {
      throw errors.unsupported(
        `The number of enabled isolated margin accounts has reached the limit of ${MAX_ISOLATED_ACCOUNTS}.`,
      );
    }
    account.isolated[symbol] = { symbol, enabled: true, wallet: pair?.wallet ?? {} };
    // Transfers are not among the endpoints, so a new pair is funded from the demo wallet.
    const funding = this.prices.fromUsdt(info.quote, ISOLATED_FUNDING_USDT);
    if ((account.spot[info.quote] ?? ZERO) >= funding)
      this.transfers.transferIn({ accountId, isolatedSymbol: symbol }, info.quote, funding);
  }

  disableIsolated(accountId: string, symbol: string): void {
    const account = this.account(accountId);
    if (!symbolInfo(symbol)) throw errors.invalidSymbol();
    const pair = account.isolated[symbol];
    if (!pair?.enabled) throw errors.noMarginAccount();
    const scope = { accountId, isolatedSymbol: symbol };
    const owes = Object.values(pair.wallet).some((b) => b.borrowed > 0n || b.interest > 0n);
    if (owes || this.orders.openOrders(scope, symbol).length > 0) throw errors.transferOutNotAllowed();
    for (const [asset, bal] of Object.entries(pair.wallet))
      if (bal.free > 0n) this.transfers.transferOut(scope, asset, bal.free);
    pair.enabled = false;
  }

  enabledIsolatedCount(accountId: string): number {
    return Object.values(this.account(accountId).isolated).filter((p) => p.enabled).length;
  }

  // ---------------------------------------------------------------- valuation

  /** Assets and liabilities of a scope in USDT. */
  totalsUsdt(scope: Scope): { assets: Dec; liabilities: Dec } {
    let assets = ZERO;
    let liabilities = ZERO;
    for (const [asset, b] of Object.entries(this.wallet(scope))) {
      assets += this.prices.usdtValue(asset, b.free + b.locked);
      liabilities += this.prices.usdtValue(asset, b.borrowed + b.interest);
    }
    return { assets, liabilities };
  }

  /** Margin level as Binance shows it: assets / liabilities, "999" without liabilities. */
  marginLevel(scope: Scope): string {
    const { assets, liabilities } = this.totalsUsdt(scope);
    return liabilities === 0n ? '999.00000000' : fmt(div(assets, liabilities));
  }

  leverageOf(scope: Scope): number {
    return scope.isolatedSymbol
      ? symbolInfo(scope.isolatedSymbol)!.isolatedLeverage
      : this.account(scope.accountId).maxLeverage;
  }

  /**
   * Most of `asset` the scope may still borrow: with leverage L an account may owe up to
   * equity × (L − 1) in total, capped per asset by the borrow limit and the inventory.
   */
  maxBorrowable(scope: Scope, asset: string): { amount: Dec; borrowLimit: Dec } {
    this.checkAsset(scope, asset);
    const { assets, liabilities } = this.totalsUsdt(scope);
    const equity = assets - liabilities;
    const room = equity * BigInt(this.leverageOf(scope) - 1) - liabilities;
    const bal = this.balance(scope, asset);
    const borrowLimit = this.borrowLimit(scope, asset);
    let amount = max(ZERO, this.prices.fromUsdt(asset, room));
    amount = min(amount, max(ZERO, borrowLimit - bal.borrowed));
    amount = min(amount, assetInfo(asset)!.inventory);
    return { amount, borrowLimit };
  }

  borrowLimit(scope: Scope, asset: string): Dec {
    if (!scope.isolatedSymbol) return assetInfo(asset)!.borrowLimit;
    const info = symbolInfo(scope.isolatedSymbol)!;
    return asset === info.base ? info.isolatedBaseBorrowLimit : info.isolatedQuoteBorrowLimit;
  }

  /** What may leave the scope without pushing the margin level under 2. */
  maxTransferable(scope: Scope, asset: string): Dec {
    this.checkAsset(scope, asset);
    const bal = this.balance(scope, asset);
    const { assets, liabilities } = this.totalsUsdt(scope);
    if (liabilities === 0n) return bal.free;
    const spare = assets - liabilities * 2n;
    return min(bal.free, max(ZERO, this.prices.fromUsdt(asset, spare)));
  }

  // ---------------------------------------------------------------- borrow, repay, interest

  /** Borrows into the scope; the first hour's interest is charged at once, as Binance does. */
  borrow(scope: Scope, asset: string, amount: Dec, kind: 'MANUAL' | 'AUTO'): number {
    this.checkAsset(scope, asset);
    if (amount <= 0n) throw errors.amountOverZero();
    if (amount > this.maxBorrowable(scope, asset).amount) throw errors.overBorrowable();
    const bal = this.balance(scope, asset);
    bal.free += amount;
    bal.borrowed += amount;
    const txId = this.nextId('tx');
    const account = this.account(scope.accountId);
    account.history.borrows.push(loanRow(this, scope, kind, asset, amount, ZERO, amount, txId));
    this.recordFlow(scope, asset, 'BORROW', amount, txId);
    addInterest(this, scope, asset, amount, 'ON_BORROW');
    return txId;
  }

  /** Repays interest first, then principal, from free funds of the asset. */
  repay(scope: Scope, asset: string, amount: Dec, kind: 'MANUAL' | 'AUTO'): number {
    this.checkAsset(scope, asset);
    if (amount <= 0n) throw errors.amountOverZero();
    const bal = this.balance(scope, asset);
    if (amount > bal.borrowed + bal.interest) throw errors.repayOverDebt();
    if (amount > bal.free) throw errors.balanceNotEnough();
    const interest = min(amount, bal.interest);
    const principal = amount - interest;
    bal.free -= amount;
    bal.interest -= interest;
    bal.borrowed -= principal;
    const txId = this.nextId('tx');
    this.account(scope.accountId).history.repays.push(
      loanRow(this, scope, kind, asset, amount, interest, principal, txId),
    );
    this.recordFlow(scope, asset, 'REPAY', -amount, txId);
    return txId;
  }

  /** Repays what it can of `asset`'s debt from free funds; used by AUTO_REPAY orders. */
  repayWhatIsOwed(scope: Scope, asset: string, upTo: Dec): Dec {
    const bal = this.balance(scope, asset);
    const amount = min(upTo, min(bal.free, bal.borrowed + bal.interest));
    if (amount > 0n) this.repay(scope, asset, amount, 'AUTO');
    return amount;
  }

  /** Charges `hours` hours of interest on every debt of every account (a test helper; tick() uses it too). */
  accrueInterest(hours = 1): void {
    for (const account of Object.values(this.state.accounts)) chargeInterest(this, account, hours);
  }

  // ---------------------------------------------------------------- settings

  setMaxLeverage(accountId: string, leverage: number): void {
    // Cross Margin Classic allows 3 or 5; Pro (10) was sunset, 20 needs compliance approval.
    if (leverage !== 3 && leverage !== 5) throw errors.invalidParam('maxLeverage');
    this.account(accountId).maxLeverage = leverage;
  }

  // ---------------------------------------------------------------- snapshots for tests

  /** A readable snapshot of an account: balances as 8-decimal strings, per scope (for tests; snapshot.ts). */
  snapshot(accountId: string): AccountSnapshot {
    return snapshotOf(this, accountId);
  }
}
