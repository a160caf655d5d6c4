import { defineConfig } from "vitest/config";

// Model-dependent tests load llama.cpp models: run them one file at a time in forks, so two test
// files never hold two models (or two libllama copies) in one process.
export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        pool: "forks",
        fileParallelism: false,
        globalSetup: ["test/setup/generateModels.ts"],
        testTimeout: 120_000,
        hookTimeout: 600_000
    }
});
