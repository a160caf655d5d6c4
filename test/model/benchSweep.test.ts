import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { testModels } from "../helpers/testModels.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-sweep-"));

// `llm-rerank bench --sweep` on the CPU backend: the table, the chosen configuration and the exact
// checks (identical token counts, agreeing scores). Its speed figures are never asserted.
describe("llm-rerank bench --sweep", () => {
    it("prints a slots × batch-size table and the best configuration, and writes JSON and an SVG chart", async () => {
        const jsonPath = path.join(workDir, "sweep.json");
        const svgPath = path.join(workDir, "sweep.svg");
        const { stdout } = await promisify(execFile)(
            process.execPath,
            [
                "dist/cli/cli.js",
                "bench",
                "--sweep",
                "--quick",
                "--gpu",
                "cpu",
                "--model",
                testModels.tiny,
                "--short",
                "--passages",
                "4",
                "--json",
                jsonPath,
                "--svg",
                svgPath
            ],
            { timeout: 300_000 }
        );
        expect(stdout).toMatch(/slots\s+batch\s+pairs\/s\s+tok\/s\s+p50 ms\s+p95 ms\s+device MiB\s+peak VRAM MiB/);
        expect(stdout).toMatch(/^best: slots \d+, batch size \d+: [\d.]+ pairs\/s/m);
        expect(stdout).toMatch(/layers on the CPU/);
        const report = JSON.parse(readFileSync(jsonPath, "utf8"));
        // --quick on the CPU: slots 1, 4 × batch 256, 512.
        expect(report.points.map((point: { slots: number; batchSize: number }) => [point.slots, point.batchSize])).toEqual([
            [1, 256],
            [1, 512],
            [4, 256],
            [4, 512]
        ]);
        expect(report.backend).toMatchObject({ gpu: false, devices: [] });
        expect(report.points).toContainEqual(report.best);
        for (const point of report.points) {
            expect(point.tokensEvaluated).toBe(report.points[0].tokensEvaluated);
            expect(point.deviceBytes).toBeNull();
            expect(point.contextBytes).toBeGreaterThan(0);
        }
        for (const check of report.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
        const svg = readFileSync(svgPath, "utf8");
        expect(svg).toMatch(/^<svg[\s\S]*<polyline[\s\S]*batch size[\s\S]*<\/svg>\s*$/);
        expect(svg.match(/<polyline/g)).toHaveLength(2);
    });
});
