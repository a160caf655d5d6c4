import { describe, expect, it } from "vitest";
import { InsufficientMemoryError, Reranker } from "../../src/index.js";
import { checkWeightsFit, estimateComputeBytes, sizeContext, type SizingRequest } from "../../src/sizing/sizeContext.js";
import { cpuDefaultKvBytes } from "../../src/load/planContext.js";
import { testModels } from "../helpers/testModels.js";

const MiB = 2 ** 20;
const gemma2bShape = { embeddingLength: 2048, feedForwardLength: 16384, headCount: 8, vocabularySize: 256000 };

// A 24 GiB GPU with gemma-2b's shape in F32: weights ~10 GB, KV 18 layers × 1 KV head × 512 values.
function request(overrides: Partial<SizingRequest> = {}): SizingRequest {
    return {
        budget: { kind: "vram", devices: ["CUDA0 (test)"], freeBytes: 24 * 1024 * MiB, totalBytes: 24 * 1024 * MiB, source: "synthetic" },
        weightBytesOnDevice: 10_000 * MiB,
        kvBytesPerCell: 18 * 512 * 4,
        cellsPerSequence: 768,
        longestInput: 600,
        shape: gemma2bShape,
        ubatchSize: 512,
        onGpu: true,
        requestedSlots: undefined,
        defaultSlots: 64,
        requestedBatchSize: undefined,
        minDefaultBatchSize: 512,
        maxDefaultBatchSize: 8192,
        ...overrides
    };
}

describe("slots and batch size sized from free memory", () => {
    it("takes as many default slots as fit in half the memory left after the weights", () => {
        const sizing = sizeContext(request());
        const usable = Math.floor((24 * 1024 - 10_000) * MiB * 0.5);
        expect(sizing.usableBytes).toBe(usable);
        const needed = (slots: number) => slots * 768 * 18 * 512 * 4 + estimateComputeBytes(gemma2bShape, 512, 768, slots, true);
        expect(needed(sizing.slots)).toBeLessThanOrEqual(usable);
        expect(sizing.slots === 64 || needed(sizing.slots + 1) > usable).toBe(true);
        expect(sizing.reducedFrom).toBeUndefined();
        expect(sizing.batchSize).toBe(Math.min(8192, sizing.slots * 600));
        expect(sizing.reason).toMatch(/^default of up to 64 slots/);
    });

    it("caps the default at the backend's slot count when memory is plentiful", () => {
        const sizing = sizeContext(request({ budget: { ...request().budget, freeBytes: 80 * 1024 * MiB } }));
        expect(sizing.slots).toBe(64);
        expect(sizing.batchSize).toBe(8192);
    });

    it("gives fewer slots than requested when they do not fit, and says so", () => {
        // 12 GiB free: 2 GiB after the weights, 90% of it for a request.
        const sizing = sizeContext(request({ budget: { ...request().budget, freeBytes: 12 * 1024 * MiB }, requestedSlots: 200 }));
        expect(sizing.reducedFrom).toBe(200);
        expect(sizing.slots).toBeGreaterThan(0);
        expect(sizing.slots).toBeLessThan(200);
        expect(sizing.kvBytes + sizing.computeBytesEstimate).toBeLessThanOrEqual(sizing.usableBytes);
        expect(sizing.reason).toMatch(/^200 slots do not fit/);
    });

    it("keeps a requested batch size, and a request that fits", () => {
        const sizing = sizeContext(request({ requestedSlots: 8, requestedBatchSize: 1024 }));
        expect(sizing).toMatchObject({ slots: 8, batchSize: 1024 });
        expect(sizing.reason).toMatch(/^as requested/);
    });

    it("refuses, before llama.cpp allocates, weights or a single slot that do not fit", () => {
        const small = { ...request().budget, freeBytes: 8 * 1024 * MiB };
        expect(() => checkWeightsFit(small, 10_000 * MiB)).toThrow(InsufficientMemoryError);
        expect(() => sizeContext(request({ budget: small }))).toThrow(/do not fit/);
        const tight = { ...request().budget, freeBytes: 10_000 * MiB + 100 * MiB };
        const error = (() => {
            try {
                sizeContext(request({ budget: tight }));
            } catch (caught) {
                return caught as InsufficientMemoryError;
            }
        })();
        expect(error).toBeInstanceOf(InsufficientMemoryError);
        expect(error!.code).toBe("ERR_INSUFFICIENT_MEMORY");
        expect(error!.message).toMatch(/one KV slot/);
    });

    it("counts the op-offload copy of the output matrix on a GPU from 32 output rows", () => {
        const below = estimateComputeBytes(gemma2bShape, 512, 768, 31, true);
        const at = estimateComputeBytes(gemma2bShape, 512, 768, 32, true);
        expect(at - below).toBe(4 * 256000 + 4 * 256000 * 2048);
        expect(estimateComputeBytes(gemma2bShape, 512, 768, 32, false) - estimateComputeBytes(gemma2bShape, 512, 768, 31, false)).toBe(4 * 256000);
    });

    it("on a real load, sizes from RAM on the CPU and never under-estimates what llama.cpp allocated", async () => {
        for (const [model, slots] of [
            [testModels.tiny, undefined],
            [testModels.mid, 16]
        ] as const) {
            const reranker = await Reranker.load({ model, gpu: false, slots });
            try {
                const { settings } = reranker.describe();
                const placement = reranker.describe().placement!;
                expect(settings.sizing!.budget).toMatchObject({ kind: "ram", devices: ["system RAM"] });
                // The CPU default: as many slots as fit the default KV budget, 4 to 64.
                const defaultSlots = Math.min(64, Math.max(4, Math.floor(cpuDefaultKvBytes / settings.sizing!.kvBytesPerSlot)));
                expect(settings.slots).toBe(slots ?? defaultSlots);
                const allocated = placement.memory!.reduce((sum, entry) => sum + entry.computeBytes, 0);
                const kv = placement.memory!.reduce((sum, entry) => sum + entry.contextBytes, 0);
                // llama.cpp's own accounting: the KV cache is exactly what was sized, the compute
                // buffer at most the estimate (measured 1.05–2.9× over on CPU and llvmpipe).
                expect(kv).toBe(settings.sizing!.kvBytes);
                expect(allocated).toBeGreaterThan(0);
                expect(allocated).toBeLessThanOrEqual(settings.sizing!.computeBytesEstimate);
                expect(placement).toMatchObject({ devices: [], layersOffloaded: 0 });
            } finally {
                await reranker.dispose();
            }
        }
    });
});
