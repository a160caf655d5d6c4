import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { configurationTolerance, vulkanF32ReferenceTolerance } from "../../../src/bench/errorBudget.js";
import { testModelPresets } from "../../../src/testModel/TestModelPreset.js";
import { testModels } from "../../helpers/testModels.js";

// `llm-rerank bench --gpu vulkan --sweep --quick` on Mesa's llvmpipe, with the mid model: 4 layers,
// grouped-query attention (4 query heads over 2 KV heads). Its slots × batch-size points give
// ggml-vulkan other batch shapes, so it picks other shaders (matrix-vector for a few rows, tiled
// matrix-matrix for many), and the scores differ by F32 rounding: the sweep judges that spread by
// the error budget (src/bench/errorBudget.ts), not by zero. As in test/model/gpu/vulkan.test.ts,
// GGML_VK_VISIBLE_DEVICES=0 is set for the child process only; without a Vulkan device the test
// skips, saying why (a failure where .ci/run installed Mesa: LLM_RERANK_REQUIRE_VULKAN=1).

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-vulkan-sweep-"));

type Sweep = {
    model: { layerCount: number };
    backend: { gpu: string | false; devices: { name: string }[]; arithmetic: string };
    points: { slots: number; batchSize: number; tokensEvaluated: number; deviceBytes: number | null; maxScoreDifference: number }[];
    checks: { name: string; passed: boolean; detail: string }[];
};

describe("llm-rerank bench --gpu vulkan --sweep on llvmpipe", () => {
    it("judges the points' score spread by Vulkan's F32 error budget, on a 4-layer GQA model", async (context) => {
        const preset = testModelPresets.mid;
        expect(preset.blockCount).toBeGreaterThanOrEqual(3);
        expect(preset.headCountKv).toBeGreaterThan(1);
        expect(preset.headCount).toBeGreaterThan(preset.headCountKv);
        const jsonPath = path.join(workDir, "sweep.json");
        let stdout: string;
        try {
            ({ stdout } = await promisify(execFile)(
                process.execPath,
                [
                    "dist/cli/cli.js",
                    "bench",
                    "--sweep",
                    "--quick",
                    "--gpu",
                    "vulkan",
                    "--model",
                    testModels.mid,
                    "--short",
                    "--passages",
                    "4",
                    // Two points whose decodes differ in shape (at most 64 tokens a decode, against up
                    // to 512): the kernels that round differently, at half the cost of the --quick
                    // grid on llvmpipe.
                    "--slots-grid",
                    "8",
                    "--batch-grid",
                    "64,512",
                    "--json",
                    jsonPath
                ],
                { env: { ...process.env, GGML_VK_VISIBLE_DEVICES: "0" }, timeout: 540_000 }
            ));
        } catch (error) {
            const stderr = String((error as { stderr?: unknown }).stderr ?? "");
            if (!stderr.includes("[ERR_GPU_UNAVAILABLE]")) throw error;
            if (process.env.LLM_RERANK_REQUIRE_VULKAN === "1") throw new Error(`LLM_RERANK_REQUIRE_VULKAN=1, but there is no Vulkan device: ${stderr.trim()}`);
            console.log(`test/model/gpu/vulkanSweep.test.ts skipped: no Vulkan device (${stderr.trim()})`);
            context.skip();
            return;
        }
        const report = JSON.parse(readFileSync(jsonPath, "utf8")) as Sweep;
        expect(report.backend.gpu).toBe("vulkan");
        expect(report.backend.arithmetic).toMatch(/^f32: /);
        expect(report.backend.devices.length).toBeGreaterThan(0);
        expect(report.model.layerCount).toBe(preset.blockCount);
        expect(report.points.map((point) => [point.slots, point.batchSize])).toEqual([
            [8, 64],
            [8, 512]
        ]);
        for (const point of report.points) {
            expect(point.tokensEvaluated).toBe(report.points[0]!.tokensEvaluated);
            expect(point.deviceBytes).toBeGreaterThan(0);
        }
        const tolerance = configurationTolerance({ gpu: "vulkan", arithmetic: "f32", weightType: "F32" })!;
        expect(tolerance).toBe(2 * vulkanF32ReferenceTolerance);
        const spread = Math.max(...report.points.map((point) => point.maxScoreDifference));
        console.log(`Vulkan sweep, mid model: max |score − first point's score| ${spread.toExponential(2)} (budget ${tolerance.toExponential(1)})`);
        expect(stdout).toContain(`every point's scores equal the first point's within ${tolerance.toExponential(1)}`);
        expect(stdout).toContain(`max |difference| ${spread.toExponential(2)}`);
        for (const check of report.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
    }, 600_000);
});
