/** Medians, percentiles and number formats of the bench reports. */

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Latencies collected into a growable Float64Array (no per-sample allocation). */
export class Samples {
  private values = new Float64Array(1024);
  count = 0;

  add(value: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = value;
  }

  /** The samples so far, ascending (a sorted copy). */
  sorted(): Float64Array {
    return this.values.slice(0, this.count).sort();
  }
}

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}
export function fmtFixed(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}
export function fmtRatio(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}×`;
}
export function fmtSigned(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const r = Math.round(n);
  return r > 0 ? `+${r}` : `${r}`;
}

/** `✅` when `value` meets a target (`>= target`, or `<= target` when `atMost`), else `❌`. */
export function verdict(value: number | undefined, target: number, atMost = false): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return (atMost ? value <= target : value >= target) ? '✅' : '❌';
}
