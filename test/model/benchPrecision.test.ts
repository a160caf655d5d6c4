import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PrecisionTableReport } from "../../src/bench/precision/runPrecisionTable.js";
import { isCpuBlasBuild } from "../../src/load/chooseLlamaBuild.js";
import { readLocalBuildRecord } from "../../src/native/LocalBuildRecord.js";

// `llm-rerank bench --precision-table` on the tiny preset, generated in each weight type into a
// scratch folder (about 100 MB): which files it scored, and that it compared them on the same
// pairs. Its speeds are never asserted: machines here are shared.
describe("llm-rerank bench --precision-table", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "llm-rerank-precision-"));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it("scores the same pairs with each weight type of a preset and compares each with the F32 file", () => {
        const jsonPath = path.join(folder, "report.json");
        // F32 a second time last: the same file on the same pairs must differ from the first row by exactly 0
        execFileSync(
            process.execPath,
            [
                "dist/cli/cli.js",
                "bench",
                "--precision-table",
                "--preset",
                "tiny",
                "--weight-types",
                "f32,q8_0,f32",
                "--passages",
                "3",
                "--short",
                "--rounds",
                "2",
                "--model-dir",
                folder,
                "--gpu",
                "cpu",
                "--threads",
                "1",
                "--json",
                jsonPath
            ],
            { stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 }
        );
        const full = JSON.parse(readFileSync(jsonPath, "utf8")) as PrecisionTableReport;
        // Every row on the prebuilt binaries; with a local BLAS build, the reference file once more on
        // it (second row, in a child process), within the builds' agreement of 1e-3.
        const blasRows = full.rows.filter((row) => row.build !== "prebuilt");
        expect(blasRows.map((row) => row.label)).toEqual(isCpuBlasBuild(readLocalBuildRecord().record) ? ["F32 + BLAS"] : []);
        for (const row of blasRows) {
            expect(full.rows.indexOf(row)).toBe(1);
            expect(row.build).toMatch(/^localBuild \+ /);
            expect(row.cores).toBeNull();
            expect(row.comparison!.maxAbsDiff).toBeLessThanOrEqual(1e-3);
        }
        const report = { ...full, rows: full.rows.filter((row) => !blasRows.includes(row)) };
        // the files the generator wrote, named by type, and llama.cpp read them as that type
        expect(report.rows.map((row) => row.weightType)).toEqual(["F32", "Q8_0", "F32"]);
        expect(report.rows.map((row) => path.basename(row.path))).toEqual(["f32", "q8_0", "f32"].map((type) => `llm-rerank-bench-tiny-seed42-${type}.gguf`));
        // Q8_0: 34 bytes per 32 values for the matrices, against 128 in F32
        expect(report.rows[1]!.fileBytes).toBeLessThan(report.rows[0]!.fileBytes / 3);
        expect(report.rows[0]!.comparison).toBeNull();
        expect(report.rows[1]!.comparison).toMatchObject({ pairs: 3, comparedPairs: 3, nonFiniteA: 0, nonFiniteB: 0 });
        // quantized weights give other scores
        expect(report.rows[1]!.comparison!.maxAbsDiff).toBeGreaterThan(0);
        expect(report.rows[2]!.comparison).toMatchObject({ pairs: 3, comparedPairs: 3, maxAbsDiff: 0, meanAbsDiff: 0, kendallTau: 1 });
        for (const row of report.rows) expect(row.repeatable).toBe(true);
        expect(report.workload.passages).toBe(3);
    });
});
