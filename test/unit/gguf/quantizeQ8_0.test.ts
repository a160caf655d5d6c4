import { describe, expect, it } from "vitest";
import { GgmlType, bytesPerElement } from "../../../src/gguf/GgmlType.js";
import { quantizeQ8_0 } from "../../../src/gguf/quantizeQ8_0.js";

// Expected bytes follow ggml's quantize_row_q8_0_ref (ggml-quants.c) by hand: per block of 32,
// d = amax / 127 in float32, stored as F16 (round to nearest even); q = roundf(x * (1/d)), halves
// away from zero.
const block = (values: number[]): Float32Array => {
    const block = new Float32Array(32);
    block.set(values);
    return block;
};
const scaleBits = (bytes: Uint8Array, blockIndex = 0) => bytes[blockIndex * 34]! | (bytes[blockIndex * 34 + 1]! << 8);
const quants = (bytes: Uint8Array, blockIndex = 0) => [...new Int8Array(bytes.buffer, blockIndex * 34 + 2, 32)];

describe("quantizeQ8_0", () => {
    it("scales a block by max|x| / 127 and rounds halves away from zero", () => {
        // amax 127: d = 1 (F16 0x3c00), so each value is roundf(x)
        const values = [127, -2.5, 2.5, -0.5, 0.5, 1.49, -1.51, 0];
        const out = new Uint8Array(34);
        quantizeQ8_0(block(values), out);
        expect(scaleBits(out)).toBe(0x3c00);
        expect(quants(out).slice(0, 8)).toEqual([127, -3, 3, -1, 1, 1, -2, 0]);
        expect(quants(out).slice(8)).toEqual(new Array(24).fill(0));
    });

    it("gives an all-zero block a zero scale and zero values", () => {
        const out = new Uint8Array(34).fill(0xff);
        quantizeQ8_0(new Float32Array(32), out);
        expect(scaleBits(out)).toBe(0);
        expect(quants(out)).toEqual(new Array(32).fill(0));
    });

    it("stores d as F16 but quantizes with the float32 d, block by block", () => {
        // amax 1: d = 1/127 = 0.0078740157... in float32; F16 keeps 10 mantissa bits: 0x2008 (0.0078735...)
        const out = new Uint8Array(68);
        const values = new Float32Array(64);
        values.set(block([1, -1, 0.5]));
        values.set(block([-254, 127]), 32);
        quantizeQ8_0(values, out);
        expect(scaleBits(out, 0)).toBe(0x2008);
        // 0.5 · 127 = 63.5 rounds away from zero to 64
        expect(quants(out, 0).slice(0, 3)).toEqual([127, -127, 64]);
        // second block: amax 254, d = 2 (F16 0x4000), 127 / 2 = 63.5 → 64
        expect(scaleBits(out, 1)).toBe(0x4000);
        expect(quants(out, 1).slice(0, 2)).toEqual([-127, 64]);
    });

    it("takes whole blocks only, and a Q8_0 element is 34/32 bytes", () => {
        expect(() => quantizeQ8_0(new Float32Array(48), new Uint8Array(68))).toThrow(RangeError);
        expect(bytesPerElement(GgmlType.Q8_0) * 1024).toBe(1088);
    });
});
