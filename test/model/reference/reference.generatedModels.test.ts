import { getLlama, LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPresets } from "../../../src/testModel/TestModelPreset.js";
import { testModels } from "../../helpers/testModels.js";
import { GemmaReference } from "../../reference/GemmaReference.js";

const bosTokenId = 2;

const texts = [
    "Hello",
    "A: what is the capital of France?\nB: Paris is the capital and most populous city of France.\n" +
        "Given a query A and a passage B, determine whether the passage contains an answer to the query " +
        "by providing a prediction of either 'Yes' or 'No'.",
    "日本語のテキストも試してみます。",
    "def add(a, b):\n    return a + b\n",
    "Yes"
];

describe.each([
    ["tiny", testModels.tiny],
    ["mid", testModels.mid]
] as const)("GemmaReference on the generated %s model", (preset, modelPath) => {
    let reference: GemmaReference;
    let model: LlamaModel;

    beforeAll(async () => {
        reference = GemmaReference.open(modelPath);
        const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
        model = await llama.loadModel({ modelPath });
    });
    afterAll(async () => {
        await model?.dispose();
    });

    it("reads the hyperparameters the preset was written with", () => {
        const shape = testModelPresets[preset];
        expect(reference.config).toMatchObject({
            nEmbd: shape.embeddingLength,
            nLayer: shape.blockCount,
            nHead: shape.headCount,
            nHeadKv: shape.headCountKv,
            headDim: shape.headDim,
            valueDim: shape.headDim,
            nFf: shape.feedForwardLength,
            rmsEps: Math.fround(shape.rmsNormEpsilon),
            ropeBase: shape.ropeFreqBase,
            nVocab: 256000
        });
    });

    it("is causal on real-vocabulary input", () => {
        const tokens = [bosTokenId, ...model.tokenize(texts[1], false)].slice(0, 24);
        const all = reference.allHidden(tokens);
        const n = reference.config.nEmbd;
        for (const t of [0, 5, 23]) {
            const prefix = reference.lastHidden(tokens.slice(0, t + 1));
            const row = all.subarray(t * n, (t + 1) * n);
            expect(Math.max(...prefix.map((v, i) => Math.abs(v - row[i])))).toBeLessThan(1e-12);
        }
    });

    // llama.cpp returns softmax(raw logits), so log-probability ratios are its logit differences.
    // With an F32 KV cache the remaining gap is float32 arithmetic (and ggml's F16 GELU table),
    // measured at under 1e-3; 2e-3 leaves room without hiding a modelling error.
    it("matches llama.cpp (node-llama-cpp, CPU, F32 KV cache) in argmax and top-5 logit differences", async () => {
        const context = await model.createContext({
            contextSize: 512,
            sequences: 1,
            flashAttention: false,
            experimentalKvCacheKeyType: "F32",
            experimentalKvCacheValueType: "F32"
        });
        try {
            const sequence = context.getSequence();
            for (const text of texts) {
                const tokens = [bosTokenId, ...model.tokenize(text, false)];
                await sequence.clearHistory();
                const generator = sequence.evaluateWithMetadata(tokens as Token[], { probabilities: true }, { temperature: 0 });
                const { value: next } = await generator.next();
                await generator.return();
                if (!next) throw new Error("llama.cpp produced no token");

                const logits = reference.allLastLogits(tokens);
                const top = [...next.probabilities.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
                const llamaTop = top[0][0];
                const byReference = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
                if (logits[byReference[0]] - logits[byReference[1]] > 1e-2) expect(byReference[0]).toBe(llamaTop);
                for (const [id, probability] of top) {
                    const llamaDifference = Math.log(probability) - Math.log(top[0][1]);
                    expect(Math.abs(logits[id] - logits[llamaTop] - llamaDifference)).toBeLessThan(2e-3);
                }
            }
        } finally {
            await context.dispose();
        }
    });
});
