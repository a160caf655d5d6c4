import { performance } from "node:perf_hooks";
import { MemoryEdit, type AddonBatch, type AddonContext, type ModelHost } from "../native/AddonTypes.js";
import type { WorkloadQuery } from "./BenchWorkload.js";
import { cpuUsage, cpuUsageSince, privateMemoryBytes } from "./processUsage.js";
import type { Contender, ContenderSetup, RoundResult } from "./Contender.js";
import { emptyTally, type RecordedOperation, type RecordingContext } from "./RecordingContext.js";

/**
 * The exact calls a Reranker made on its context (recorded in its first round), replayed straight
 * to a fresh context of the same model and settings, made by the host (benchHost.ts). Only decode()
 * calls are timed: this is the floor the TypeScript layer adds to.
 */
export class RawReplayContender implements Contender {
    readonly key: string;
    readonly label: string;
    readonly setup: ContenderSetup;
    private readonly host: ModelHost;
    private readonly recorder: RecordingContext;
    private context: AddonContext | undefined;
    private segments: RecordedOperation[][] = [];

    /**
     * The recorder must belong to a contender that runs before this one in every round: its first
     * round is recorded, and replayed from then on.
     */
    constructor(key: string, label: string, setup: ContenderSetup, host: ModelHost, recorder: RecordingContext) {
        this.key = key;
        this.label = label;
        this.setup = setup;
        this.host = host;
        this.recorder = recorder;
        recorder.keepOperations = true;
    }

    /** Nothing is recorded yet at warm-up time; the first round warms up instead, untimed. */
    async warmUp(): Promise<void> {}

    async runRound(_workload: WorkloadQuery[]): Promise<RoundResult> {
        const context = this.context ?? (await this.startReplaying());
        const cpuAtStart = cpuUsage();
        const callMs: number[] = [];
        const tally = emptyTally();
        let replayDifference = 0;
        for (const segment of this.segments) {
            let segmentMs = 0;
            for (const operation of segment) {
                const started = performance.now();
                const scores = await context.decode(operation.batch, operation.scoreTokenIds, operation.memoryEdits);
                segmentMs += performance.now() - started;
                tally.decodes++;
                tally.tokens += operation.batch.tokens.length;
                for (let i = 0; i < operation.batch.positions.length; i++) {
                    tally.attendedKeys += operation.batch.positions[i]! + 1;
                    tally.outputs += operation.batch.outputs[i]!;
                }
                for (let i = 0; i < scores.length; i++) replayDifference = Math.max(replayDifference, Math.abs(scores[i]! - operation.scores[i]!));
            }
            callMs.push(segmentMs);
            tally.decodeMs += segmentMs;
        }
        return {
            callMs,
            tally,
            tokensEvaluated: tally.tokens,
            rssBytes: process.memoryUsage.rss(),
            privateBytes: privateMemoryBytes(),
            cpu: cpuUsageSince(cpuAtStart),
            replayDifference
        };
    }

    async dispose(): Promise<void> {
        await this.context?.dispose();
    }

    private async startReplaying(): Promise<AddonContext> {
        this.recorder.keepOperations = false;
        this.segments = this.recorder.segments.filter((segment) => segment.length > 0);
        const firstDecode = this.segments.flat()[0];
        if (!firstDecode) throw new Error(`${this.label}: nothing was recorded to replay`);
        const context = await this.host.createContext(this.recorder.model, this.recorder.options);
        // One small decode: a context's first decode allocates, the replayed ones must not.
        await context.decode(
            { tokens: firstDecode.batch.tokens.subarray(0, 1), positions: Int32Array.of(0), sequenceIds: Int32Array.of(0), outputs: Uint8Array.of(1) },
            firstDecode.scoreTokenIds,
            new Int32Array(0)
        );
        await context.decode(emptyBatch(), firstDecode.scoreTokenIds, Int32Array.of(MemoryEdit.clear, 0, 0, 0));
        this.context = context;
        return context;
    }
}

function emptyBatch(): AddonBatch {
    return { tokens: new Int32Array(0), positions: new Int32Array(0), sequenceIds: new Int32Array(0), outputs: new Uint8Array(0) };
}
