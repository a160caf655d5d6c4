import os from "node:os";
import type { GpuOption } from "../../native/HostDescription.js";
import { Reranker } from "../../Reranker.js";
import type { BenchCheck } from "../BenchReport.js";
import { median, percentile } from "../BenchStatistics.js";
import type { ConcurrentBenchReport, ConcurrentModeSummary } from "./ConcurrentBenchReport.js";
import { buildConcurrentWorkload, type WorkloadRequest } from "./ConcurrentWorkload.js";
import { SerialQueue } from "./SerialQueue.js";
import { BenchWorkload } from "../BenchWorkload.js";
import { packingToleranceOf } from "../errorBudget.js";

export type ConcurrentBenchOptions = {
    model: string;
    gpu: GpuOption;
    threads?: number;
    /** KV slots; default: the library's (on a CPU, as many as fit its default KV budget). */
    slots?: number;
    clients: number;
    requestsPerClient: number;
    passagesPerRequest: number;
    rounds: number;
    seed: number;
    /** One call of 1 query × passages long passages, timed alone (rounds interleaved with the others): does a large batch lose anything? */
    longCall?: { passages: number; passageTokens: { min: number; max: number } };
};

type Mode = ConcurrentModeSummary["key"];

type RoundResult = {
    wallMs: number;
    latenciesMs: number[];
    /** scores[client][request][passage index]; NaN where the answer left a passage out. */
    scores: number[][][];
    answeredInFull: boolean;
};

const labels: Record<Mode, string> = {
    serialized: "(a) serialized: one call at a time through a queue",
    concurrent: "(b) concurrent: every client calls the Reranker at once"
};

/**
 * N clients, each sending its small rerank requests one after another, against one Reranker in
 * this process: (a) through one queue, as applications had to share a Reranker, and (b) calling it
 * concurrently. Rounds alternate (a b a b ...), so drift on a busy machine hits both alike.
 */
export async function runConcurrentBench(options: ConcurrentBenchOptions): Promise<ConcurrentBenchReport> {
    const started = Date.now();
    const reranker = await Reranker.load({
        model: options.model,
        gpu: options.gpu,
        threads: options.threads,
        slots: options.slots,
        scoreCacheSize: 0,
        onWarning: (warning) => console.error(`bench: warning: ${warning.message}`)
    });
    try {
        const workload = buildConcurrentWorkload({
            clients: options.clients,
            requestsPerClient: options.requestsPerClient,
            passagesPerRequest: options.passagesPerRequest,
            seed: options.seed
        });
        let scoredTokens = 0;
        for (const requests of workload) {
            for (const { query, passages } of requests) for (const passage of passages) scoredTokens += (await reranker.buildInput(query, passage)).length;
        }
        // One request first, so neither mode pays for the first decode's warm-up.
        await reranker.rerank(workload[0]![0]!.query, workload[0]![0]!.passages);

        let longCall: { query: string; passages: string[]; tokens: number } | undefined;
        if (options.longCall !== undefined) {
            const base = (await reranker.buildInput("", "")).length;
            const built = await BenchWorkload.build(
                {
                    queries: 1,
                    passagesPerQuery: options.longCall.passages,
                    queryTokens: { min: 20, max: 28 },
                    passageTokens: options.longCall.passageTokens,
                    seed: options.seed
                },
                async (text) => (await reranker.buildInput("", text)).length - base,
                "",
                ""
            );
            const { query, passages } = built.items[0]!;
            let tokens = 0;
            for (const passage of passages) tokens += (await reranker.buildInput(query, passage)).length;
            longCall = { query, passages, tokens };
        }

        const rounds: Record<Mode, RoundResult[]> = { serialized: [], concurrent: [] };
        const longRounds: { seconds: number; scores: number[] }[] = [];
        for (let round = 0; round < options.rounds; round++) {
            for (const mode of ["serialized", "concurrent"] as const) rounds[mode].push(await runRound(reranker, workload, mode));
            if (longCall !== undefined) {
                const t0 = performance.now();
                const scores = await reranker.score(longCall.passages.map((passage): [string, string] => [longCall!.query, passage]));
                longRounds.push({ seconds: (performance.now() - t0) / 1000, scores });
            }
        }

        const requestsPerRound = options.clients * options.requestsPerClient;
        const pairsPerRound = requestsPerRound * options.passagesPerRequest;
        const summarize = (mode: Mode): ConcurrentModeSummary => {
            const latencies = rounds[mode].flatMap((round) => round.latenciesMs);
            return {
                key: mode,
                label: labels[mode],
                requestsPerRound: rounds[mode][0]!.latenciesMs.length,
                pairsPerRound,
                pairsPerSecond: median(rounds[mode].map((round) => pairsPerRound / (round.wallMs / 1000))),
                latencyP50Ms: percentile(latencies, 0.5),
                latencyP95Ms: percentile(latencies, 0.95),
                roundSeconds: rounds[mode].map((round) => round.wallMs / 1000)
            };
        };
        const modes = [summarize("serialized"), summarize("concurrent")];
        const ratio = median(rounds.serialized.map((round, i) => round.wallMs / rounds.concurrent[i]!.wallMs));

        let maxScoreDifference = 0;
        let repeatable = true;
        rounds.concurrent.forEach((round, r) =>
            forEachScore(round.scores, (score, c, q, p) => {
                maxScoreDifference = Math.max(maxScoreDifference, Math.abs(score - rounds.serialized[r]!.scores[c]![q]![p]!));
            })
        );
        for (const round of rounds.serialized.slice(1)) {
            forEachScore(round.scores, (score, c, q, p) => {
                if (!Object.is(score, rounds.serialized[0]!.scores[c]![q]![p])) repeatable = false;
            });
        }
        // Concurrent calls share decodes: a pair's score moves in its last bits only, within the
        // packing tolerance of the build (errorBudget.ts; a BLAS build's is wider).
        const packingTolerance = packingToleranceOf(reranker.describe().backend);
        const checks: BenchCheck[] = [
            {
                name: "every request answered in full",
                passed: [...rounds.serialized, ...rounds.concurrent].every((round) => round.answeredInFull && round.latenciesMs.length === requestsPerRound),
                detail: `${requestsPerRound} requests a round in each mode, each with ${options.passagesPerRequest} finite scores, one per passage`
            },
            {
                name: "concurrent scores match serialized",
                passed: maxScoreDifference <= packingTolerance,
                detail: `max |Δ| ${maxScoreDifference.toExponential(2)} over ${pairsPerRound * options.rounds} pairs (tolerance ${packingTolerance}, the packing tolerance)`
            },
            {
                name: "serialized rounds repeat exactly",
                passed: repeatable,
                detail: options.rounds > 1 ? `${options.rounds} rounds, same batches, bit-identical scores` : "one round: nothing to compare"
            }
        ];
        const description = reranker.describe();
        return {
            startedAt: new Date(started).toISOString(),
            wallSeconds: (Date.now() - started) / 1000,
            machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, platform: `${process.platform}-${process.arch}`, node: process.version },
            model: { path: description.model.path, profile: description.profile },
            backend: {
                gpu: description.backend.gpu,
                build: description.backend.build,
                blas: description.backend.blas?.vendor ?? null,
                threads: description.settings.threads,
                slots: description.settings.slots,
                batchSize: description.settings.batchSize
            },
            workload: {
                clients: options.clients,
                requestsPerClient: options.requestsPerClient,
                passagesPerRequest: options.passagesPerRequest,
                seed: options.seed,
                rounds: options.rounds,
                scoredTokensPerRound: scoredTokens
            },
            modes,
            concurrentOverSerialized: ratio,
            longCall:
                longCall === undefined
                    ? undefined
                    : {
                          passages: longCall.passages.length,
                          passageTokens: options.longCall!.passageTokens,
                          tokens: longCall.tokens,
                          pairsPerSecond: longCall.passages.length / median(longRounds.map((round) => round.seconds)),
                          roundSeconds: longRounds.map((round) => round.seconds),
                          scores: longRounds[0]!.scores
                      },
            maxScoreDifference,
            checks,
            notes: [
                "latency: from a client issuing a request to its answer; each client sends its next request when the last is answered.",
                "A Reranker that runs concurrent calls one after another gives a ratio near 1; one that batches them across calls shares its slots between clients."
            ]
        };
    } finally {
        await reranker.dispose();
    }
}

async function runRound(reranker: Reranker, workload: WorkloadRequest[][], mode: Mode): Promise<RoundResult> {
    const queue = new SerialQueue();
    const call = (request: WorkloadRequest) =>
        mode === "serialized" ? queue.run(() => reranker.rerank(request.query, request.passages)) : reranker.rerank(request.query, request.passages);
    const latenciesMs: number[] = [];
    const scores = workload.map((requests) => requests.map(() => [] as number[]));
    let answeredInFull = true;
    const roundStart = performance.now();
    await Promise.all(
        workload.map(async (requests, client) => {
            for (const [index, request] of requests.entries()) {
                const issued = performance.now();
                const results = await call(request);
                latenciesMs.push(performance.now() - issued);
                const byPassage = new Array<number>(request.passages.length).fill(Number.NaN);
                for (const result of results) byPassage[result.index] = result.score;
                if (results.length !== request.passages.length || !byPassage.every(Number.isFinite)) answeredInFull = false;
                scores[client]![index] = byPassage;
            }
        })
    );
    return { wallMs: performance.now() - roundStart, latenciesMs, scores, answeredInFull };
}

function forEachScore(scores: number[][][], visit: (score: number, client: number, request: number, passage: number) => void): void {
    scores.forEach((requests, c) => requests.forEach((passages, q) => passages.forEach((score, p) => visit(score, c, q, p))));
}
