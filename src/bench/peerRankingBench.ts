import type { LlamaRankingContext } from "node-llama-cpp";
import { Reranker } from "../Reranker.js";
import { InProcessHost } from "../native/InProcessHost.js";

export type PeerRankingOptions = {
    model: string;
    query: string;
    documents: string[];
    /** llama.cpp threads for every contender. */
    threads: number;
    /** Also run node-llama-cpp with its ranking context's own default (6 threads). */
    peerDefaultThreads?: boolean;
};

export type PeerRankingRow = { contender: string; seconds: number; pairsPerSecond: number; maxScoreDifference: number };

export type PeerRankingReport = {
    rows: PeerRankingRow[];
    /** Tokens this library evaluated, and what it would without sharing the query prefix. */
    tokensEvaluated: number;
    tokensWithoutSharing: number;
    /** tokensWithoutSharing / tokensEvaluated: the most prefix sharing can save. */
    idealSharingSpeedup: number;
};

/**
 * node-llama-cpp's LlamaRankingContext.rankAll (one context; four contexts, as @tobilu/qmd opens)
 * against this library's score() on the same GGUF, documents and threads, in one run. Scores are
 * compared as probabilities: node-llama-cpp sigmoids a bert logit and returns Qwen3's P(yes) as is.
 */
export async function runPeerRankingBench(options: PeerRankingOptions): Promise<PeerRankingReport> {
    const { model: modelPath, query, documents, threads } = options;
    const pairs = documents.map((document) => [query, document] as [string, string]);

    const reranker = await Reranker.load({ model: modelPath, gpu: false, threads, sharePrefix: true, healthCheck: false });
    let ours: number[];
    let oursSeconds: number;
    let tokensEvaluated: number;
    let tokensWithoutSharing: number;
    try {
        await reranker.score(pairs.slice(0, 1)); // warm-up: first-decode allocations
        const started = performance.now();
        let evaluated = 0;
        ours = await reranker.score(pairs, { normalize: reranker.profile.normalize === "sigmoid", onUsage: (usage) => (evaluated = usage.tokensEvaluated) });
        oursSeconds = (performance.now() - started) / 1000;
        tokensEvaluated = evaluated;
        tokensWithoutSharing = (await Promise.all(pairs.map(([q, d]) => reranker.buildInput(q, d)))).reduce((sum, input) => sum + input.length, 0);
    } finally {
        await reranker.dispose();
    }

    const { llama } = await InProcessHost.get(false, "auto");
    const peerModel = await llama.loadModel({ modelPath, gpuLayers: 0 });
    const rows: PeerRankingRow[] = [];
    const row = (contender: string, seconds: number, scores: number[]) =>
        rows.push({
            contender,
            seconds,
            pairsPerSecond: pairs.length / seconds,
            maxScoreDifference: Math.max(...scores.map((score, i) => Math.abs(score - ours[i]!)))
        });
    try {
        const threadCounts = options.peerDefaultThreads ? [threads, 6] : [threads];
        for (const peerThreads of threadCounts) {
            for (const contextCount of [1, 4]) {
                const contexts: LlamaRankingContext[] = [];
                for (let i = 0; i < contextCount; i++) contexts.push(await peerModel.createRankingContext({ threads: peerThreads, contextSize: 2048 }));
                try {
                    await contexts[0]!.rankAll(query, documents.slice(0, 1));
                    const started = performance.now();
                    const scores = await rankAcrossContexts(contexts, query, documents);
                    row(
                        `node-llama-cpp rankAll, ${contextCount} context${contextCount > 1 ? "s" : ""}, ${peerThreads} threads`,
                        (performance.now() - started) / 1000,
                        scores
                    );
                } finally {
                    for (const context of contexts) await context.dispose();
                }
            }
        }
    } finally {
        await peerModel.dispose();
    }
    row(`llm-rerank score, ${threads} threads`, oursSeconds, ours);
    return { rows, tokensEvaluated, tokensWithoutSharing, idealSharingSpeedup: tokensWithoutSharing / tokensEvaluated };
}

export function formatPeerRankingReport(report: PeerRankingReport): string {
    const ours = report.rows.at(-1)!;
    const lines = report.rows.map(
        (row) =>
            `${row.contender.padEnd(52)} ${row.pairsPerSecond.toFixed(2).padStart(9)} pairs/s  ${(ours.pairsPerSecond / row.pairsPerSecond).toFixed(2).padStart(6)}× slower than llm-rerank  max |Δscore| ${row.maxScoreDifference.toExponential(2)}`
    );
    lines.push(
        `prefix sharing: ${report.tokensEvaluated} tokens evaluated of ${report.tokensWithoutSharing}; ideal speedup ${report.idealSharingSpeedup.toFixed(2)}×`
    );
    return lines.join("\n");
}

/**
 * qmd's pattern: the documents dealt round-robin to the contexts, all ranked at once with
 * rankAll; the scores in the documents' order.
 */
export async function rankAcrossContexts(contexts: readonly LlamaRankingContext[], query: string, documents: readonly string[]): Promise<number[]> {
    const shares = contexts.map((_, c) => documents.flatMap((document, i) => (i % contexts.length === c ? [{ document, i }] : [])));
    const scores = new Array<number>(documents.length);
    await Promise.all(
        contexts.map(async (context, c) => {
            const ranked = await context.rankAll(
                query,
                shares[c]!.map(({ document }) => document)
            );
            shares[c]!.forEach(({ i }, k) => (scores[i] = ranked[k]!));
        })
    );
    return scores;
}
