import os from "node:os";
import type { GpuOption } from "../native/HostDescription.js";
import type { RerankWarning } from "../RerankerOptions.js";
import { percentile } from "./BenchStatistics.js";
import type { TokenRange } from "./BenchWorkload.js";
import { BenchWorkload } from "./BenchWorkload.js";
import type { ErrorBudgetKey } from "./errorBudget.js";
import { loadInstrumentedReranker } from "./loadInstrumentedReranker.js";
import { errorBudgetKeyOf, scoreAgreementCheck } from "./scoreAgreement.js";
import type { SweepPoint, SweepReport } from "./SweepReport.js";

export type SweepOptions = {
    model: string;
    gpu: GpuOption;
    slots: number[];
    batchSizes: number[];
    queries: number;
    passagesPerQuery: number;
    queryTokens: TokenRange;
    passageTokens: TokenRange;
    /** Timed calls per point (each one query's passages), after one untimed warm-up call. */
    rounds: number;
    seed: number;
    threads?: number;
};

/**
 * Scores the same workload at every slots × batch-size point, one Reranker at a time (so each
 * point has the device to itself), and picks the configuration with the most pairs/s.
 * Scores must agree across points within the error budget (src/bench/errorBudget.ts: other
 * batch shapes run other kernels, which round differently); token counts must be identical
 * (sharing does not depend on the slots).
 */
export async function runSweep(options: SweepOptions): Promise<SweepReport> {
    const started = Date.now();
    const points: SweepPoint[] = [];
    const notes: string[] = [];
    let workload: BenchWorkload | undefined;
    let referenceScores: number[][] | undefined;
    let header: Pick<SweepReport, "model" | "backend"> | undefined;
    let budgetKey: ErrorBudgetKey | undefined;
    for (const slots of options.slots) {
        for (const batchSize of options.batchSizes) {
            const warnings: RerankWarning[] = [];
            const loaded = await loadInstrumentedReranker({
                model: options.model,
                gpu: options.gpu,
                threads: options.threads,
                slots,
                batchSize,
                ubatchSize: Math.min(512, batchSize),
                scoreCacheSize: 0,
                onWarning: (warning) => warnings.push(warning)
            });
            const { reranker, recorder, host } = loaded;
            try {
                if (!workload) {
                    const profile = reranker.profile;
                    const prefixes =
                        profile.format === "flag-embedding" ? { query: profile.queryPrefix, passage: profile.passagePrefix } : { query: "", passage: "" };
                    workload = await BenchWorkload.build(
                        {
                            queries: options.queries,
                            passagesPerQuery: options.passagesPerQuery,
                            queryTokens: options.queryTokens,
                            passageTokens: options.passageTokens,
                            seed: options.seed
                        },
                        async (text) => (await recorder.model.tokenize([text], false))[0]!.length,
                        prefixes.query,
                        prefixes.passage
                    );
                }
                const description = reranker.describe();
                const work = workload;
                // The sweep runs in process: placement is only null in isolation: "process".
                const placementAtLoad = description.placement!;
                header ??= {
                    model: {
                        path: options.model,
                        weightType: description.model.weightType,
                        layerCount: placementAtLoad.layerCount,
                        parameterCount: description.model.parameterCount
                    },
                    backend: {
                        gpu: description.backend.gpu,
                        binary: description.backend.binary,
                        build: description.backend.build,
                        arithmetic: `${description.precision.arithmetic.mode}: ${description.precision.arithmetic.detail}`,
                        devices: placementAtLoad.devices.map(({ name, description: text, totalBytes }) => ({ name, description: text, totalBytes }))
                    }
                };
                budgetKey ??= errorBudgetKeyOf(reranker);
                for (const warning of warnings) if (warning.code === "SLOTS_REDUCED") notes.push(`slots ${slots}, batch ${batchSize}: ${warning.message}`);
                await reranker.rerank(work.items[0]!.query, work.items[0]!.passages.slice(0, Math.min(4, options.passagesPerQuery)));
                const latencies: number[] = [];
                const scores: number[][] = [];
                let tokensEvaluated = 0;
                let peakVramUsed: number | null = null;
                const deviceNames = new Set(placementAtLoad.devices.map((device) => device.name));
                for (let round = 0; round < options.rounds; round++) {
                    for (const { query, passages } of work.items) {
                        const start = performance.now();
                        const result = await reranker.score(
                            passages.map((passage) => [query, passage] as [string, string]),
                            { onUsage: (usage) => (tokensEvaluated += usage.tokensEvaluated) }
                        );
                        latencies.push(performance.now() - start);
                        if (round === 0) scores.push(result);
                        if (deviceNames.size > 0) {
                            const used = (await host.readDevices())
                                .filter((device) => deviceNames.has(device.name))
                                .reduce((sum, device) => sum + device.totalBytes - device.freeBytes, 0);
                            peakVramUsed = Math.max(peakVramUsed ?? 0, used);
                        }
                    }
                }
                referenceScores ??= scores;
                const maxScoreDifference = Math.max(...scores.flatMap((row, i) => row.map((score, j) => Math.abs(score - referenceScores![i]![j]!))));
                const seconds = latencies.reduce((sum, value) => sum + value, 0) / 1000;
                const placement = reranker.describe().placement!;
                const memory = placement.memory ?? [];
                points.push({
                    requestedSlots: slots,
                    slots: description.settings.slots,
                    batchSize: description.settings.batchSize,
                    pairsPerSecond: (work.pairCount * options.rounds) / seconds,
                    tokensPerSecond: tokensEvaluated / seconds,
                    latencyP50Ms: percentile(latencies, 0.5),
                    latencyP95Ms: percentile(latencies, 0.95),
                    deviceBytes: placementAtLoad.devices.length > 0 ? placement.deviceBytesUsed : null,
                    peakVramUsedBytes: peakVramUsed,
                    contextBytes: memory.reduce((sum, entry) => sum + entry.contextBytes + entry.computeBytes, 0),
                    tokensEvaluated: tokensEvaluated / options.rounds,
                    maxScoreDifference
                });
            } finally {
                await reranker.dispose();
            }
        }
    }
    const best = points.reduce((winner, point) => (point.pairsPerSecond > winner.pairsPerSecond ? point : winner));
    const tokenCounts = new Set(points.map((point) => point.tokensEvaluated));
    // A NaN difference (a non-finite score) is the worst of all.
    const worst =
        points.find((point) => Number.isNaN(point.maxScoreDifference)) ??
        points.reduce((winner, point) => (point.maxScoreDifference > winner.maxScoreDifference ? point : winner));
    // Other batch shapes run other kernels (ggml-vulkan: matrix-vector or tiled matrix-matrix
    // shaders), whose sums round differently: two correct points may differ by up to twice the
    // per-pair budget against the float64 reference (src/bench/errorBudget.ts, configurationTolerance).
    const scoreCheck = scoreAgreementCheck(
        "every point's scores equal the first point's",
        worst.maxScoreDifference,
        budgetKey!,
        ` (slots ${worst.slots}, batch ${worst.batchSize})`
    );
    notes.push(
        "Each point loads its own Reranker and has the device alone; one untimed warm-up call first. pairs/s and tokens/s: over the timed calls; p50/p95: per call (one query's passages).",
        "device MiB: llama.cpp's own accounting of what it holds on the device (weights, KV cache, compute buffers); peak VRAM: the driver's used figure (total − free), which some drivers (Mesa's llvmpipe) never move."
    );
    return {
        startedAt: new Date(started).toISOString(),
        wallSeconds: (Date.now() - started) / 1000,
        machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, platform: `${process.platform}-${process.arch}`, node: process.version },
        ...header!,
        workload: {
            queries: options.queries,
            passagesPerQuery: options.passagesPerQuery,
            pairs: workload!.pairCount,
            inputTokens: points[0]!.tokensEvaluated,
            calls: options.rounds * options.queries
        },
        points,
        best,
        checks: [
            {
                name: "every point evaluates the same tokens",
                passed: tokenCounts.size === 1,
                detail: [...tokenCounts].join(", ")
            },
            scoreCheck
        ],
        notes
    };
}
