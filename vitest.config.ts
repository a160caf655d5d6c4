import { configDefaults, defineConfig } from "vitest/config";

// `npm pack` of the repository runs prepack, which rebuilds the addon in build/ (node-gyp removes
// build/Release first): any file loading the addon beside it fails. The files that pack run after
// the rest; they share one tarball (test/helpers/packedApp.ts packs once per run, under a lock).
const alone = ["test/model/desktop/packedPackage.test.ts", "test/model/desktop/cpuOnlyInstall.test.ts", "test/model/desktop/packedBench.test.ts"];

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
                    exclude: [...configDefaults.exclude, ...alone],
                    sequence: { groupOrder: 0 },
                    pool: "forks",
                    globalSetup: ["test/setup/generateModels.ts"],
                    testTimeout: 120_000,
                    hookTimeout: 600_000
                }
            },
            {
                test: {
                    name: "model-alone",
                    include: alone,
                    sequence: { groupOrder: 1 },
                    pool: "forks",
                    globalSetup: ["test/setup/generateModels.ts"],
                    testTimeout: 120_000,
                    hookTimeout: 600_000
                }
            }
        ]
    }
});
