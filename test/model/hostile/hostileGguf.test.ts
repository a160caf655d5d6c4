import { describe, expect, it } from "vitest";
import { formatHostileReport, runHostileGgufSuite, type HostileSuiteOptions } from "../../../src/dev/fuzz/runHostileGgufSuite.js";
import { testModels } from "../../helpers/testModels.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";

// The case runners are the compiled dist/dev/fuzz/hostileCaseChildMain.js: `npm test` builds first
// (run `npm run build` before running this file alone).
const sample = 180;

describe("hostile GGUF files", () => {
    it(`a seeded sample of ${sample}: no abort, no hang, no non-finite score returned`, async () => {
        const options: HostileSuiteOptions = {
            cases: sample,
            seed: 20261201,
            gemmaPath: testModels.tiny,
            qwen3Path: await ensureQwen3TinyModel(),
            // mostly the compact-vocabulary Gemma model (loads in milliseconds), some full models
            baseWeights: { "gemma-compact": 90, gemma: 5, qwen3: 5 },
            jobs: 2,
            timeoutMs: 60_000
        };
        const report = await runHostileGgufSuite(options);
        console.log(formatHostileReport(report, options));
        expect(report.results).toHaveLength(sample);
        expect(report.counts.abort).toBe(0);
        expect(report.counts.hang).toBe(0);
        expect(report.counts.nonFinite).toBe(0);
        expect(report.counts.untyped).toBe(0);
        // the sample reaches every stage: refused by us, by llama.cpp, and scored (controls among them)
        expect(report.counts.validation).toBeGreaterThan(0);
        expect(report.counts.llama).toBeGreaterThan(0);
        expect(report.counts.scored).toBeGreaterThan(0);
        for (const control of report.results.filter((result) => result.family === "unmodified (control)")) expect(control.outcome).toBe("scored");
    });

    it("counts a runner that aborts or stops answering, and goes on with a new one", async () => {
        const report = await runHostileGgufSuite({
            cases: 4,
            seed: 1,
            gemmaPath: testModels.tiny,
            baseWeights: { "gemma-compact": 1 },
            jobs: 1,
            timeoutMs: 8_000,
            faults: new Map([
                [1, "abort"],
                [2, "hang"]
            ])
        });
        expect(report.results.map((result) => result.outcome).slice(1, 3)).toEqual(["abort", "hang"]);
        expect(report.results[1]!.detail).toMatch(/SIGABRT/);
        expect(report.results[0]!.outcome).not.toMatch(/abort|hang/);
        expect(report.results[3]!.outcome).not.toMatch(/abort|hang/);
        expect(report.runnersStarted).toBe(3);
    });
});
