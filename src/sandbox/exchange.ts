/**
 * The simulated margin exchange: accounts, their cross and isolated wallets, borrowing
 * and repaying within the limits leverage allows, hourly interest, liquidation, special
 * keys and listen keys, and every history Binance keeps about them. Orders live in
 * orders.ts and settle through the wallet operations here. The whole state is one
 * plain object, so saving and loading it is one JSON round trip.
 *
 * Nothing here knows HTTP: routes.ts turns requests into calls and results into
 * Binance's response shapes; a refusal is a BinanceReject with Binance's code.
 */
import { createPublicKey } from 'node:crypto';
import { dec, div, fmt, max, min, mul, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import { assetInfo, hourlyRate, PriceFeed, symbolInfo, type PriceMode, type PriceState } from './market.js';
import { OrderEngine, type Order, type OrderList, type Trade } from './orders.js';
import { Rng } from './random.js';

export interface Balance {
  free: Dec;
  locked: Dec;
  borrowed: Dec;
  interest: Dec;
}
export type Wallet = Record<string, Balance>;

/** Where an operation's funds live: the cross account, or one isolated pair of it. */
export interface Scope {
  accountId: string;
  isolatedSymbol?: string;
}

export interface IsolatedPair {
  symbol: string;
  enabled: boolean;
  wallet: Wallet;
}

export type SpecialKeyType = 'HMAC_SHA256' | 'RSA' | 'Ed25519';

export interface SpecialKey {
  apiName: string;
  apiKey: string;
  type: SpecialKeyType;
  secretKey?: string;
  publicKeyPem?: string;
  ip: string;
  permissionMode: 'TRADE' | 'READ';
  /** Isolated special keys belong to one pair. */
  symbol?: string;
}

/** History rows are stored in the shape Binance answers with; they never change once written. */
export type Row = Record<string, string | number | boolean>;

export interface Account {
  id: string;
  cross: Wallet;
  isolated: Record<string, IsolatedPair>;
  /** The demo "spot wallet" that funds isolated pairs and repays liquidation loans. */
  spot: Record<string, Dec>;
  maxLeverage: number;
  bnbBurn: { spotBNBBurn: boolean; interestBNBBurn: boolean };
  /** Whole hours of interest are charged up to here (ms). */
  interestAccruedUntil: number;
  liquidationLoan?: { asset: string; amount: Dec; repaid: Dec };
  specialKeys: SpecialKey[];
  /** listenKey → expiry (ms). */
  listenKeys: Record<string, number>;
  history: {
    transfers: Row[];
    borrows: Row[];
    repays: Row[];
    interest: Row[];
    flows: Row[];
    forceLiquidations: Row[];
    smallLiability: Row[];
    loanRepays: Row[];
  };
}

export interface ExchangeState {
  version: 1;
  rng: number;
  ids: { order: number; list: number; trade: number; tx: number };
  accounts: Record<string, Account>;
  orders: Order[];
  orderLists: OrderList[];
  trades: Trade[];
  market: PriceState;
}

export interface ExchangeOptions {
  seed?: number;
  priceMode?: PriceMode;
  now?: () => number;
  /** Called when a key is created or deleted through the API, so that the wire accepts it (or stops). */
  onKeyAdded?: (accountId: string, key: SpecialKey) => void;
  onKeyRemoved?: (apiKey: string) => void;
}

/** What a new account holds in cross margin, and what stays in its demo spot wallet. */
const DEMO_CROSS: Record<string, string> = { USDT: '10000', BTC: '0.1', ETH: '1', BNB: '5' };
const DEMO_SPOT: Record<string, string> = { USDT: '100000', USDC: '100000', BTC: '1', ETH: '10', BNB: '50' };
/** A newly enabled isolated pair receives this much (in USDT value) of its quote asset. */
const ISOLATED_FUNDING_USDT = dec('1000');
export const MAX_ISOLATED_ACCOUNTS = 10;
/** Debts worth less than this (USDT) count as "small liabilities". */
const SMALL_LIABILITY_USDT = dec('10');
const HOUR_MS = 3_600_000;
const LISTEN_KEY_TTL_MS = 60 * 60_000;

const emptyBalance = (): Balance => ({ free: ZERO, locked: ZERO, borrowed: ZERO, interest: ZERO });
export const netOf = (b: Balance): Dec => b.free + b.locked - b.borrowed - b.interest;

export class SandboxExchange {
  readonly state: ExchangeState;
  readonly prices: PriceFeed;
  readonly orders: OrderEngine;
  readonly rng: Rng;
  readonly now: () => number;

  constructor(private readonly opts: ExchangeOptions = {}, saved?: ExchangeState) {
    this.now = opts.now ?? Date.now;
    const seed = opts.seed ?? 1;
    const seeded = new Rng(seed);
    this.state = saved ?? {
      version: 1,
      rng: seeded.state,
      // Ids start at seeded values, as real ids are large and never 1.
      ids: { order: seeded.int(100_000, 999_999), list: seeded.int(1_000, 9_999), trade: seeded.int(10_000, 99_999), tx: seeded.int(1_000_000, 9_999_999) },
      accounts: {},
      orders: [],
      orderLists: [],
      trades: [],
      market: { prices: {}, lastStep: this.now() },
    };
    this.rng = new Rng(this.state.rng);
    this.prices = new PriceFeed(opts.priceMode ?? 'fixed', this.rng, this.now(), this.state.market);
    this.orders = new OrderEngine(this);
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
    const state = JSON.parse(text, (_k, v) => (v && typeof v === 'object' && typeof v.$dec === 'string' && Object.keys(v).length === 1 ? BigInt(v.$dec) : v)) as ExchangeState;
    if (state.version !== 1) throw new Error(`unsupported sandbox state version ${String(state.version)}`);
    return state;
  }

  /** Re-announces the special keys of a loaded state, so that they keep working after a restart. */
  announceKeys(): void {
    for (const account of Object.values(this.state.accounts)) for (const key of account.specialKeys) this.opts.onKeyAdded?.(account.id, key);
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
        this.chargeInterest(account, Math.min(hours, 24 * 31));
      }
      for (const [key, expires] of Object.entries(account.listenKeys)) if (expires < now) delete account.listenKeys[key];
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
      history: { transfers: [], borrows: [], repays: [], interest: [], flows: [], forceLiquidations: [], smallLiability: [], loanRepays: [] },
    };
    this.state.accounts[accountId] = account;
    for (const [asset, amount] of Object.entries(DEMO_SPOT)) account.spot[asset] = dec(amount);
    for (const [asset, amount] of Object.entries(DEMO_CROSS)) this.transferIn({ accountId }, asset, dec(amount));
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

  /** Moves funds from the demo spot wallet into margin, recorded as Binance records a transfer. */
  transferIn(scope: Scope, asset: string, amount: Dec): void {
    const account = this.account(scope.accountId);
    const available = account.spot[asset] ?? ZERO;
    if (available < amount) throw errors.balanceNotEnough();
    account.spot[asset] = available - amount;
    this.balance(scope, asset).free += amount;
    this.recordTransfer(account, scope, asset, amount, 'ROLL_IN');
  }

  /** Moves free funds of a scope back to the demo spot wallet. */
  transferOut(scope: Scope, asset: string, amount: Dec): void {
    const account = this.account(scope.accountId);
    const bal = this.balance(scope, asset);
    if (bal.free < amount) throw errors.balanceNotEnough();
    bal.free -= amount;
    account.spot[asset] = (account.spot[asset] ?? ZERO) + amount;
    this.recordTransfer(account, scope, asset, amount, 'ROLL_OUT');
  }

  private recordTransfer(account: Account, scope: Scope, asset: string, amount: Dec, type: 'ROLL_IN' | 'ROLL_OUT'): void {
    const txId = this.nextId('tx');
    const margin = scope.isolatedSymbol ? 'ISOLATED_MARGIN' : 'MARGIN';
    const row: Row = {
      amount: fmt(amount),
      asset,
      status: 'CONFIRMED',
      timestamp: this.now(),
      txId,
      type,
      transFrom: type === 'ROLL_IN' ? 'SPOT' : margin,
      transTo: type === 'ROLL_IN' ? margin : 'SPOT',
    };
    if (scope.isolatedSymbol) row[type === 'ROLL_IN' ? 'toSymbol' : 'fromSymbol'] = scope.isolatedSymbol;
    account.history.transfers.push(row);
    this.recordFlow(scope, asset, 'TRANSFER', type === 'ROLL_IN' ? amount : -amount, txId);
  }

  /** One line of the capital flow; amounts are signed (money in positive, out negative). */
  recordFlow(scope: Scope, asset: string, type: string, amount: Dec, tranId = this.nextId('tx')): void {
    const account = this.account(scope.accountId);
    const row: Row = { id: account.history.flows.length + 1, tranId, timestamp: this.now(), asset, type, amount: fmt(amount) };
    if (scope.isolatedSymbol) row.symbol = scope.isolatedSymbol;
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
      throw errors.unsupported(`The number of enabled isolated margin accounts has reached the limit of ${MAX_ISOLATED_ACCOUNTS}.`);
    }
    account.isolated[symbol] = { symbol, enabled: true, wallet: pair?.wallet ?? {} };
    // Transfers are not among the endpoints, so a new pair is funded from the demo wallet.
    const funding = this.prices.fromUsdt(info.quote, ISOLATED_FUNDING_USDT);
    if ((account.spot[info.quote] ?? ZERO) >= funding) this.transferIn({ accountId, isolatedSymbol: symbol }, info.quote, funding);
  }

  disableIsolated(accountId: string, symbol: string): void {
    const account = this.account(accountId);
    if (!symbolInfo(symbol)) throw errors.invalidSymbol();
    const pair = account.isolated[symbol];
    if (!pair?.enabled) throw errors.noMarginAccount();
    const scope = { accountId, isolatedSymbol: symbol };
    const owes = Object.values(pair.wallet).some((b) => b.borrowed > 0n || b.interest > 0n);
    if (owes || this.orders.openOrders(scope, symbol).length > 0) throw errors.transferOutNotAllowed();
    for (const [asset, bal] of Object.entries(pair.wallet)) if (bal.free > 0n) this.transferOut(scope, asset, bal.free);
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
    return scope.isolatedSymbol ? symbolInfo(scope.isolatedSymbol)!.isolatedLeverage : this.account(scope.accountId).maxLeverage;
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
    account.history.borrows.push(this.loanRow(scope, kind, asset, amount, ZERO, amount, txId));
    this.recordFlow(scope, asset, 'BORROW', amount, txId);
    this.addInterest(scope, asset, amount, 'ON_BORROW');
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
    this.account(scope.accountId).history.repays.push(this.loanRow(scope, kind, asset, amount, interest, principal, txId));
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

  private loanRow(scope: Scope, kind: string, asset: string, amount: Dec, interest: Dec, principal: Dec, txId: number): Row {
    const row: Row = { type: kind, amount: fmt(amount), asset, interest: fmt(interest), principal: fmt(principal), status: 'CONFIRMED', timestamp: this.now(), txId };
    if (scope.isolatedSymbol) row.isolatedSymbol = scope.isolatedSymbol;
    return row;
  }

  private addInterest(scope: Scope, asset: string, principal: Dec, type: 'ON_BORROW' | 'PERIODIC'): void {
    const rate = hourlyRate(asset);
    const interest = mul(principal, rate);
    if (interest === 0n) return;
    this.balance(scope, asset).interest += interest;
    const row: Row = {
      txId: this.nextId('tx'),
      interestAccuredTime: this.now(),
      asset,
      rawAsset: asset,
      principal: fmt(principal),
      interest: fmt(interest),
      interestRate: fmt(rate),
      type,
    };
    if (scope.isolatedSymbol) row.isolatedSymbol = scope.isolatedSymbol;
    this.account(scope.accountId).history.interest.push(row);
  }

  /** Charges `hours` hours of interest on every debt of every account (a test helper; tick() uses it too). */
  accrueInterest(hours = 1): void {
    for (const account of Object.values(this.state.accounts)) this.chargeInterest(account, hours);
  }

  private chargeInterest(account: Account, hours: number): void {
    const scopes: Scope[] = [{ accountId: account.id }, ...Object.values(account.isolated).filter((p) => p.enabled).map((p) => ({ accountId: account.id, isolatedSymbol: p.symbol }))];
    for (let h = 0; h < hours; h++) {
      for (const scope of scopes) {
        for (const [asset, b] of Object.entries(this.wallet(scope))) if (b.borrowed > 0n) this.addInterest(scope, asset, b.borrowed, 'PERIODIC');
      }
    }
  }

  // ---------------------------------------------------------------- settings

  setMaxLeverage(accountId: string, leverage: number): void {
    // Cross Margin Classic allows 3 or 5; Pro (10) was sunset, 20 needs compliance approval.
    if (leverage !== 3 && leverage !== 5) throw errors.invalidParam('maxLeverage');
    this.account(accountId).maxLeverage = leverage;
  }

  // ---------------------------------------------------------------- small liabilities

  smallLiabilities(accountId: string): { asset: string; interest: Dec; principal: Dec; valueUsdt: Dec }[] {
    const out = [];
    for (const [asset, b] of Object.entries(this.account(accountId).cross)) {
      const owed = b.borrowed + b.interest;
      if (owed === 0n || asset === 'USDT') continue;
      const valueUsdt = this.prices.usdtValue(asset, owed);
      if (valueUsdt < SMALL_LIABILITY_USDT) out.push({ asset, interest: b.interest, principal: b.borrowed, valueUsdt });
    }
    return out;
  }

  /** Clears the named small debts, paying their value in USDT. */
  exchangeSmallLiabilities(accountId: string, assets: string[]): void {
    const small = new Map(this.smallLiabilities(accountId).map((s) => [s.asset, s]));
    for (const asset of assets) if (!small.has(asset)) throw errors.invalidParam('assetNames');
    const scope = { accountId };
    const usdt = this.balance(scope, 'USDT');
    const cost = assets.reduce((sum, a) => sum + small.get(a)!.valueUsdt + 1n, ZERO); // +1e-8: round the price up
    if (usdt.free < cost) throw errors.balanceNotEnough();
    for (const asset of assets) {
      const s = small.get(asset)!;
      const b = this.balance(scope, asset);
      const owed = b.borrowed + b.interest;
      const paid = s.valueUsdt + 1n;
      usdt.free -= paid;
      b.borrowed = ZERO;
      b.interest = ZERO;
      const txId = this.nextId('tx');
      this.recordFlow(scope, 'USDT', 'SMALL_CONVERT', -paid, txId);
      this.recordFlow(scope, asset, 'REPAY', -owed, txId);
      this.account(accountId).history.smallLiability.push({
        asset,
        amount: fmt(owed),
        targetAsset: 'USDT',
        targetAmount: fmt(paid),
        bizType: 'EXCHANGE_SMALL_LIABILITY',
        timestamp: this.now(),
      });
    }
  }

  // ---------------------------------------------------------------- liquidation

  /**
   * Closes every position of the scope at the index price: cancels its orders, sells
   * what it holds for USDT and buys back what it owes. Returns the debts it repaid.
   * `forced` records the trades in forceLiquidationRec, as a margin call would.
   */
  closePositions(scope: Scope, forced: boolean): { asset: string; interest: Dec; principal: Dec; usdtSpent: Dec }[] {
    const account = this.account(scope.accountId);
    this.orders.cancelAllInScope(scope);
    const wallet = this.wallet(scope);
    const usdt = this.balance(scope, 'USDT');
    const trade = (asset: string, side: 'BUY' | 'SELL', qty: Dec): Dec => {
      const symbol = `${asset}USDT`;
      const price = this.prices.get(symbol);
      const value = mul(qty, price);
      const orderId = this.nextId('order');
      this.recordFlow(scope, asset, side === 'SELL' ? 'SELL_LIQUIDATION' : 'BUY_LIQUIDATION', side === 'SELL' ? -qty : qty);
      this.recordFlow(scope, 'USDT', side === 'SELL' ? 'SELL_LIQUIDATION' : 'BUY_LIQUIDATION', side === 'SELL' ? value : -value);
      if (forced) {
        account.history.forceLiquidations.push({
          avgPrice: fmt(price),
          executedQty: fmt(qty),
          orderId,
          price: fmt(price),
          qty: fmt(qty),
          side,
          symbol,
          timeInForce: 'GTC',
          isIsolated: !!scope.isolatedSymbol,
          updatedTime: this.now(),
        });
      }
      return value;
    };
    // Sell every non-USDT holding beyond what is needed to repay that same asset.
    for (const [asset, b] of Object.entries(wallet)) {
      if (asset === 'USDT' || asset === 'USDC') continue;
      const keep = min(b.free, b.borrowed + b.interest);
      const sell = b.free - keep;
      if (sell > 0n && symbolInfo(`${asset}USDT`)) {
        b.free -= sell;
        usdt.free += trade(asset, 'SELL', sell);
      }
    }
    const repaid: { asset: string; interest: Dec; principal: Dec; usdtSpent: Dec }[] = [];
    for (const [asset, b] of Object.entries(wallet)) {
      const owed = b.borrowed + b.interest;
      if (owed === 0n) continue;
      let usdtSpent = ZERO;
      const shortfall = owed - min(b.free, owed);
      if (shortfall > 0n) {
        if (asset === 'USDC') usdtSpent = shortfall;
        else if (asset !== 'USDT') usdtSpent = trade(asset, 'BUY', shortfall);
        // USDT may go negative here: that is the deficit a liquidation loan covers.
        usdt.free -= usdtSpent;
        if (asset !== 'USDT') b.free += shortfall;
      }
      const pay = min(owed, asset === 'USDT' ? max(usdt.free, ZERO) : b.free);
      const interest = b.interest;
      const principal = b.borrowed;
      const interestPaid = min(pay, b.interest);
      b.interest -= interestPaid;
      b.borrowed -= pay - interestPaid;
      b.free -= pay;
      this.recordFlow(scope, asset, 'REPAY_LIQUIDATION', -pay);
      repaid.push({ asset, interest, principal, usdtSpent });
    }
    return repaid;
  }

  /**
   * A test helper: force-liquidates the cross account as if the market had gapped. Its
   * positions are closed, whatever equity remains is seized, and a liquidation loan of
   * `deficitUsdc` (default 100) is left for the account to repay.
   */
  simulateLiquidation(accountId: string, deficitUsdc = '100'): void {
    const scope = { accountId };
    const account = this.account(accountId);
    this.closePositions(scope, true);
    let deficit = dec(deficitUsdc);
    for (const [asset, b] of Object.entries(account.cross)) {
      if (b.free < 0n) deficit += -this.prices.usdtValue(asset, b.free);
      if (b.free > 0n) this.recordFlow(scope, asset, 'OTHER_LIQUIDATION', -b.free);
      account.cross[asset] = emptyBalance();
    }
    const loan = (account.liquidationLoan ??= { asset: 'USDC', amount: ZERO, repaid: ZERO });
    loan.amount += deficit;
  }

  liquidationLoan(accountId: string): { asset: string; amount: Dec; repaid: Dec } {
    return this.account(accountId).liquidationLoan ?? { asset: 'USDC', amount: ZERO, repaid: ZERO };
  }

  /** Repays the liquidation loan from the demo spot wallet (USDT and USDC count one for one). */
  repayLiquidationLoan(accountId: string, asset: string, amount: Dec): Row {
    const account = this.account(accountId);
    if (asset !== 'USDC' && asset !== 'USDT') throw errors.notMarginAsset();
    if (amount <= 0n) throw errors.amountOverZero();
    const loan = account.liquidationLoan;
    if (!loan || loan.amount - loan.repaid === 0n) throw errors.repayNotAllowed();
    if (amount > loan.amount - loan.repaid) throw errors.repayOverDebt();
    if ((account.spot[asset] ?? ZERO) < amount) throw errors.balanceNotEnough();
    account.spot[asset] -= amount;
    loan.repaid += amount;
    const row: Row = { repayId: this.nextId('tx'), asset, amount: fmt(amount), status: 'SUCCESS', createTime: this.now() };
    account.history.loanRepays.push(row);
    return row;
  }

  // ---------------------------------------------------------------- special keys, listen keys

  createSpecialKey(accountId: string, p: { apiName: string; symbol?: string; ip?: string; publicKey?: string; permissionMode?: 'TRADE' | 'READ' }): SpecialKey {
    const account = this.account(accountId);
    if (p.symbol && !symbolInfo(p.symbol)) throw errors.invalidSymbol();
    const key: SpecialKey = {
      apiName: p.apiName,
      apiKey: this.rng.token(64),
      type: 'HMAC_SHA256',
      ip: p.ip ?? '',
      permissionMode: p.permissionMode ?? 'TRADE',
      ...(p.symbol ? { symbol: p.symbol } : {}),
    };
    if (p.publicKey) {
      const pem = p.publicKey.includes('BEGIN') ? p.publicKey : `-----BEGIN PUBLIC KEY-----\n${p.publicKey}\n-----END PUBLIC KEY-----\n`;
      let type: string | undefined;
      try {
        type = createPublicKey(pem).asymmetricKeyType;
      } catch {
        throw errors.invalidParam('publicKey');
      }
      if (type !== 'rsa' && type !== 'ed25519') throw errors.invalidParam('publicKey');
      key.type = type === 'rsa' ? 'RSA' : 'Ed25519';
      key.publicKeyPem = pem;
    } else {
      key.secretKey = this.rng.token(64);
    }
    account.specialKeys.push(key);
    this.opts.onKeyAdded?.(accountId, key);
    return key;
  }

  /** The special keys of one scope (the cross account, or an isolated pair). */
  specialKeys(accountId: string, symbol?: string): SpecialKey[] {
    return this.account(accountId).specialKeys.filter((k) => k.symbol === symbol);
  }

  /**
   * The key a special-key call is about: the one named, else the one that signed the
   * request if it is special, else the scope's newest.
   */
  findSpecialKey(accountId: string, opts: { apiName?: string; requestKey?: string; symbol?: string }): SpecialKey {
    const all = this.account(accountId).specialKeys;
    const key =
      (opts.apiName !== undefined ? all.find((k) => k.apiName === opts.apiName && k.symbol === opts.symbol) : undefined) ??
      (opts.apiName === undefined ? all.find((k) => k.apiKey === opts.requestKey) : undefined) ??
      (opts.apiName === undefined ? this.specialKeys(accountId, opts.symbol).at(-1) : undefined);
    if (!key) throw errors.badApiKeyId();
    return key;
  }

  deleteSpecialKey(accountId: string, key: SpecialKey): void {
    const account = this.account(accountId);
    account.specialKeys = account.specialKeys.filter((k) => k !== key);
    this.opts.onKeyRemoved?.(key.apiKey);
  }

  /** Leaves Special Key Mode: deletes every special key, refused while the account owes anything. */
  exitSpecialKeyMode(accountId: string): void {
    const { liabilities } = this.totalsUsdt({ accountId });
    if (liabilities > 0n) throw errors.unsupported('Special Key Mode can only be exited when the account has no liability.');
    for (const key of [...this.account(accountId).specialKeys]) this.deleteSpecialKey(accountId, key);
  }

  /** Binance hands out the same listen key while one is open. */
  openListenKey(accountId: string): string {
    const account = this.account(accountId);
    const now = this.now();
    const key = Object.keys(account.listenKeys)[0] ?? this.rng.token(60);
    account.listenKeys[key] = now + LISTEN_KEY_TTL_MS;
    return key;
  }

  keepListenKey(accountId: string, listenKey: string): void {
    const account = this.account(accountId);
    if (!(listenKey in account.listenKeys)) throw errors.unknownListenKey();
    account.listenKeys[listenKey] = this.now() + LISTEN_KEY_TTL_MS;
  }

  closeListenKey(accountId: string, listenKey?: string): void {
    const account = this.account(accountId);
    if (listenKey === undefined) {
      account.listenKeys = {};
      return;
    }
    if (!(listenKey in account.listenKeys)) throw errors.unknownListenKey();
    delete account.listenKeys[listenKey];
  }

  // ---------------------------------------------------------------- snapshots for tests

  /** A readable snapshot of an account: balances as 8-decimal strings, per scope. */
  snapshot(accountId: string): {
    marginLevel: string;
    cross: Record<string, { free: string; locked: string; borrowed: string; interest: string; netAsset: string }>;
    isolated: Record<string, Record<string, { free: string; locked: string; borrowed: string; interest: string; netAsset: string }>>;
    liquidationLoan: { asset: string; amount: string; repaid: string };
  } {
    const account = this.account(accountId);
    const show = (w: Wallet) =>
      Object.fromEntries(
        Object.entries(w).map(([asset, b]) => [asset, { free: fmt(b.free), locked: fmt(b.locked), borrowed: fmt(b.borrowed), interest: fmt(b.interest), netAsset: fmt(netOf(b)) }]),
      );
    const loan = this.liquidationLoan(accountId);
    return {
      marginLevel: this.marginLevel({ accountId }),
      cross: show(account.cross),
      isolated: Object.fromEntries(Object.values(account.isolated).filter((p) => p.enabled).map((p) => [p.symbol, show(p.wallet)])),
      liquidationLoan: { asset: loan.asset, amount: fmt(loan.amount), repaid: fmt(loan.repaid) },
    };
  }
}

