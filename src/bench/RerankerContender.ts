import type { CallUsage } from "../RerankerOptions.js";
import { performance } from "node:perf_hooks";
import type { Reranker } from "../Reranker.js";
import type { WorkloadQuery } from "./BenchWorkload.js";
import { cpuUsage, cpuUsageSince, privateMemoryBytes } from "./processUsage.js";
import type { Contender, ContenderSetup, RoundResult } from "./Contender.js";
import type { RecordingContext } from "./RecordingContext.js";

/**
 * pair-at-a-time: one score() call per pair (what a reranker that scores one sequence per decode
 * offers); whole-list: one rerank() call per query; token-sequences: the query's inputs from
 * buildInput() in one scoreTokens() call, which batches them across slots without sharing a prefix.
 */
export type CallStyle = "pair-at-a-time" | "whole-list" | "token-sequences";

/** A Reranker as an application uses it, called in one of three ways. */
export class RerankerContender implements Contender {
    readonly key: string;
    readonly label: string;
    readonly setup: ContenderSetup;
    readonly reranker: Reranker;
    readonly recorder: RecordingContext;
    private readonly callStyle: CallStyle;

    constructor(key: string, label: string, reranker: Reranker, recorder: RecordingContext, callStyle: CallStyle) {
        this.key = key;
        this.label = label;
        this.reranker = reranker;
        this.recorder = recorder;
        this.callStyle = callStyle;
        const description = reranker.describe();
        this.setup = {
            build: description.backend.build,
            threads: description.settings.threads,
            slots: description.settings.slots,
            batchSize: description.settings.batchSize,
            sharePrefix: description.settings.sharePrefix,
            libllamaPath: description.backend.libllamaPath,
            blas: description.backend.blas?.vendor ?? null,
            weightType: description.model.weightType
        };
    }

    async warmUp(workload: WorkloadQuery[]): Promise<void> {
        const first = workload[0]!;
        await this.reranker.score([[first.query, first.passages[first.passages.length - 1]!]]);
        this.recorder.takeTally();
        // Only the rounds are worth replaying.
        this.recorder.segments.length = 0;
    }

    async runRound(workload: WorkloadQuery[]): Promise<RoundResult> {
        this.recorder.takeTally();
        const cpuAtStart = cpuUsage();
        const callMs: number[] = [];
        const scores: number[][] = [];
        let tokensEvaluated = 0;
        const onUsage = (usage: CallUsage) => (tokensEvaluated += usage.tokensEvaluated);
        for (const { query, passages } of workload) {
            this.recorder.beginSegment();
            const started = performance.now();
            let queryScores: number[];
            if (this.callStyle === "pair-at-a-time") {
                queryScores = [];
                for (const passage of passages) {
                    queryScores.push((await this.reranker.score([[query, passage]], { onUsage }))[0]!);
                }
            } else if (this.callStyle === "token-sequences") {
                queryScores = await this.reranker.scoreTokens(await Promise.all(passages.map((passage) => this.reranker.buildInput(query, passage))), {
                    onUsage
                });
            } else {
                const results = await this.reranker.rerank(query, passages, { onUsage });
                queryScores = new Array<number>(passages.length);
                for (const { index, score } of results) queryScores[index] = score;
            }
            callMs.push(performance.now() - started);
            scores.push(queryScores);
        }
        return {
            callMs,
            tally: this.recorder.takeTally(),
            tokensEvaluated,
            scores,
            rssBytes: process.memoryUsage.rss(),
            privateBytes: privateMemoryBytes(),
            cpu: cpuUsageSince(cpuAtStart)
        };
    }

    dispose(): Promise<void> {
        return this.reranker.dispose();
    }
}
