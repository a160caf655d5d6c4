/** Order statistics over a sample, by linear interpolation between closest ranks. */
export function percentile(values: readonly number[], fraction: number): number {
    if (values.length === 0) return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (sorted.length - 1) * fraction;
    const below = Math.floor(rank);
    const above = Math.ceil(rank);
    return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}

export function median(values: readonly number[]): number {
    return percentile(values, 0.5);
}

export function sum(values: readonly number[]): number {
    return values.reduce((total, value) => total + value, 0);
}
