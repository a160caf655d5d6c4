import { defineConfig } from "vitest/config";

// Two tiers (test/README.md). test/unit: no model, no process, runs in seconds. test/model: loads
// llama.cpp models or starts processes. Every test file runs in its own forked process, two at a
// time: two files never share a process (or a libllama), and on 2 cores one file's waits (process
// starts, file I/O, model loads) overlap the other's compute.
export default defineConfig({
    test: {
        maxWorkers: 2,
        projects: [
            {
                test: {
                    name: "unit",
                    include: ["test/unit/**/*.test.ts"],
                    sequence: { groupOrder: 0 },
                    pool: "forks",
                    testTimeout: 60_000
                }
            },
            {
                test: {
                    name: "model",
                    include: ["test/model/**/*.test.ts"],
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
