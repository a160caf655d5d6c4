import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it, type TestContext } from "vitest";
import { testModelPresets } from "../../../src/testModel/TestModelPreset.js";
import { loadGoldenPairs } from "../../helpers/goldenPairs.js";
import { testModels } from "../../helpers/testModels.js";
import { GemmaReference } from "../../reference/GemmaReference.js";
import { vulkanReferenceTolerance, vulkanPackingTolerance } from "../../gpu/vulkanTolerance.js";

// The Vulkan backend on a real Vulkan device: Mesa's llvmpipe in CI (apt: mesa-vulkan-drivers,
// libvulkan1). ggml skips CPU-type Vulkan devices unless GGML_VK_VISIBLE_DEVICES names one, so
// that variable is set for one child process only (test/gpu/vulkanChecks.mjs, which runs every
// check, so that the shaders compile once): no other test, in this process or another, can pick
// llvmpipe under gpu "auto". Without a Vulkan device every test here skips, saying why.

type Description = {
    backend: { gpu: string | false; binary: string | false; devices: { name: string; description: string; backend: string; type: string }[] };
    precision: {
        weights: string;
        kvCache: string;
        flashAttention: boolean;
        arithmetic: { mode: string; switches: { name: string; value?: string; setBy: string }[] };
    };
    placement: {
        devices: { name: string; backend: string }[];
        layerCount: number;
        layersOffloaded: number;
        memory: { device: string; host: boolean; modelBytes: number; contextBytes: number; computeBytes: number }[];
        deviceBytesUsed: number;
    };
    settings: { slots: number; kvType: string; flashAttention: boolean; sizing: { kvBytes: number; computeBytesEstimate: number; budget: { kind: string } } };
    scoreTokens: { id: number }[];
};
type GoldenRun = { description: Description; scores: number[]; tokens: number[][] };
type ChecksOutput = {
    skip?: string;
    warnings: string[];
    environment: { GGML_VK_VISIBLE_DEVICES?: string };
    tiny: GoldenRun & { packed: number[]; alone: number[] };
    mid: GoldenRun;
    prefix: { tokens: number[][]; shared: number[]; unshared: number[]; sharedStats: { tokensEvaluated: number }; unsharedStats: { tokensEvaluated: number } };
    overflow: { code?: string; message?: string; scores?: number[]; afterError: unknown };
};

const goldenPairs = loadGoldenPairs();
// The mid model runs at about 30 ms per token on llvmpipe: a fifth of the golden pairs (7) keeps the
// file inside its time budget, and still covers scripts, code, emoji and the empty sides.
const midPairs = goldenPairs.filter((_pair, i) => i % 5 === 0);
const alonePairs = goldenPairs.slice(0, 6);
const prefixQuery = "how do tides work?";
const prefixPassages = ["The moon pulls on the oceans.", "Bananas are yellow.", "Tides rise twice a day.", "Water is wet.", "Gravity bends light."];

let output: ChecksOutput;

function requireDevice(context: TestContext): void {
    if (output.skip !== undefined) context.skip(`no Vulkan device: ${output.skip}`);
}

function maxReferenceError(run: GoldenRun, modelPath: string): number {
    const reference = GemmaReference.open(modelPath);
    const yesId = run.description.scoreTokens[0]!.id;
    return Math.max(...run.tokens.map((tokens, i) => Math.abs(run.scores[i]! - reference.lastLogits(tokens, [yesId])[0]!)));
}

beforeAll(async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-vulkan-"));
    const inputPath = path.join(workDir, "input.json");
    const models = { tiny: testModels.tiny, mid: testModels.mid, overflow: testModels.tinyOverflowF32 };
    const loadOptions = process.env.LLM_RERANK_VULKAN_FP16 === "1" ? { fp16Arithmetic: true } : {};
    writeFileSync(inputPath, JSON.stringify({ models, tinyPairs: goldenPairs, midPairs, alonePairs, prefixQuery, prefixPassages, loadOptions }));
    const { stdout } = await promisify(execFile)(process.execPath, [path.resolve("test/gpu/vulkanChecks.mjs"), inputPath], {
        env: { ...process.env, GGML_VK_VISIBLE_DEVICES: "0" },
        maxBuffer: 64 * 2 ** 20
    });
    output = JSON.parse(stdout) as ChecksOutput;
    if (output.skip !== undefined) {
        // .ci/run sets this once it has installed Mesa's Vulkan driver: there, a skip is a failure.
        if (process.env.LLM_RERANK_REQUIRE_VULKAN === "1") throw new Error(`LLM_RERANK_REQUIRE_VULKAN=1, but there is no Vulkan device: ${output.skip}`);
        console.log(`test/model/gpu/vulkan.test.ts skipped: no Vulkan device (${output.skip})`);
    }
}, 300_000);

describe("Vulkan on a real device", () => {
    it("sets GGML_VK_VISIBLE_DEVICES for the checking process only", () => {
        expect(process.env.GGML_VK_VISIBLE_DEVICES).toBeUndefined();
        if (output.skip === undefined) expect(output.environment.GGML_VK_VISIBLE_DEVICES).toBe("0");
    });

    it("describe() names the Vulkan device, every layer offloaded to it, and the VRAM used", (context) => {
        requireDevice(context);
        for (const [run, preset] of [
            [output.tiny, testModelPresets.tiny],
            [output.mid, testModelPresets.mid]
        ] as const) {
            const { backend, placement } = run.description;
            expect(backend.gpu).toBe("vulkan");
            expect(backend.binary).toBe("vulkan");
            expect(backend.devices.length).toBeGreaterThan(0);
            expect(backend.devices[0]).toMatchObject({ backend: "Vulkan", type: expect.stringMatching(/^i?gpu$/) });
            expect(backend.devices[0]!.description.length).toBeGreaterThan(0);
            expect(placement.devices.map((device) => device.backend)).toEqual(["Vulkan"]);
            expect(placement.layerCount).toBe(preset.blockCount);
            expect(placement.layersOffloaded).toBe(preset.blockCount);
            const onDevice = placement.memory.find((entry) => entry.device === placement.devices[0]!.name && !entry.host)!;
            // The repeating layers' weights live on the device (token_embd stays in host memory).
            const layerWeightBytes =
                4 *
                preset.blockCount *
                (2 * preset.embeddingLength +
                    preset.embeddingLength * preset.headDim * (preset.headCount * 2 + preset.headCountKv * 2) +
                    3 * preset.embeddingLength * preset.feedForwardLength);
            expect(onDevice.modelBytes).toBeGreaterThanOrEqual(layerWeightBytes);
            expect(placement.deviceBytesUsed).toBe(onDevice.modelBytes + onDevice.contextBytes + onDevice.computeBytes);
            expect(run.description.settings.sizing.budget.kind).toBe("vram");
            // The sizing's compute estimate covers what llama.cpp allocated, device and host.
            const computeBytes = placement.memory.reduce((sum, entry) => sum + entry.computeBytes, 0);
            expect(computeBytes).toBeLessThanOrEqual(run.description.settings.sizing.computeBytesEstimate);
        }
    });

    it("holds F32 arithmetic, an F32 KV cache and flash attention off on the device", (context) => {
        requireDevice(context);
        for (const [run, preset] of [
            [output.tiny, testModelPresets.tiny],
            [output.mid, testModelPresets.mid]
        ] as const) {
            const { precision, placement, settings } = run.description;
            expect(precision).toMatchObject({ weights: "F32", kvCache: "f32", flashAttention: false, arithmetic: { mode: "f32" } });
            expect(precision.arithmetic.switches).toContainEqual(expect.objectContaining({ name: "GGML_VK_DISABLE_F16", value: expect.any(String) }));
            // llama.cpp's own accounting of the KV cache on the device: F32 (4 bytes) K and V for
            // every cell of every slot. With flash attention on it would be F16 (half of this).
            const cells = settings.sizing.kvBytes / settings.slots / (4 * preset.blockCount * preset.headCountKv * 2 * preset.headDim);
            expect(Number.isInteger(cells) && cells % 256 === 0).toBe(true);
            const onDevice = placement.memory.find((entry) => entry.device === placement.devices[0]!.name && !entry.host)!;
            expect(onDevice.contextBytes).toBe(settings.slots * cells * 4 * preset.blockCount * preset.headCountKv * 2 * preset.headDim);
        }
        expect(output.warnings).toEqual([]);
    });

    it("scores the golden pairs within the measured tolerance of the float64 reference (tiny)", (context) => {
        requireDevice(context);
        expect(output.tiny.scores.length).toBe(goldenPairs.length);
        const error = maxReferenceError(output.tiny, testModels.tiny);
        console.log(`Vulkan tiny: max |score - reference| ${error.toExponential(2)} over ${goldenPairs.length} pairs`);
        expect(error).toBeLessThanOrEqual(vulkanReferenceTolerance);
    });

    it("scores within the measured tolerance of the float64 reference (mid, grouped-query attention)", (context) => {
        requireDevice(context);
        const error = maxReferenceError(output.mid, testModels.mid);
        console.log(`Vulkan mid: max |score - reference| ${error.toExponential(2)} over ${midPairs.length} pairs`);
        expect(error).toBeLessThanOrEqual(vulkanReferenceTolerance);
    });

    it("scores a pair packed with others as it scores it alone", (context) => {
        requireDevice(context);
        const differences = output.tiny.alone.map((alone, i) => Math.abs(alone - output.tiny.packed[i]!));
        console.log(`Vulkan packed vs alone: max ${Math.max(...differences).toExponential(2)}`);
        expect(Math.max(...differences)).toBeLessThanOrEqual(vulkanPackingTolerance);
    });

    it("shares the query prefix on the GPU: (P - 1) x prefix length fewer tokens, the same scores", (context) => {
        requireDevice(context);
        const { tokens, shared, unshared, sharedStats, unsharedStats } = output.prefix;
        let prefixLength = 0;
        while (tokens.every((sequence) => sequence[prefixLength] === tokens[0]![prefixLength])) prefixLength++;
        expect(prefixLength).toBeGreaterThan(5);
        const total = tokens.reduce((sum, sequence) => sum + sequence.length, 0);
        expect(unsharedStats.tokensEvaluated).toBe(total);
        expect(sharedStats.tokensEvaluated).toBe(total - (tokens.length - 1) * prefixLength);
        console.log(`Vulkan shared vs unshared prefix: max ${Math.max(...shared.map((score, i) => Math.abs(score - unshared[i]!))).toExponential(2)}`);
        shared.forEach((score, i) => expect(Math.abs(score - unshared[i]!)).toBeLessThanOrEqual(vulkanPackingTolerance));
    });

    it("turns an overflowing model's non-finite logit into NonFiniteScoreError on the GPU, and stays usable", (context) => {
        requireDevice(context);
        expect(output.overflow.code).toBe("ERR_NON_FINITE_SCORE");
        expect(output.overflow.message).toMatch(/non-finite score \((NaN|-?Infinity)\) for pair 0; profile bge-reranker-v2-gemma, weights F32, KV cache F32/);
        expect(output.overflow.afterError).toBe("ERR_NON_FINITE_SCORE");
    });

    it("llm-rerank bench --gpu vulkan --quick passes its exact checks (token counts, scores) and names the device", async (context) => {
        requireDevice(context);
        const jsonPath = path.join(mkdtempSync(path.join(tmpdir(), "llm-rerank-vulkan-bench-")), "bench.json");
        await promisify(execFile)(
            process.execPath,
            [
                "dist/cli/cli.js",
                "bench",
                "--gpu",
                "vulkan",
                "--quick",
                "--short",
                "--passages",
                "4",
                "--model",
                testModels.tiny,
                "--no-build-compare",
                "--json",
                jsonPath
            ],
            { env: { ...process.env, GGML_VK_VISIBLE_DEVICES: "0" }, timeout: 300_000 }
        );
        const report = JSON.parse(readFileSync(jsonPath, "utf8"));
        expect(report.backend).toMatchObject({ gpu: "vulkan", binary: "vulkan" });
        expect(report.backend.devices).toEqual([expect.stringMatching(/^Vulkan0 \S/)]);
        expect(report.backend.deviceBytesUsed).toBeGreaterThan(0);
        expect(report.contenders).toHaveLength(4);
        expect(report.checks.length).toBeGreaterThanOrEqual(4);
        for (const check of report.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
    }, 300_000);
});
