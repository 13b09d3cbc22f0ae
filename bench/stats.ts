/** Small statistics and formatting helpers for the bench. */

/** Percentile with linear interpolation between closest ranks (p in 0..100). */
export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export const round = (x: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
export const fmtBytes = (kb: number | null | undefined) =>
  kb === null || kb === undefined ? '?' : `${(kb / 1024).toFixed(1)} MB`;
export const fmtRatio = (r: number) => `${r.toFixed(2)}×`;

export function printTable(head: string[], rows: unknown[][]): void {
  const cells = [head, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
  console.log(line(cells[0]));
  console.log(`  ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const r of cells.slice(1)) console.log(line(r));
}
