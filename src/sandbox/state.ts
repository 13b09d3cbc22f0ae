/**
 * The sandbox exchange's state as plain data: accounts, wallets, keys and histories,
 * saved and loaded as one JSON document.
 */
import { ZERO, type Dec } from './decimal.js';
import type { PriceMode, PriceState } from './market.js';
import type { Order, OrderList, Trade } from './orders.js';

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
    /** Universal transfers (POST /sapi/v1/asset/transfer); absent in states saved before them. */
    universal?: Row[];
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
  /** Depth of the modelled book per price level, in USDT (default 100,000; see depth.ts). */
  depthUsdt?: string;
  priceMode?: PriceMode;
  now?: () => number;
  /** Called when a key is created or deleted through the API, so that the wire accepts it (or stops). */
  onKeyAdded?: (accountId: string, key: SpecialKey) => void;
  onKeyRemoved?: (apiKey: string) => void;
}

export const emptyBalance = (): Balance => ({ free: ZERO, locked: ZERO, borrowed: ZERO, interest: ZERO });
export const netOf = (b: Balance): Dec => b.free + b.locked - b.borrowed - b.interest;
