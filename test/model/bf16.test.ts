import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareScores } from "../../src/check/compareScores.js";
import { float32BitsToBfloat16Bits, float32ToBfloat16Bits } from "../../src/gguf/bfloat16.js";
import { Reranker, type RerankWarning } from "../../src/index.js";
import { SeededRandom } from "../../src/testModel/SeededRandom.js";
import { loadGoldenPairs } from "../helpers/goldenPairs.js";
import { bf16ReferenceTolerance } from "../helpers/bf16ReferenceTolerance.js";
import { testModels } from "../helpers/testModels.js";
import { bfloat16BitsToNumber } from "../reference/floatFormats.js";
import { GemmaReference } from "../reference/GemmaReference.js";

describe("float32 to bfloat16", () => {
    const bitsOf = (value: number) => new Uint32Array(new Float32Array([value]).buffer)[0]!;

    it("rounds every value to the nearest bfloat16, ties to even", () => {
        const random = new SeededRandom(7);
        const values = Array.from({ length: 20000 }, (_, i) => {
            const uniform = () => random.nextUint32() / 2 ** 32;
            const magnitude = 2 ** Math.floor(uniform() * 250 - 125);
            return (i % 2 ? -1 : 1) * magnitude * (1 + uniform());
        });
        // exact ties: a bfloat16 plus half its last place, with an even and an odd last bit
        values.push(1 + 2 ** -8, 1 + 3 * 2 ** -8, -(1 + 2 ** -8), -(1 + 3 * 2 ** -8));
        const halves = new Uint16Array(values.length);
        float32ToBfloat16Bits(new Float32Array(values), halves);
        const wrong = values.filter((value, i) => {
            const single = Math.fround(value);
            const chosen = halves[i]!;
            const error = Math.abs(bfloat16BitsToNumber(chosen) - single);
            return [chosen - 1, chosen + 1].some((neighbour) => {
                const other = Math.abs(bfloat16BitsToNumber(neighbour & 0xffff) - single);
                return other < error || (other === error && (chosen & 1) === 1);
            });
        });
        expect(wrong).toEqual([]);
        expect(bfloat16BitsToNumber(float32BitsToBfloat16Bits(bitsOf(1 + 2 ** -8)))).toBe(1);
        expect(bfloat16BitsToNumber(float32BitsToBfloat16Bits(bitsOf(1 + 3 * 2 ** -8)))).toBe(1 + 2 ** -6);
    });

    it("keeps infinities and NaN, and overflows only past the largest bfloat16", () => {
        expect(bfloat16BitsToNumber(float32BitsToBfloat16Bits(bitsOf(Infinity)))).toBe(Infinity);
        expect(bfloat16BitsToNumber(float32BitsToBfloat16Bits(bitsOf(-Infinity)))).toBe(-Infinity);
        // a NaN whose payload lies only in the dropped bits must not truncate to Infinity
        expect(bfloat16BitsToNumber(float32BitsToBfloat16Bits(0x7f800001))).toBeNaN();
        // 65504 is F16's largest value; 1e38 is far beyond it and stays finite in bfloat16
        expect(Math.abs(bfloat16BitsToNumber(float32BitsToBfloat16Bits(bitsOf(1e38))) / 1e38 - 1)).toBeLessThan(2 ** -8);
        expect(bfloat16BitsToNumber(float32BitsToBfloat16Bits(bitsOf(3.4028234663852886e38)))).toBe(Infinity);
    });
});

describe("BF16 weights", () => {
    const pairs = loadGoldenPairs();
    let warnings: RerankWarning[];
    let reranker: Reranker;
    let scores: number[];
    let inputs: number[][];
    let yesId: number;

    beforeAll(async () => {
        warnings = [];
        reranker = await Reranker.load({ model: testModels.tinyBf16, gpu: false, onWarning: (warning) => warnings.push(warning) });
        scores = await reranker.score(pairs);
        inputs = [];
        for (const [query, passage] of pairs) inputs.push(await reranker.buildInput(query, passage));
        yesId = reranker.describe().scoreTokens[0]!.id;
    });
    afterAll(() => reranker?.dispose());

    it("load with a warning that says BF16 cannot overflow like F16", () => {
        expect(warnings.map((w) => w.code)).toEqual(["LOW_PRECISION_WEIGHTS"]);
        expect(warnings[0]!.message).toMatch(/as BF16/);
        expect(warnings[0]!.message).toMatch(/unlike F16 it cannot overflow/);
        expect(reranker.describe().model).toMatchObject({ weightType: "BF16", tensorTypes: { BF16: 15, F32: 5 } });
    });

    it("score the golden pairs as the float64 reference reading the BF16 file does, within the measured tolerance", () => {
        const reference = GemmaReference.open(testModels.tinyBf16);
        const expected = inputs.map((tokens) => reference.lastLogits(tokens, [yesId])[0]!);
        const comparison = compareScores(
            pairs.map(([query]) => query),
            scores,
            expected,
            10
        );
        console.info(
            `BF16 tiny vs float64 reference of the BF16 file (${reranker.describe().backend.build}${reranker.describe().backend.blas ? ` + ${reranker.describe().backend.blas!.vendor}` : ""}): ` +
                `max ${comparison.maxAbsDiff.toExponential(2)} mean ${comparison.meanAbsDiff.toExponential(2)} τ ${comparison.kendallTau.toFixed(4)}`
        );
        expect(comparison.comparedPairs).toBe(pairs.length);
        expect(comparison.maxAbsDiff).toBeLessThanOrEqual(bf16ReferenceTolerance);
        // the F32 model's reference is a different function: BF16 storage alone moves the scores
        const f32Reference = GemmaReference.open(testModels.tiny);
        const storageShift = Math.max(...inputs.map((tokens, i) => Math.abs(f32Reference.lastLogits(tokens, [yesId])[0]! - expected[i]!)));
        expect(storageShift).toBeGreaterThan(1e-3);
    });

    it("stay finite with weights F16 arithmetic may overflow on, and F16 that cannot store its weights is refused as non-finite", async () => {
        const scaled = await Reranker.load({ model: testModels.tinyBf16Scaled, gpu: false, onWarning: () => undefined });
        try {
            const few = pairs.slice(0, 4);
            const got = await scaled.score(few);
            expect(got.every(Number.isFinite)).toBe(true);
            const reference = GemmaReference.open(testModels.tinyBf16Scaled);
            for (let i = 0; i < few.length; i++) {
                const expected = reference.lastLogits(await scaled.buildInput(few[i]![0], few[i]![1]), [yesId])[0]!;
                expect(Math.abs(got[i]! - expected)).toBeLessThanOrEqual(bf16ReferenceTolerance);
            }
        } finally {
            await scaled.dispose();
        }
        const f16 = await Reranker.load({ model: testModels.tinyOverflow, gpu: false, onWarning: () => undefined });
        await expect(f16.score(pairs.slice(0, 1))).rejects.toThrow(/non-finite/);
        await f16.dispose();
    });
});
