import { describe, expect, it } from "vitest";
import { fillerBudget } from "../../../src/engine/fillerBudget.js";

// Shapes from the presets' configs: Gemma's 256,000-token vocabulary on the tiny (n_embd 64) and
// bench-width (n_embd 2048, 2 layers) models, and Qwen3-Reranker-0.6B (n_embd 1024, 151,669 tokens).
const tiny = { fileBytes: 72_624_352, parameterCount: 16_503_104, vocabularySize: 256_000, embeddingLength: 64, batchSize: 512 };
const qwen3 = { parameterCount: 595_778_560, vocabularySize: 151_669, embeddingLength: 1024, batchSize: 512 };

describe("fillerBudget", () => {
    it("lets a narrow model with a large vocabulary pad up to the whole batch", () => {
        expect(fillerBudget(tiny)).toBe(512);
        expect(fillerBudget({ ...tiny, batchSize: 64 })).toBe(64);
    });

    it("gives a 0.6B model a few tokens, fewer for a smaller file of the same shape", () => {
        const q8 = fillerBudget({ ...qwen3, fileBytes: 636_783_488 });
        const f32 = fillerBudget({ ...qwen3, fileBytes: 2_386_690_496 });
        expect(q8).toBeGreaterThan(0);
        expect(q8).toBeLessThan(16);
        expect(f32).toBeGreaterThan(q8);
        expect(f32).toBeLessThan(64);
    });

    it("is never negative, whatever the counts", () => {
        expect(fillerBudget({ fileBytes: 0, parameterCount: 10, vocabularySize: 100, embeddingLength: 10, batchSize: 512 })).toBe(0);
    });
});
