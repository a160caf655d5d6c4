import { defineConfig } from "vitest/config";
import { SlowFirstSequencer } from "./test/setup/slowFirstSequencer.js";

// Two tiers (test/README.md). test/unit: no model, no process, runs in seconds. test/model: loads
// llama.cpp models or starts processes. Every test file runs in its own forked process, two at a
// time: two files never share a process (or a libllama), and on 2 cores one file's waits (process
// starts, file I/O, model loads) overlap the other's compute.
export default defineConfig({
    test: {
        maxWorkers: 2,
        sequence: { sequencer: SlowFirstSequencer },
        projects: [
            {
                test: {
                    name: "unit",
                    include: ["test/unit/**/*.test.ts"],
                    // No model and no native state: the unit files share one process, which saves a
                    // fork and a module graph per file (about 1 s of CPU each).
                    isolate: false,
                    sequence: { groupOrder: 0 },
                    pool: "forks",
                    testTimeout: 60_000
                }
            },
            {
                test: {
                    name: "model",
                    include: ["test/model/**/*.test.ts"],
                    // One llama.cpp thread for every load that sets none (the library's
                    // LLM_RERANK_THREADS): two files run side by side on two cores, and ggml's
                    // spinning thread barrier burns the cores two 2-thread decodes would share.
                    // Measured on four heavy files: 54.6 s wall (89 s CPU) with 2 threads, 38.7 s (65 s) with 1.
                    env: { LLM_RERANK_THREADS: "1" },
                    sequence: { groupOrder: 0 },
                    pool: "forks",
                    globalSetup: ["test/setup/generateModels.ts"],
                    testTimeout: 120_000,
                    hookTimeout: 600_000
                }
            }
        ]
    }
});
