/**
 * The reads the rails and the preview make, by what they are for. Safety code names a
 * role, never a tool: which catalog entry answers each role is said here, once, and a
 * test checks that each names a read endpoint.
 */
import { findEndpoint } from './index.js';
import type { Endpoint } from './types.js';

export const SAFETY_READS = {
  priceIndex: 'get_price_index',
  crossAccount: 'get_cross_margin_account',
  isolatedAccount: 'get_isolated_account',
  maxBorrowable: 'get_max_borrowable',
  nextHourlyInterest: 'get_next_hourly_interest_rate',
  marginThresholds: 'get_margin_level_thresholds',
} as const;

export type SafetyRead = keyof typeof SAFETY_READS;

export function safetyRead(role: SafetyRead): Endpoint {
  const endpoint = findEndpoint(SAFETY_READS[role]);
  if (!endpoint || endpoint.write)
    throw new Error(`catalog: the ${role} read (${SAFETY_READS[role]}) is not a read endpoint`);
  return endpoint;
}
