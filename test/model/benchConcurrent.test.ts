import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildConcurrentWorkload } from "../../src/bench/concurrent/ConcurrentWorkload.js";
import type { ConcurrentBenchReport } from "../../src/bench/concurrent/ConcurrentBenchReport.js";
import type { ConcurrentSummary } from "../../src/bench/concurrent/ConcurrentSummary.js";
import { Reranker } from "../../src/index.js";
import { testModels } from "../helpers/testModels.js";

// A smoke test of `llm-rerank bench --concurrent N` on the tiny model: the report's counts, its
// token total against the library's own inputs for the same seeded workload, and its exact checks.
// Its speeds are never asserted: machines here are shared.
describe("llm-rerank bench --concurrent", () => {
    it("runs serialized and concurrent calls side by side and passes its own checks", async () => {
        const jsonPath = path.join(mkdtempSync(path.join(tmpdir(), "llm-rerank-bench-concurrent-")), "report.json");
        const spec = { clients: 6, requestsPerClient: 2, passagesPerRequest: 3, seed: 5 };
        execFileSync(
            process.execPath,
            [
                "dist/cli/cli.js",
                "bench",
                "--concurrent",
                String(spec.clients),
                "--requests",
                String(spec.requestsPerClient),
                "--passages",
                String(spec.passagesPerRequest),
                "--seed",
                String(spec.seed),
                "--rounds",
                "2",
                "--long-call",
                "3",
                "--slots",
                "default,2",
                "--model",
                testModels.tiny,
                "--gpu",
                "cpu",
                "--threads",
                "1",
                "--json",
                jsonPath
            ],
            { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 }
        );
        const { runs, summary } = JSON.parse(readFileSync(jsonPath, "utf8")) as { runs: ConcurrentBenchReport[]; summary: ConcurrentSummary };
        // one run per slot setting, the library's default first
        expect(runs.map((run) => run.backend.slots)).toEqual([runs[0]!.backend.slots, 2]);
        expect(runs[0]!.backend.slots).toBeGreaterThan(4);
        expect(summary.rows.map((row) => row.slots)).toEqual(runs.map((run) => run.backend.slots));
        for (const run of runs) {
            expect(run.longCall!.passages).toBe(3);
            expect(run.longCall!.roundSeconds).toHaveLength(2);
            expect(run.longCall!.scores.every(Number.isFinite)).toBe(true);
        }
        expect(summary.checks.map((check) => check.name)).toEqual([`long call scores agree across slot settings (${path.basename(testModels.tiny)})`]);
        for (const check of summary.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
        const report = runs[0]!;
        expect(report.modes.map((mode) => mode.key)).toEqual(["serialized", "concurrent"]);
        for (const mode of report.modes) {
            expect(mode.requestsPerRound).toBe(12);
            expect(mode.pairsPerRound).toBe(36);
            expect(mode.roundSeconds).toHaveLength(2);
            expect(mode.latencyP95Ms).toBeGreaterThanOrEqual(mode.latencyP50Ms);
        }
        expect(report.concurrentOverSerialized).toBeGreaterThan(0);
        expect(report.checks.map((check) => check.name)).toEqual([
            "every request answered in full",
            "concurrent scores match serialized",
            "serialized rounds repeat exactly"
        ]);
        for (const check of report.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);

        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, threads: 1 });
        let tokens = 0;
        for (const requests of buildConcurrentWorkload(spec)) {
            for (const { query, passages } of requests) for (const passage of passages) tokens += (await reranker.buildInput(query, passage)).length;
        }
        await reranker.dispose();
        expect(report.workload.scoredTokensPerRound).toBe(tokens);
    });
});
