import type { GpuOption } from "../native/HostDescription.js";
import type { TokenRange } from "./BenchWorkload.js";

export type BenchMode = "configurations" | "threads" | "builds";

export type BenchOptions = {
    model: string;
    gpu: GpuOption;
    queries: number;
    passagesPerQuery: number;
    queryTokens: TokenRange;
    passageTokens: TokenRange;
    rounds: number;
    seed: number;
    /** Threads for every configuration; undefined: the library's default. */
    threads?: number;
    /**
     * "configurations": (a) (b) (c) raw [+ (c) on the other build]; "threads": (c) at each thread
     * count; "builds": (c) on the prebuilt and on the local build, each in a child process of its own.
     */
    mode: BenchMode;
    threadCounts: number[];
    /** Also run (c) on the other llama.cpp build (prebuilt vs local), when both exist. */
    compareBuilds: boolean;
    /** With mode "builds": also run (c) on this model (the same weights in BF16) on each build. */
    bf16Model?: string;
    /** The machine's measured F32 GEMM rate (GFLOP/s, e.g. tools/sgemm-peak.c): each row's executed GFLOP/s is also shown as a share of it. */
    sgemmPeakGflops?: number;
    /** Fail unless this process got that build. */
    requireBuild?: "prebuilt" | "localBuild";
};
