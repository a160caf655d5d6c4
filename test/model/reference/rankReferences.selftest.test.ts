import { describe, expect, it } from "vitest";
import { ensureBertTinyModel } from "../../bert/bertTestModel.js";
import { ensureQwen3TiedRankModel, ensureQwen3UntiedRankModel } from "../../qwen3/qwen3RankTestModels.js";
import { BertReference, layerNormInPlace } from "../../reference/bert/BertReference.js";
import { erf, gelu, roundToFloat16 } from "../../reference/bert/gelu.js";
import { Qwen3RankHead } from "../../reference/qwen3/Qwen3RankHead.js";

describe("the rank references' building blocks", () => {
    it("computes erf to double precision", () => {
        // values from the defining integral (Abramowitz & Stegun table 7.1, extended precision)
        const known: [number, number][] = [
            [0.1, 0.1124629160182849],
            [0.5, 0.5204998778130465],
            [1, 0.8427007929497149],
            [2, 0.9953222650189527],
            [2.5, 0.999593047982555],
            [3, 0.9999779095030014],
            [4, 0.9999999845827421]
        ];
        for (const [x, value] of known) {
            expect(Math.abs(erf(x) - value)).toBeLessThan(2e-15);
            expect(erf(-x)).toBe(-erf(x));
        }
    });

    it("rounds to binary16 to nearest, ties to even, with subnormals", () => {
        expect(roundToFloat16(1)).toBe(1);
        expect(roundToFloat16(1 + 2 ** -11)).toBe(1); // tie, 1 is even
        expect(roundToFloat16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // tie, rounds up to even
        expect(roundToFloat16(1 + 2 ** -11 + 2 ** -20)).toBe(1 + 2 ** -10);
        expect(roundToFloat16(65504)).toBe(65504);
        expect(roundToFloat16(70000)).toBe(Infinity);
        expect(roundToFloat16(3 * 2 ** -25)).toBe(2 ** -23); // subnormal tie to even (2 quanta)
        expect(roundToFloat16(-0.1)).toBe(-0.0999755859375);
    });

    it("has the three GELUs agree where they should and differ where llama.cpp's does", () => {
        for (const x of [-3, -1, -0.2, 0, 0.3, 1, 2.5]) {
            expect(Math.abs(gelu("erf")(x) - gelu("tanh")(x))).toBeLessThan(1e-3);
            expect(Math.abs(gelu("ggml-cpu-f16-table")(x) - gelu("tanh")(x))).toBeLessThan(2e-3);
        }
        expect(gelu("erf")(1)).toBeCloseTo(0.8413447460685429, 15);
        expect(gelu("ggml-cpu-f16-table")(-12)).toBe(0);
        expect(gelu("ggml-cpu-f16-table")(12)).toBe(12);
    });

    it("layer-normalizes to zero mean and unit variance before the affine part", () => {
        const x = Float64Array.from([1, 2, 3, 10]);
        layerNormInPlace(x, 0, 4, { weight: new Float64Array(4).fill(1), bias: new Float64Array(4) }, 0);
        expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 14);
        expect(x.reduce((a, b) => a + b * b, 0) / 4).toBeCloseTo(1, 14);
    });
});

describe("the XLM-R (bert) reference on bert-tiny", () => {
    it("attends both ways, reads positions, and pools the first token", async () => {
        const reference = BertReference.open(await ensureBertTinyModel());
        const tokens = [0, 500, 600, 700, 2, 2, 800, 900, 2];
        const base = reference.logits(tokens)[0]!;
        // a later token changes the first position's state: the encoder is not causal
        expect(reference.logits([...tokens.slice(0, -2), 1000, 2])[0]).not.toBeCloseTo(base, 6);
        // two tokens swapped: only the position embeddings tell the orders apart
        const swapped = [...tokens];
        [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
        expect(reference.logits(swapped)[0]).not.toBeCloseTo(base, 6);
        expect(Number.isFinite(base)).toBe(true);
        expect(reference.logits(tokens, "tanh")[0]).not.toBe(base);
        expect(() => reference.logits(new Array(reference.positions + 1).fill(5))).toThrow(/positions/);
    });
});

describe("the Qwen3 rank head on the float64 Qwen3 reference", () => {
    it("equals the softmax over the yes/no logits on the tied file", async () => {
        const head = Qwen3RankHead.open(await ensureQwen3TiedRankModel());
        const vocabulary = head.reference.gguf.get("tokenizer.ggml.tokens") as string[];
        const [yes, no] = [vocabulary.indexOf("yes"), vocabulary.indexOf("no")];
        const tokens = [100, 2000, 30000, 400, 50];
        const [yesLogit, noLogit] = head.reference.lastLogits(tokens, [yes, no]);
        const { probabilities, logits } = head.scores(tokens);
        expect(logits[0]).toBe(yesLogit);
        expect(logits[1]).toBe(noLogit);
        expect(probabilities[0]).toBeCloseTo(Math.exp(yesLogit!) / (Math.exp(yesLogit!) + Math.exp(noLogit!)), 14);
    });

    it("reads the untied file's own head rows, which differ from the embeddings", async () => {
        const head = Qwen3RankHead.open(await ensureQwen3UntiedRankModel());
        const vocabulary = head.reference.gguf.get("tokenizer.ggml.tokens") as string[];
        const tokens = [100, 2000, 30000, 400, 50];
        const viaEmbeddings = head.reference.lastLogits(tokens, [vocabulary.indexOf("yes"), vocabulary.indexOf("no")]);
        expect(head.scores(tokens).logits[0]).not.toBeCloseTo(viaEmbeddings[0]!, 3);
        expect(head.reference.gguf.hasTensor("output.weight")).toBe(false);
    });
});
