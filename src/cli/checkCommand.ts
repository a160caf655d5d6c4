import { parseArgs } from "node:util";
import { compareScores } from "../check/compareScores.js";
import { NonFiniteScoreError } from "../errors/errors.js";
import { Reranker } from "../Reranker.js";
import { integerFlag, requiredString, rerankerFlags, rerankerOptionsFrom } from "./commonOptions.js";
import { readPairs } from "./readPassages.js";

// A pair the model cannot score finitely is counted, not fatal: finding those is what check is for.
async function scoreKeepingNonFinite(reranker: Reranker, pairs: [string, string][]): Promise<number[]> {
    try {
        return await reranker.score(pairs);
    } catch (error) {
        if (!(error instanceof NonFiniteScoreError)) throw error;
        const scores: number[] = [];
        for (const pair of pairs)
            scores.push(
                await reranker.score([pair]).then(
                    (s) => s[0]!,
                    (e: unknown) => (e instanceof NonFiniteScoreError ? e.value : Promise.reject(e))
                )
            );
        return scores;
    }
}

async function scoreWith(modelPath: string, values: Record<string, unknown>, pairs: [string, string][]) {
    const reranker = await Reranker.load({ ...rerankerOptionsFrom(values as never), model: modelPath });
    try {
        return { scores: await scoreKeepingNonFinite(reranker, pairs), weightType: reranker.describe().model.weightType };
    } finally {
        await reranker.dispose();
    }
}

/** llm-rerank check --model A.gguf --against B.gguf --pairs FILE.jsonl [--top K] [--json] */
export async function checkCommand(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: { ...rerankerFlags, against: { type: "string" }, pairs: { type: "string" }, top: { type: "string" }, json: { type: "boolean" } }
    });
    const pairs = readPairs(requiredString(values, "pairs"));
    const a = await scoreWith(requiredString(values, "model"), values, pairs);
    const b = await scoreWith(requiredString(values, "against"), values, pairs);
    const comparison = compareScores(
        pairs.map(([query]) => query),
        a.scores,
        b.scores,
        integerFlag(values, "top") ?? 10
    );
    if (values.json) {
        console.log(JSON.stringify({ ...comparison, weightTypeA: a.weightType, weightTypeB: b.weightType, scoresA: a.scores, scoresB: b.scores }));
        return 0;
    }
    console.log(`model    ${values.model} (${a.weightType})\nagainst  ${values.against} (${b.weightType})`);
    console.log(`pairs ${comparison.pairs}, compared ${comparison.comparedPairs}, non-finite: ${comparison.nonFiniteA} vs ${comparison.nonFiniteB}`);
    console.log(`max |Δ| ${comparison.maxAbsDiff.toExponential(3)}   mean |Δ| ${comparison.meanAbsDiff.toExponential(3)}`);
    console.log(`Kendall τ ${comparison.kendallTau.toFixed(4)}   top-${comparison.k} overlap ${(comparison.topKOverlap * 100).toFixed(1)}%`);
    return 0;
}
