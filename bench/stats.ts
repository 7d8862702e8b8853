// Small statistics over samples: medians and percentiles by nearest rank.

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Runs `gc` when the process was started with --expose-gc, so rounds start on an even heap. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
