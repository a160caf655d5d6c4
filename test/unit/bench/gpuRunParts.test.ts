import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
    cpuAgreementTolerance,
    cpuF32ReferenceTolerance,
    cudaF32WeightsReferenceEstimate,
    vulkanF32ReferenceTolerance
} from "../../../src/bench/errorBudget.js";
import { GgmlType } from "../../../src/gguf/GgmlType.js";
import { GgufWriter } from "../../../src/gguf/GgufWriter.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-gpu-run-parts-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("GgufWriter progress (the GPU run's generation line)", () => {
    it("reports the bytes written after the header and after each tensor, ending at the file's size", async () => {
        // chunks of 100 elements: the 1000-element tensor takes ten fills, but progress comes per tensor
        const writer = new GgufWriter(100).setUint32("test.value", 7);
        const fill = (chunk: Float32Array, first: number) => chunk.forEach((_, i) => (chunk[i] = first + i));
        writer.addTensor({ name: "a", shape: [1000], type: GgmlType.F32, fill });
        writer.addTensor({ name: "b", shape: [3, 5], type: GgmlType.F32, fill });
        const calls: [number, number][] = [];
        const filePath = path.join(workDir, "progress.gguf");
        const written = await writer.writeToFile(filePath, (bytes, total) => calls.push([bytes, total]));
        expect(calls).toHaveLength(3);
        expect(new Set(calls.map(([, total]) => total))).toEqual(new Set([written]));
        expect(written).toBe(statSync(filePath).size);
        expect(written).toBe(writer.plannedByteLength());
        expect(calls.at(-1)![0]).toBe(written);
        // header, then tensor a (4000 bytes, padded to the alignment), then b
        expect(calls[1]![0] - calls[0]![0]).toBe(Math.ceil(4000 / writer.alignment) * writer.alignment);
        for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
    });
});

describe("cpuAgreementTolerance: |GPU − CPU| ≤ T_gpu + T_cpu", () => {
    it("adds Vulkan's measured F32 budget to the CPU's", () => {
        expect(cpuAgreementTolerance({ gpu: "vulkan", arithmetic: "f32", weightType: "F32" })).toEqual({
            tolerance: vulkanF32ReferenceTolerance + cpuF32ReferenceTolerance,
            gpuBudget: vulkanF32ReferenceTolerance,
            cpuBudget: cpuF32ReferenceTolerance,
            estimated: false
        });
    });

    it("uses CUDA's estimate, marked as one, only with TF32 off in cuBLAS", () => {
        expect(cpuAgreementTolerance({ gpu: "cuda", arithmetic: "mixed", weightType: "F32", cudaTf32Off: true })).toEqual({
            tolerance: cudaF32WeightsReferenceEstimate + cpuF32ReferenceTolerance,
            gpuBudget: cudaF32WeightsReferenceEstimate,
            cpuBudget: cpuF32ReferenceTolerance,
            estimated: true
        });
        expect(cpuAgreementTolerance({ gpu: "cuda", arithmetic: "mixed", weightType: "F32", cudaTf32Off: false })).toBeNull();
        expect(cpuAgreementTolerance({ gpu: "cuda", arithmetic: "mixed", weightType: "F32" })).toBeNull();
    });

    it("judges nothing where no budget applies: FP16 arithmetic, Metal, other weights, the CPU itself", () => {
        expect(cpuAgreementTolerance({ gpu: "vulkan", arithmetic: "mixed", weightType: "F32" })).toBeNull();
        expect(cpuAgreementTolerance({ gpu: "metal", arithmetic: "mixed", weightType: "F32" })).toBeNull();
        expect(cpuAgreementTolerance({ gpu: "vulkan", arithmetic: "f32", weightType: "BF16" })).toBeNull();
        expect(cpuAgreementTolerance({ gpu: "cuda", arithmetic: "mixed", weightType: "Q8_0", cudaTf32Off: true })).toBeNull();
        expect(cpuAgreementTolerance({ gpu: false, arithmetic: "f32", weightType: "F32" })).toBeNull();
    });
});
