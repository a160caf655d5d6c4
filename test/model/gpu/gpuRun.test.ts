import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { cpuAgreementTolerance, cpuF32ReferenceTolerance, vulkanF32ReferenceTolerance } from "../../../src/bench/errorBudget.js";
import type { GpuRunReport } from "../../../src/bench/gpuRun/GpuRunReport.js";
import { benchModelPath } from "../../../src/testModel/benchModel.js";
import { GemmaReference } from "../../reference/GemmaReference.js";

// `llm-rerank bench --gpu-run` (npm run bench:gpu runs it with --gpu cuda on the gemma-2b preset),
// the whole pipeline on Vulkan: Mesa's llvmpipe, with GGML_VK_VISIBLE_DEVICES=0 set for the child
// process only, as in vulkan.test.ts. Shallow and small so that it runs in seconds: the tiny
// preset for both models (generated into a fresh cache folder), 3 agreement pairs, one sweep point
// of one query × 2 short passages. Without a Vulkan device the run test skips, saying why (a
// failure where .ci/run installed Mesa: LLM_RERANK_REQUIRE_VULKAN=1). Nothing here asserts a time.

const run = promisify(execFile);
const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-gpu-run-"));
const modelDir = path.join(workDir, "models");
const jsonPath = path.join(workDir, "gpu-run.json");
const svgPath = path.join(workDir, "gpu-run.svg");
const agreementPairs = 3;

let skip: string | undefined;
let stdout = "";
let stderr = "";
let report: GpuRunReport;

beforeAll(async () => {
    try {
        ({ stdout, stderr } = await run(
            process.execPath,
            [
                "dist/cli/cli.js",
                "bench",
                "--gpu-run",
                "--gpu",
                "vulkan",
                "--preset",
                "tiny",
                "--agreement-preset",
                "tiny",
                "--agreement-pairs",
                String(agreementPairs),
                "--model-dir",
                modelDir,
                "--slots-grid",
                "4",
                "--batch-grid",
                "512",
                "--queries",
                "1",
                "--passages",
                "2",
                "--short",
                "--json",
                jsonPath,
                "--svg",
                svgPath
            ],
            { env: { ...process.env, GGML_VK_VISIBLE_DEVICES: "0" }, timeout: 300_000 }
        ));
    } catch (error) {
        const message = String((error as { stderr?: unknown }).stderr ?? "");
        if (!message.includes("[ERR_GPU_UNAVAILABLE]")) throw error;
        if (process.env.LLM_RERANK_REQUIRE_VULKAN === "1") throw new Error(`LLM_RERANK_REQUIRE_VULKAN=1, but there is no Vulkan device: ${message.trim()}`);
        skip = message.trim();
        console.log(`test/model/gpu/gpuRun.test.ts: the Vulkan run skipped, no Vulkan device (${skip})`);
        return;
    }
    report = JSON.parse(readFileSync(jsonPath, "utf8")) as GpuRunReport;
}, 300_000);

function requireDevice(context: TestContext): void {
    if (skip !== undefined) context.skip(`no Vulkan device: ${skip}`);
}

describe("bench --gpu-run on Vulkan (llvmpipe)", () => {
    it("runs the phases in order, generating the models into the cache folder with a progress line", (context) => {
        requireDevice(context);
        expect(report.phases.map((phase) => phase.name)).toEqual(["device", "generate", "agreement", "sweep"]);
        const modelPath = benchModelPath(modelDir, { preset: "tiny", seed: 42, weightType: "f32" });
        // bytes: the planned size (planBenchModel), which the file on disk must have
        expect(report.models.agreement).toMatchObject({ path: modelPath, preset: "tiny", bytes: statSync(modelPath).size });
        expect(report.models.agreement.generatedSeconds).not.toBeNull();
        // the same file serves the sweep: found in the cache, not written twice
        expect(report.models.sweep).toMatchObject({ path: modelPath, generatedSeconds: null });
        expect(readdirSync(modelDir)).toEqual([path.basename(modelPath)]);
        expect(stderr).toContain(`gpu-run: generating ${path.basename(modelPath)}`);
        expect(stderr).toMatch(/gpu-run: 100% 0\.07 GB of 0\.07 GB/);
    });

    it("loads node-llama-cpp's prebuilt Vulkan build, and the addon binds to it", (context) => {
        requireDevice(context);
        expect(report.binary).toMatchObject({ gpuApi: "vulkan", build: "prebuilt" });
        expect(report.binary.libllamaPath).toMatch(
            /[\\/]@node-llama-cpp[\\/]linux-x64-vulkan[\\/]bins[\\/]linux-x64-vulkan[\\/]libllama\.vulkan\.[^\\/]*\.so$/
        );
        expect(report.binary.devices.map((device) => device.name)).toEqual(["Vulkan0"]);
        for (const name of [
            "node-llama-cpp's prebuilt vulkan build is what loaded",
            "ggml's vulkan backend library is mapped",
            "the llm-rerank addon is bound to that libllama"
        ])
            expect(report.checks.find((check) => check.name === name)?.passed, name).toBe(true);
    });

    it("scores the same pairs on Vulkan and on the CPU, each within its budget of the float64 reference, and judges them by the sum", (context) => {
        requireDevice(context);
        const { agreement } = report;
        expect(agreement.pairs).toBe(agreementPairs);
        expect(agreement.passages).toHaveLength(agreementPairs);
        expect(agreement.cpuBackend).toMatch(/^the CPU \(prebuilt cpu build/);
        // the derived tolerance: Vulkan's measured F32 budget plus the CPU's (triangle inequality)
        const derived = cpuAgreementTolerance({ gpu: "vulkan", arithmetic: "f32", weightType: "F32" })!;
        expect(derived).toMatchObject({ tolerance: vulkanF32ReferenceTolerance + cpuF32ReferenceTolerance, estimated: false });
        expect(agreement.tolerance).toBe(derived.tolerance);
        const differences = agreement.gpuScores.map((score, i) => Math.abs(score - agreement.cpuScores[i]!));
        expect(agreement.maxDifference).toBe(Math.max(...differences));
        expect(agreement.maxDifference).toBeLessThanOrEqual(derived.tolerance);

        // The reported scores are those pairs' scores: each side against the float64 reference of the
        // generated file, on the token ids the library scores.
        // (The token ids come from the report: the library's tokenization is checked by test/model/tokenParity.)
        expect(agreement.tokens).toHaveLength(agreementPairs);
        expect(agreement.tokens.reduce((sum, tokens) => sum + tokens.length, 0)).toBe(agreement.inputTokens);
        expect(agreement.scoreTokens.map((token) => token.text)).toEqual(["Yes"]);
        const reference = GemmaReference.open(report.models.agreement.path);
        const exact = agreement.tokens.map((tokens) => reference.lastLogits(tokens, [agreement.scoreTokens[0]!.id])[0]!);
        const cpuError = Math.max(...exact.map((value, i) => Math.abs(agreement.cpuScores[i]! - value)));
        const gpuError = Math.max(...exact.map((value, i) => Math.abs(agreement.gpuScores[i]! - value)));
        console.log(
            `gpu-run agreement: |Vulkan − CPU| ${agreement.maxDifference.toExponential(2)}; against float64: CPU ${cpuError.toExponential(2)}, Vulkan ${gpuError.toExponential(2)}`
        );
        expect(cpuError).toBeLessThanOrEqual(cpuF32ReferenceTolerance);
        expect(gpuError).toBeLessThanOrEqual(vulkanF32ReferenceTolerance);
        // distinct pairs, distinct scores: a run that scored one pair for all would not pass this
        expect(new Set(exact.map((value) => value.toFixed(4))).size).toBe(agreementPairs);
    });

    it("sweeps on the GPU, writes the JSON and the SVG, prints the summary, and every check passes", (context) => {
        requireDevice(context);
        const { sweep } = report;
        expect(sweep.backend.gpu).toBe("vulkan");
        expect(sweep.model.path).toBe(report.models.sweep.path);
        expect(sweep.workload).toMatchObject({ queries: 1, passagesPerQuery: 2, pairs: 2 });
        expect(sweep.points.map((point) => [point.requestedSlots, point.batchSize])).toEqual([[4, 512]]);
        expect(sweep.points[0]!.tokensEvaluated).toBe(sweep.workload.inputTokens);
        expect(sweep.points[0]!.deviceBytes).toBeGreaterThan(0);
        expect(sweep.best).toEqual(sweep.points[0]);
        const svg = readFileSync(svgPath, "utf8");
        expect(svg.startsWith("<svg ")).toBe(true);
        expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
        expect(svg).toContain("llm-rerank bench --gpu-run: llm-rerank-bench-tiny-seed42-f32.gguf on vulkan");
        expect(svg).toContain(">4 slots</text>");
        expect(stdout).toContain("GPU run (vulkan)");
        for (const phase of report.phases) expect(stdout).toMatch(new RegExp(`^  ${phase.name} +\\d+\\.\\d s  `, "m"));
        expect(stdout).toContain("best: slots 4, batch size 512");
        expect(report.checks.length).toBeGreaterThanOrEqual(8);
        for (const check of report.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
    });
});

describe("bench --gpu-run --gpu cuda", () => {
    it("refuses a run without a GPU API, or with another mode's flag, before it loads anything", async () => {
        for (const [args, message] of [
            [["--gpu", "cpu"], "--gpu-run needs --gpu cuda, vulkan or metal, got cpu"],
            [["--gpu", "cuda", "--slots", "4"], "--gpu-run takes no --slots"]
        ] as const) {
            const failure = await run(process.execPath, ["dist/cli/cli.js", "bench", "--gpu-run", ...args, "--model-dir", path.join(workDir, "refused")]).then(
                () => undefined,
                (error: { code?: number; stderr?: string }) => error
            );
            expect(failure?.code).toBe(1);
            expect(failure?.stderr).toContain(`${message} [ERR_INVALID_ARGUMENT]`);
            expect(failure?.stderr).not.toContain("gpu-run: device");
        }
        expect(existsSync(path.join(workDir, "refused"))).toBe(false);
    });

    it("stops within the device phase with ERR_GPU_UNAVAILABLE where CUDA cannot load, having written nothing", async () => {
        const cudaModelDir = path.join(workDir, "cuda-models");
        const args = ["dist/cli/cli.js", "bench", "--gpu-run", "--gpu", "cuda", "--preset", "tiny", "--agreement-preset", "tiny", "--model-dir", cudaModelDir];
        args.push("--agreement-pairs", "2", "--slots-grid", "4", "--batch-grid", "512", "--queries", "1", "--passages", "2", "--short");
        const outcome = await run(process.execPath, args, { timeout: 300_000 }).then(
            () => ({ code: 0, stderr: "" }),
            (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: String(error.stderr) })
        );
        if (outcome.code === 0) {
            // a machine with CUDA ran the whole (tiny) pipeline instead: it generated its model
            expect(existsSync(cudaModelDir)).toBe(true);
            return;
        }
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toContain("[ERR_GPU_UNAVAILABLE]");
        expect(outcome.stderr).toContain('gpu "cuda" was asked for');
        expect(outcome.stderr).not.toContain("gpu-run: generate");
        expect(existsSync(cudaModelDir)).toBe(false);
    });
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));
