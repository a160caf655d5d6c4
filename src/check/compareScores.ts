export type ScoreComparison = {
    pairs: number;
    comparedPairs: number;
    nonFiniteA: number;
    nonFiniteB: number;
    maxAbsDiff: number;
    meanAbsDiff: number;
    /** Kendall's tau-b over all pairs scored finitely by both models. */
    kendallTau: number;
    /** Mean over queries of |topK(A) ∩ topK(B)| / k. */
    topKOverlap: number;
    k: number;
};

/** What a smaller or different model file costs, measured against a reference model's scores. */
export function compareScores(queries: string[], scoresA: number[], scoresB: number[], k: number): ScoreComparison {
    const finite = scoresA.map((a, i) => Number.isFinite(a) && Number.isFinite(scoresB[i]!));
    const indices = finite.flatMap((ok, i) => (ok ? [i] : []));
    const diffs = indices.map((i) => Math.abs(scoresA[i]! - scoresB[i]!));
    return {
        pairs: scoresA.length,
        comparedPairs: indices.length,
        nonFiniteA: scoresA.filter((s) => !Number.isFinite(s)).length,
        nonFiniteB: scoresB.filter((s) => !Number.isFinite(s)).length,
        maxAbsDiff: diffs.length ? Math.max(...diffs) : Number.NaN,
        meanAbsDiff: diffs.length ? diffs.reduce((sum, d) => sum + d, 0) / diffs.length : Number.NaN,
        kendallTau: kendallTauB(
            indices.map((i) => scoresA[i]!),
            indices.map((i) => scoresB[i]!)
        ),
        topKOverlap: meanTopKOverlap(queries, scoresA, scoresB, k),
        k
    };
}

export function kendallTauB(a: number[], b: number[]): number {
    let concordant = 0;
    let discordant = 0;
    let tiesA = 0;
    let tiesB = 0;
    for (let i = 0; i < a.length; i++) {
        for (let j = i + 1; j < a.length; j++) {
            const da = Math.sign(a[i]! - a[j]!);
            const db = Math.sign(b[i]! - b[j]!);
            if (da === 0 && db === 0) continue;
            if (da === 0) tiesA++;
            else if (db === 0) tiesB++;
            else if (da === db) concordant++;
            else discordant++;
        }
    }
    const denominator = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
    return denominator === 0 ? Number.NaN : (concordant - discordant) / denominator;
}

function meanTopKOverlap(queries: string[], scoresA: number[], scoresB: number[], k: number): number {
    const byQuery = new Map<string, number[]>();
    queries.forEach((query, i) => byQuery.set(query, [...(byQuery.get(query) ?? []), i]));
    const overlaps = [...byQuery.values()].map((indices) => {
        const size = Math.min(k, indices.length);
        const top = (scores: number[]) => new Set([...indices].sort((x, y) => rankValue(scores[y]!) - rankValue(scores[x]!)).slice(0, size));
        const topA = top(scoresA);
        return [...top(scoresB)].filter((i) => topA.has(i)).length / size;
    });
    return overlaps.reduce((sum, o) => sum + o, 0) / overlaps.length;
}

// A non-finite score ranks last: it is an error, not a strong answer.
function rankValue(score: number): number {
    return Number.isFinite(score) ? score : Number.NEGATIVE_INFINITY;
}
