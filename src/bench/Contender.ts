import type { WorkloadQuery } from "./BenchWorkload.js";
import type { CpuUsage } from "./processUsage.js";
import type { DecodeTally } from "./RecordingContext.js";

/** What one contender did in one round: the whole workload, one rerank call per query. */
export type RoundResult = {
    /** Wall time of each rerank call, in query order (ms). */
    callMs: number[];
    /** What its decodes held (and, for raw, their time). */
    tally: DecodeTally;
    /** Σ lastRunStats.tokensEvaluated over its score calls: the library's own count. */
    tokensEvaluated: number;
    /** Per query, the score of each passage in input order (absent for raw, which has no pairs). */
    scores?: number[][];
    /** Resident set size after the round, bytes (mmap'd weights included, once per mapping). */
    rssBytes: number;
    /** Private (anonymous) resident memory after the round, bytes; null off Linux. */
    privateBytes: number | null;
    /**
     * CPU time the process spent in the round, and the involuntary context switches: on a shared
     * machine, cpu ÷ wall below the thread count means other processes had the cores.
     */
    cpu: CpuUsage;
    /** Largest |score − recorded score| over the replayed outputs (raw only). */
    replayDifference?: number;
};

/** Facts about where a contender runs, for the report. */
export type ContenderSetup = {
    build: string;
    threads: number;
    slots: number;
    batchSize: number;
    sharePrefix: boolean;
    libllamaPath: string;
    /** ggml's BLAS backend's vendor ("OpenBLAS", ...), or null when the build has none. */
    blas: string | null;
    /** The model's weight type (F32, BF16, ...). */
    weightType: string;
};

/** One configuration under test. Rounds of all contenders are interleaved by the runner. */
export interface Contender {
    readonly key: string;
    readonly label: string;
    readonly setup: ContenderSetup;
    /** Untimed: touches the weights and the context's buffers once. */
    warmUp(workload: WorkloadQuery[]): Promise<void>;
    runRound(workload: WorkloadQuery[]): Promise<RoundResult>;
    dispose(): Promise<void>;
}
