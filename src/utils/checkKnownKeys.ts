import { InvalidArgumentError } from "../errors/errors.js";

/**
 * Refuses keys an options object does not know: a typo (`overlfow`) or an option of another
 * version would otherwise be ignored in silence. Names the closest known key when one is close.
 * Keys whose value is undefined count as absent, as everywhere else in the API.
 */
export function checkKnownKeys(name: string, value: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
        if (known.includes(key) || value[key] === undefined) continue;
        const closest = closestKey(key, known);
        throw new InvalidArgumentError(
            `Unknown option ${JSON.stringify(key)} in ${name}${closest ? `; did you mean ${JSON.stringify(closest)}?` : "."} Known options: ${known.join(", ")}`
        );
    }
}

/** The known key at the smallest edit distance, if it is within a third of the key's length (at least 2). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
    for (const candidate of known) {
        const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

/** Damerau–Levenshtein (optimal string alignment): a swapped pair of letters costs 1. */
function editDistance(a: string, b: string): number {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < cols; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
        }
    }
    return d[a.length]![b.length]!;
}
