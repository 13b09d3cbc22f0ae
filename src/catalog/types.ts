/**
 * What one Binance endpoint is, as data. Tools, the gate, the rails and the docs
 * table are all generated from these entries; adding an endpoint is adding one.
 */
import type { z } from 'zod';
import type { HttpMethod, SecurityType } from '../binance/client.js';
import type { Weight } from '../binance/limiter.js';

export const TOOLSETS = [
  'core',
  'trade',
  'account',
  'borrow',
  'isolated',
  'market',
  'history',
  'special-keys',
  'user-stream',
  'transfer',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/** Validated parameters as they go on the wire (plain decimal strings, joined lists). */
export type Params = Record<string, string | number | undefined>;

/** How the rails value a state-changing call (limits of docs/contract.md §9). */
export type Valuation = 'order' | 'oco' | 'oto' | 'otoco' | 'borrow-repay' | 'transfer' | 'symbol-only' | 'none';

/** Where collateral sits: the spot wallet, cross margin, or one isolated pair. */
export type Wallet = 'SPOT' | 'CROSS' | 'ISOLATED';

/** One movement of collateral, as the rails read it (valuation 'transfer'). */
export interface CollateralMove {
  asset: string;
  /** As sent: a plain decimal string. */
  amount: string;
  from: Wallet;
  to: Wallet;
  /** The isolated pairs on either side (ISOLATED wallets only). */
  fromSymbol?: string;
  toSymbol?: string;
}

/**
 * One leg of an order (list), by the names of its parameters: the rails value it at
 * quantity × the largest of its prices and the price index, and tell what it may borrow.
 */
export interface OrderLeg {
  /** Holds BUY or SELL. */
  side: string;
  quantity: string;
  /** Every price the leg names (limit, stop, stop-limit). */
  prices: string[];
  /** A quote-asset amount that replaces quantity × price (quoteOrderQty). */
  quoteQuantity?: string;
}

/** How a placement that got no answer is looked up by its client id (never re-sent). */
export interface Reconcile {
  /** The read tool that finds it. */
  tool: string;
  /** The parameter of this call that carries the client id. */
  idParam: string;
  /** The read tool's parameter for that id. */
  queryParam: string;
}

export interface SummaryContext {
  /** "on main (Mainnet)" */
  where: string;
}

interface EndpointFields {
  /** Tool name: snake_case, verb first, ≤ 40 characters. */
  name: string;
  title: string;
  /** One line for the agent: when to use it (and what instead), not how Binance names it. */
  description: string;
  method: HttpMethod;
  path: string;
  security: SecurityType;
  /** Request weight per Binance's docs; a function when it depends on the parameters. */
  weight: Weight | ((params: Params) => Weight);
  /**
   * Parameters under their Binance names, in the order they are sent. A function, so
   * that no schema is built until its tool is first called: start-up stays cheap.
   * Read it through paramsOf(), which builds it once.
   */
  params: () => Record<string, z.ZodType>;
  /**
   * Takes `recvWindow`, which the tool generator adds after the entry's own parameters.
   * Default: the signed endpoints (TRADE, MARGIN, USER_DATA) take it; Binance's table
   * makes a few exceptions, said in the entry.
   */
  recvWindow?: boolean;
  /** Changes account state (orders, borrows, settings, keys). */
  write: boolean;
  toolset: Toolset;
  /** Cancels, disables, deletes, liquidates, repays or exchanges. */
  destructive?: boolean;
  /** Cross-field rules Binance documents; return a message naming the parameters, or undefined. */
  check?: (params: Params) => string | undefined;
  /** Parameters that carry our client order ids (docs/contract.md §7); the first is generated when absent. */
  clientOrderIds?: { generate?: string; prefix: string[] };
  /** The one-sentence summary shown at the confirmation gate. */
  summary?: (params: Params, ctx: SummaryContext) => string;
  /** True when this call only reduces risk, so the kill switch lets it through. */
  reducesRisk?: (params: Params) => boolean;
  valuation?: Valuation;
  /** Order placements: the legs the rails value (a list at its largest leg). */
  orderLegs?: OrderLeg[];
  /** Acts on the isolated account of `symbol` whatever isIsolated says (the preview reads that account). */
  isolatedOnly?: boolean;
  /** The parameter that sets a leverage (the preview shows it beside the current one). */
  leverageParam?: string;
  /** Binance answers with a secret shown once: it is saved to a private file, not returned. */
  oneTimeSecret?: { apiKeyField: string; secretField: string };
  /** Order placements: how an unanswered one is found by its client id. */
  reconcile?: Reconcile;
  /** Valuation 'transfer': which asset moves, how much, from where to where. */
  move?: (params: Params) => CollateralMove;
  /** Listen-key calls: writes that never need confirmation (docs/contract.md §5). */
  ungated?: boolean;
  /** Added to Binance's docs after the margin-trading skill's 61 endpoints. */
  addedAfterSkill?: boolean;
  /** Binance no longer serves it; the text explains. */
  retired?: string;
  /** Fields of Binance's answer that hold credentials and are masked in results. */
  credentialFields?: string[];
}

export const weight = (amount: number, per: 'IP' | 'UID'): Weight => ({ amount, per });

/** A read: changes nothing, never gated. */
export interface ReadEndpoint extends EndpointFields {
  write: false;
}

/** A write must say, as data, what the user confirms and how the rails value it. */
export interface WriteEndpoint extends EndpointFields {
  write: true;
  summary: (params: Params, ctx: SummaryContext) => string;
  valuation: Valuation;
}

export type Endpoint = ReadEndpoint | WriteEndpoint;
