import { describe, expect, it } from "vitest";
import { GemmaReference, geluTanh } from "../../reference/GemmaReference.js";
import { GgufFile, GgufValueType } from "../../reference/GgufFile.js";
import { bfloat16BitsToNumber, float16BitsToNumber } from "../../reference/floatFormats.js";
import { applyNeoxRope, kvHeadForQueryHead, rmsNorm, ropeInverseFrequencies } from "../../reference/transformerMath.js";
import { TinyGgufWriter } from "../../reference/TinyGgufWriter.js";
import { randomGemmaTensors, writeGemmaGguf, type TinyGemmaShape, type TinyTensor } from "../../reference/tinyGemmaModel.js";

const referenceFrom = (bytes: Uint8Array) => new GemmaReference(GgufFile.fromBytes(bytes));

/** Plain re-statement of RMSNorm for the hand computations below. */
function handRmsNorm(x: number[], weight: number[], eps: number): number[] {
    const meanSquare = x.reduce((s, v) => s + v * v, 0) / x.length;
    return x.map((v, i) => (v / Math.sqrt(meanSquare + eps)) * weight[i]);
}

function identity(n: number): Float64Array {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) m[i * n + i] = 1;
    return m;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
    expect(actual.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) {
        if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
            throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tolerance})`);
        }
    }
}

describe("GgufFile", () => {
    it("round-trips every metadata value type and honours general.alignment", () => {
        const bytes = new TinyGgufWriter(64)
            .scalar("general.alignment", GgufValueType.UINT32, 64)
            .scalar("u8", GgufValueType.UINT8, 250)
            .scalar("i8", GgufValueType.INT8, -7)
            .scalar("u16", GgufValueType.UINT16, 65000)
            .scalar("i16", GgufValueType.INT16, -30000)
            .scalar("i32", GgufValueType.INT32, -2000000000)
            .scalar("f32", GgufValueType.FLOAT32, 0.1)
            .scalar("bool", GgufValueType.BOOL, true)
            .scalar("str", GgufValueType.STRING, "héllo ▁Yes")
            .scalar("u64", GgufValueType.UINT64, 2n ** 63n + 5n)
            .scalar("i64", GgufValueType.INT64, -(2n ** 40n))
            .scalar("f64", GgufValueType.FLOAT64, Math.PI)
            .array("arr.str", GgufValueType.STRING, ["<pad>", "<eos>", "Yes"])
            .array("arr.i32", GgufValueType.INT32, [1, -2, 3])
            .tensorF32("a", [3], [1, 2, 3])
            .tensorF32("b", [2, 2], [0.5, -1.5, 2.25, 4])
            .toBytes();
        const file = GgufFile.fromBytes(bytes);
        expect(file.version).toBe(3);
        expect(file.alignment).toBe(64);
        expect(file.get("u8")).toBe(250);
        expect(file.get("i8")).toBe(-7);
        expect(file.get("u16")).toBe(65000);
        expect(file.get("i16")).toBe(-30000);
        expect(file.get("i32")).toBe(-2000000000);
        expect(file.get("f32")).toBe(Math.fround(0.1));
        expect(file.get("bool")).toBe(true);
        expect(file.get("str")).toBe("héllo ▁Yes");
        expect(file.get("u64")).toBe(2n ** 63n + 5n);
        expect(file.get("i64")).toBe(-(2n ** 40n));
        expect(file.get("f64")).toBe(Math.PI);
        expect(file.get("arr.str")).toEqual(["<pad>", "<eos>", "Yes"]);
        expect(file.get("arr.i32")).toEqual([1, -2, 3]);
        expect(file.tensor("b").fileOffset % 64).toBe(0);
        expect(file.tensor("b").fileOffset - file.tensor("a").fileOffset).toBe(64);
        expect([...file.tensorFloat64("b")]).toEqual([0.5, -1.5, 2.25, 4]);
        expect([...file.readRow("b", 1)]).toEqual([2.25, 4]);
        expect(() => file.readRow("b", 2)).toThrow(/out of range/);
    });

    it("uses 32-byte alignment when general.alignment is absent", () => {
        const file = GgufFile.fromBytes(new TinyGgufWriter(32).tensorF32("a", [1], [1]).tensorF32("b", [1], [2]).toBytes());
        expect(file.alignment).toBe(32);
        expect(file.tensor("b").fileOffset - file.tensor("a").fileOffset).toBe(32);
        expect(file.tensorFloat64("b")[0]).toBe(2);
    });

    it("decodes F16 and BF16 tensors exactly", () => {
        const values = [0, -0, 1, -2, 0.5, 65504, 6.103515625e-5, -0.0009765625, 3.140625];
        const file = GgufFile.fromBytes(
            new TinyGgufWriter()
                .tensorF16("h", [values.length], values)
                .tensorBF16("b", [3], [1, -3.5, 2 ** -100])
                .toBytes()
        );
        expect([...file.tensorFloat64("h")]).toEqual(values);
        expect([...file.tensorFloat64("b")]).toEqual([1, -3.5, 2 ** -100]);
    });

    it("decodes binary16 and bfloat16 bit patterns, including edge cases", () => {
        expect(float16BitsToNumber(0x3c00)).toBe(1);
        expect(float16BitsToNumber(0xc000)).toBe(-2);
        expect(float16BitsToNumber(0x7bff)).toBe(65504);
        expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
        expect(float16BitsToNumber(0x03ff)).toBe(1023 * 2 ** -24);
        expect(float16BitsToNumber(0x7c00)).toBe(Infinity);
        expect(float16BitsToNumber(0x7e00)).toBeNaN();
        expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
        expect(bfloat16BitsToNumber(0xc0a0)).toBe(-5);
    });

    it("parses quantised tensor infos but refuses to decode their data", () => {
        const file = GgufFile.fromBytes(new TinyGgufWriter().tensorRaw("q", [32], 2, new Uint8Array(18)).toBytes());
        expect(file.tensor("q").type).toBe(2);
        expect(() => file.tensorFloat64("q")).toThrow(/F32, F16 and BF16/);
    });

    it("rejects bad magic, GGUF v1 and truncated files", () => {
        const good = new TinyGgufWriter().scalar("k", GgufValueType.STRING, "v").toBytes();
        const badMagic = good.slice();
        badMagic[0] = 0x47 + 1;
        expect(() => GgufFile.fromBytes(badMagic)).toThrow(/not a GGUF/);
        expect(() => GgufFile.fromBytes(new TinyGgufWriter(32, 1).toBytes())).toThrow(/version 1/);
        expect(() => GgufFile.fromBytes(good.subarray(0, 45) /* cut inside the value string */)).toThrow(/truncated/);
    });
});

describe("Transformer math", () => {
    it("RMSNorm matches a hand computation", () => {
        const out = new Float64Array(4);
        rmsNorm(Float64Array.from([1, 2, 3, 4]), 0, 4, Float64Array.from([1, 2, 0.5, -1]), 0, out, 0);
        const r = Math.sqrt(7.5); // mean of 1, 4, 9, 16
        expectClose(out, [1 / r, 4 / r, 1.5 / r, -4 / r], 1e-15);
        rmsNorm(Float64Array.from([9, 3, 4]), 1, 2, Float64Array.from([1, 1]), 0.5, out, 1);
        expectClose(out.subarray(1, 3), [3 / Math.sqrt(13), 4 / Math.sqrt(13)], 1e-15); // mean square 12.5, plus eps 0.5
    });

    it("GELU (tanh form) matches known values", () => {
        expect(geluTanh(0)).toBe(0);
        expect(geluTanh(1)).toBeCloseTo(0.8411919906082768, 14);
        expect(geluTanh(-1)).toBeCloseTo(-0.15880800939172324, 14);
        expect(geluTanh(2)).toBeCloseTo(1.954597694087775, 14);
        expect(geluTanh(10)).toBeCloseTo(10, 12);
        expect(geluTanh(-10)).toBeCloseTo(0, 12);
    });

    it("NEOX RoPE rotates pairs (i, i + d/2) by pos * base^(-2i/d)", () => {
        const inv = ropeInverseFrequencies(4, 10000);
        expectClose(inv, [1, 0.01], 1e-15);
        const v = Float64Array.from([1, 2, 3, 4]);
        applyNeoxRope(v, 0, 4, 0, inv);
        expect([...v]).toEqual([1, 2, 3, 4]);
        applyNeoxRope(v, 0, 4, 3, inv);
        const [c0, s0, c1, s1] = [Math.cos(3), Math.sin(3), Math.cos(0.03), Math.sin(0.03)];
        expectClose(v, [1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 3 * c0 + 1 * s0, 4 * c1 + 2 * s1], 1e-15);
    });

    it("RoPE scores depend only on relative position", () => {
        const inv = ropeInverseFrequencies(8, 10000);
        const score = (m: number, n: number) => {
            const q = Float64Array.from([0.3, -1, 2, 0.5, 0.7, -0.2, 1.1, 0.9]);
            const k = Float64Array.from([1.2, 0.4, -0.6, 0.8, -1.5, 0.3, 0.2, -0.9]);
            applyNeoxRope(q, 0, 8, m, inv);
            applyNeoxRope(k, 0, 8, n, inv);
            return q.reduce((s, x, i) => s + x * k[i], 0);
        };
        expect(score(7, 3)).toBeCloseTo(score(104, 100), 12);
        expect(Math.abs(score(7, 3) - score(7, 4))).toBeGreaterThan(1e-3);
    });

    it("maps query heads to KV heads in contiguous groups", () => {
        expect([0, 1, 2, 3].map((h) => kvHeadForQueryHead(h, 4, 2))).toEqual([0, 0, 1, 1]);
        expect([0, 1, 2, 3, 4, 5].map((h) => kvHeadForQueryHead(h, 6, 3))).toEqual([0, 0, 1, 1, 2, 2]);
        expect([0, 1, 2, 3].map((h) => kvHeadForQueryHead(h, 4, 1))).toEqual([0, 0, 0, 0]);
        expect([0, 1, 2].map((h) => kvHeadForQueryHead(h, 3, 3))).toEqual([0, 1, 2]);
        expect(() => kvHeadForQueryHead(0, 4, 3)).toThrow();
    });
});

const tinyShape: TinyGemmaShape = { nVocab: 16, nEmbd: 8, nLayer: 2, nHead: 4, nHeadKv: 2, headDim: 4, nFf: 12 };

describe("GemmaReference on hand-built models", () => {
    it("one token through identity attention and GeGLU matches a hand computation", () => {
        const shape: TinyGemmaShape = { nVocab: 4, nEmbd: 8, nLayer: 1, nHead: 1, nHeadKv: 1, headDim: 8, nFf: 8 };
        const tensors = randomGemmaTensors(shape, 11);
        const set = (name: string, values: Float64Array) => {
            tensors.get(name)!.values = values;
        };
        set("blk.0.attn_v.weight", identity(8));
        set("blk.0.attn_output.weight", identity(8));
        set("blk.0.ffn_gate.weight", identity(8));
        set(
            "blk.0.ffn_up.weight",
            identity(8).map((v) => 2 * v)
        );
        set("blk.0.ffn_down.weight", identity(8));
        const w = (name: string) => [...tensors.get(name)!.values];
        const eps = Math.fround(1e-6);
        const token = 3;
        const x = w("token_embd.weight")
            .slice(token * 8, token * 8 + 8)
            .map((v) => v * Math.sqrt(8));
        // With a single position softmax is 1, so attention returns V·norm(x) whatever Q and K are.
        const h1 = handRmsNorm(x, w("blk.0.attn_norm.weight"), eps).map((a, i) => x[i] + a);
        const n = handRmsNorm(h1, w("blk.0.ffn_norm.weight"), eps);
        // gelu on the gate branch, linear on the up branch: swapping them would give gelu(2n)·n.
        const h2 = h1.map((v, i) => v + geluTanh(n[i]) * 2 * n[i]);
        const expected = handRmsNorm(h2, w("output_norm.weight"), eps);

        const reference = referenceFrom(writeGemmaGguf(shape, tensors));
        expectClose(reference.lastHidden([token]), expected, 1e-12);
        const embedding = w("token_embd.weight");
        const expectedLogits = [0, 1, 2, 3].map((id) => expected.reduce((s, v, i) => s + v * embedding[id * 8 + i], 0));
        expectClose(reference.lastLogits([token], [0, 1, 2, 3]), expectedLogits, 1e-12);
    });

    it("two tokens: causal softmax attention with RoPE and 1/sqrt(head_dim) matches a hand computation", () => {
        const shape: TinyGemmaShape = { nVocab: 3, nEmbd: 2, nLayer: 1, nHead: 1, nHeadKv: 1, headDim: 2, nFf: 2 };
        const tensors = randomGemmaTensors(shape, 5);
        for (const name of ["attn_q", "attn_k", "attn_v", "attn_output"]) tensors.get(`blk.0.${name}.weight`)!.values = identity(2);
        tensors.get("blk.0.ffn_down.weight")!.values = new Float64Array(4); // switch the FFN off
        for (const name of ["blk.0.attn_norm.weight", "output_norm.weight"]) tensors.get(name)!.values = Float64Array.from([1, 1]);
        tensors.get("token_embd.weight")!.values = Float64Array.from([0.5, 0.25, -0.75, 1, 0.125, -1]);
        const eps = Math.fround(1e-6);
        const x0 = [0.5, 0.25].map((v) => v * Math.SQRT2);
        const x1 = [-0.75, 1].map((v) => v * Math.SQRT2);
        const n0 = handRmsNorm(x0, [1, 1], eps);
        const n1 = handRmsNorm(x1, [1, 1], eps);
        // head_dim 2 is one pair with frequency 1: position 1 is a rotation by one radian.
        const rotated = [n1[0] * Math.cos(1) - n1[1] * Math.sin(1), n1[1] * Math.cos(1) + n1[0] * Math.sin(1)];
        const s0 = (rotated[0] * n0[0] + rotated[1] * n0[1]) / Math.SQRT2;
        const s1 = (n1[0] * n1[0] + n1[1] * n1[1]) / Math.SQRT2;
        const p0 = Math.exp(s0) / (Math.exp(s0) + Math.exp(s1));
        const h1 = x1.map((v, i) => v + p0 * n0[i] + (1 - p0) * n1[i]);
        const h0 = x0.map((v, i) => v + n0[i]); // position 0 sees only itself

        const reference = referenceFrom(writeGemmaGguf(shape, tensors));
        const all = reference.allHidden([0, 1]);
        expectClose(all.subarray(0, 2), handRmsNorm(h0, [1, 1], eps), 1e-12);
        expectClose(all.subarray(2, 4), handRmsNorm(h1, [1, 1], eps), 1e-12);
        expectClose(reference.lastHidden([0, 1]), handRmsNorm(h1, [1, 1], eps), 1e-12);
    });

    it("is causal: position t of a long input equals the last position of its prefix", () => {
        const reference = referenceFrom(writeGemmaGguf(tinyShape, randomGemmaTensors(tinyShape, 1)));
        const tokens = [2, 7, 7, 1, 15, 0, 9, 4];
        const all = reference.allHidden(tokens);
        for (let t = 0; t < tokens.length; t++) {
            expectClose(all.subarray(t * 8, t * 8 + 8), reference.lastHidden(tokens.slice(0, t + 1)), 1e-12);
        }
        const changedLast = reference.allHidden([...tokens.slice(0, -1), 11]);
        expect([...changedLast.subarray(0, 56)]).toEqual([...all.subarray(0, 56)]);
        expect(Math.abs(changedLast[60] - all[60])).toBeGreaterThan(1e-6);
    });

    it("is deterministic and consistent between lastLogits and allLastLogits", () => {
        const bytes = writeGemmaGguf(tinyShape, randomGemmaTensors(tinyShape, 2));
        const tokens = [2, 5, 9, 3, 3, 12];
        const ids = [0, 5, 15, 9];
        const first = referenceFrom(bytes).lastLogits(tokens, ids);
        expect(referenceFrom(bytes).lastLogits(tokens, ids)).toEqual(first);
        const reference = referenceFrom(bytes);
        expect(reference.lastLogits(tokens, ids)).toEqual(reference.lastLogits(tokens, ids));
        const all = reference.allLastLogits(tokens);
        expect(all.length).toBe(16);
        expect(ids.map((id) => all[id])).toEqual(first);
    });

    it("gives identical logits from F16 and F32 storage of the same (F16-exact) weights", () => {
        const tensors = randomGemmaTensors(tinyShape, 3);
        const tokens = [1, 4, 8, 12];
        const fromF32 = referenceFrom(writeGemmaGguf(tinyShape, tensors, "f32")).allLastLogits(tokens);
        const fromF16 = referenceFrom(writeGemmaGguf(tinyShape, tensors, "f16")).allLastLogits(tokens);
        expect([...fromF16]).toEqual([...fromF32]);
    });

    it("shares KV heads in contiguous groups: GQA equals MHA with K/V heads copied by floor(h / group)", () => {
        const tensors = randomGemmaTensors(tinyShape, 4);
        const mhaShape = { ...tinyShape, nHeadKv: tinyShape.nHead };
        const expandKv = (mapping: (h: number) => number) => {
            const expanded = new Map<string, TinyTensor>();
            for (const [name, tensor] of tensors) {
                if (!/attn_[kv]\.weight$/.test(name)) {
                    expanded.set(name, tensor);
                    continue;
                }
                const rowValues = tinyShape.nEmbd * tinyShape.headDim; // one head's rows
                const values = new Float64Array(tinyShape.nHead * rowValues);
                for (let h = 0; h < tinyShape.nHead; h++) {
                    values.set(tensor.values.subarray(mapping(h) * rowValues, (mapping(h) + 1) * rowValues), h * rowValues);
                }
                expanded.set(name, { dims: [tinyShape.nEmbd, tinyShape.nHead * tinyShape.headDim], values });
            }
            return referenceFrom(writeGemmaGguf(mhaShape, expanded));
        };
        const tokens = [3, 1, 4, 1, 5, 9, 2, 6];
        const gqa = referenceFrom(writeGemmaGguf(tinyShape, tensors)).allLastLogits(tokens);
        expectClose(expandKv((h) => Math.floor(h / 2)).allLastLogits(tokens), gqa, 1e-12);
        const interleaved = expandKv((h) => h % 2).allLastLogits(tokens);
        expect(Math.max(...gqa.map((v, i) => Math.abs(v - interleaved[i])))).toBeGreaterThan(1e-4);
    });

    it("uses output.weight instead of the tied embedding when the file has one", () => {
        const tensors = randomGemmaTensors(tinyShape, 6);
        const outputValues = randomGemmaTensors(tinyShape, 7).get("token_embd.weight")!.values;
        tensors.set("output.weight", { dims: [8, 16], values: outputValues });
        const reference = referenceFrom(writeGemmaGguf(tinyShape, tensors));
        const tokens = [1, 2, 3];
        const hidden = reference.lastHidden(tokens);
        const expected = [0, 7, 15].map((id) => hidden.reduce((s, v, i) => s + v * outputValues[id * 8 + i], 0));
        expectClose(reference.lastLogits(tokens, [0, 7, 15]), expected, 1e-12);
    });

    it("refuses files it would silently misread", () => {
        const tensors = randomGemmaTensors(tinyShape, 8);
        tensors.set("blk.0.attn_q.bias", { dims: [16], values: new Float64Array(16) });
        expect(() => referenceFrom(writeGemmaGguf(tinyShape, tensors))).toThrow(/attn_q\.bias/);
        const wrongShape = randomGemmaTensors(tinyShape, 8);
        wrongShape.get("blk.1.ffn_up.weight")!.dims = [12, 8];
        expect(() => referenceFrom(writeGemmaGguf(tinyShape, wrongShape))).toThrow(/ffn_up/);
        const reference = referenceFrom(writeGemmaGguf(tinyShape, randomGemmaTensors(tinyShape, 8)));
        expect(() => reference.lastLogits([16], [0])).toThrow(/outside vocab/);
        expect(() => reference.lastLogits([], [0])).toThrow();
    });
});
