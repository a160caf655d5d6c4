import { beforeAll, describe, expect, it } from "vitest";
import { qwen3TinyShape } from "../../../src/testModel/Qwen3Shape.js";
import { Qwen3Reference, silu } from "../../reference/qwen3/Qwen3Reference.js";
import { hfEncode, modelCard } from "../../qwen3/modelCardInput.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";

describe("Qwen3Reference", () => {
    let reference: Qwen3Reference;
    beforeAll(async () => {
        reference = Qwen3Reference.open(await ensureQwen3TinyModel());
    });

    it("reads the hyperparameters the generator wrote", () => {
        expect(reference.config).toMatchObject({
            nEmbd: qwen3TinyShape.embeddingLength,
            nLayer: qwen3TinyShape.blockCount,
            nHead: qwen3TinyShape.headCount,
            nHeadKv: qwen3TinyShape.headCountKv,
            headDim: qwen3TinyShape.headDim,
            nFf: qwen3TinyShape.feedForwardLength,
            rmsEps: Math.fround(qwen3TinyShape.rmsNormEpsilon),
            ropeBase: qwen3TinyShape.ropeFreqBase,
            nVocab: 151669
        });
    });

    it("computes SiLU as x·sigmoid(x)", () => {
        expect(silu(0)).toBe(0);
        expect(silu(1)).toBeCloseTo(0.7310585786300049, 15);
        expect(silu(-2)).toBeCloseTo(-0.23840584404423515, 15);
    });

    it("is causal: a position's state ignores later tokens", () => {
        const tokens = hfEncode(modelCard.prefix + modelCard.message(modelCard.instruction, "q", "a document") + modelCard.suffix);
        const all = reference.allHidden(tokens);
        const n = reference.config.nEmbd;
        for (const t of [0, 7, 40, tokens.length - 1]) {
            const alone = reference.lastHidden(tokens.slice(0, t + 1));
            const row = all.subarray(t * n, (t + 1) * n);
            expect(Math.max(...alone.map((v, i) => Math.abs(v - row[i]!)))).toBeLessThan(1e-12);
        }
    });

    it("gives the final state unit RMS before output_norm's weights (around 1) scale it", () => {
        const hidden = reference.lastHidden(hfEncode("Hello world"));
        const rms = Math.sqrt(hidden.reduce((sum, v) => sum + v * v, 0) / hidden.length);
        expect(rms).toBeGreaterThan(0.8);
        expect(rms).toBeLessThan(1.2);
    });
});
