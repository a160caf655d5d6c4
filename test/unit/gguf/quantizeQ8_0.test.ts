import { describe, expect, it } from "vitest";
import { GgmlType } from "../../../src/gguf/GgmlType.js";
import { GgufWriter } from "../../../src/gguf/GgufWriter.js";
import { quantizeQ8_0 } from "../../../src/gguf/quantizeQ8_0.js";
import { SeededRandom } from "../../../src/testModel/SeededRandom.js";
import { float16BitsToNumber } from "../../reference/floatFormats.js";

/** Scale and quants of every block, read back from the bytes. */
function readBlocks(bytes: Uint8Array): { d: number; q: number[] }[] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 34 }, (_, b) => ({
        d: float16BitsToNumber(view.getUint16(b * 34, true)),
        q: Array.from({ length: 32 }, (_, j) => view.getInt8(b * 34 + 2 + j))
    }));
}

describe("Q8_0 quantization (ggml's quantize_row_q8_0_ref)", () => {
    it("scales each block by max|x| / 127 and rounds halves away from zero, as C's roundf", () => {
        // max |x| 127 gives d = 1 exactly: the quants are x rounded, so each half shows its rounding
        const values = new Float32Array(32);
        values.set([127, 63.5, -63.5, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49, -126.6]);
        const bytes = new Uint8Array(34);
        quantizeQ8_0(values, bytes);
        const [block] = readBlocks(bytes);
        expect(block!.d).toBe(1);
        // round-half-to-even would give 64, -64, 0, -0, 2, 2, -2: roundf gives 64, -64, 1, -1, 2, 3, -3
        expect(block!.q.slice(0, 10)).toEqual([127, 64, -64, 1, -1, 2, 3, -3, 0, -127]);
        expect(block!.q.slice(10)).toEqual(new Array(22).fill(0));
    });

    it("writes an all-zero block as scale 0 and zero quants", () => {
        const bytes = new Uint8Array(34).fill(0xff);
        quantizeQ8_0(new Float32Array(32), bytes);
        expect(Array.from(bytes)).toEqual(new Array(34).fill(0));
    });

    it("keeps every value within half a step of the scale it stores, the largest at ±127", () => {
        const random = new SeededRandom(11);
        const values = new Float32Array(32 * 64);
        for (let block = 0; block < 64; block++) {
            // scales within F16's normal range (d ≥ 2^-14), where its rounding is relative
            const magnitude = 2 ** ((random.nextUint32() % 12) - 4);
            for (let j = 0; j < 32; j++) values[block * 32 + j] = Math.fround(magnitude * (random.nextUint32() / 2 ** 31 - 1));
        }
        const bytes = new Uint8Array(64 * 34);
        quantizeQ8_0(values, bytes);
        readBlocks(bytes).forEach(({ d, q }, block) => {
            const x = values.subarray(block * 32, block * 32 + 32);
            const amax = Math.max(...Array.from(x, Math.abs));
            // the stored scale is F16(amax / 127): within F16's relative rounding
            expect(Math.abs(d - amax / 127)).toBeLessThanOrEqual((amax / 127) * 2 ** -11);
            expect(Math.max(...q.map(Math.abs))).toBe(127);
            // q = round(x / d_exact) with d_exact the float32 scale; against the F16 scale add its rounding
            x.forEach((value, j) => expect(Math.abs(q[j]! * d - value)).toBeLessThanOrEqual(d / 2 + 127 * (amax / 127) * 2 ** -11 + 1e-12));
        });
    });

    it("refuses a count that is not whole blocks", () => {
        expect(() => quantizeQ8_0(new Float32Array(40), new Uint8Array(68))).toThrow(/multiple of 32/);
    });
});

describe("GgufWriter with Q8_0 tensors", () => {
    it("plans 34 bytes per 32 values and writes the quantized blocks of the filled values", async () => {
        const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
        const { tmpdir } = await import("node:os");
        const path = await import("node:path");
        const folder = mkdtempSync(path.join(tmpdir(), "q8-"));
        try {
            const values = Float32Array.from({ length: 64 * 3 }, (_, i) => Math.sin(i) * (i % 7));
            // a chunk of 40 elements is not whole blocks: the writer must round it to 32
            const writer = new GgufWriter(40).addTensor({
                name: "w",
                shape: [64, 3],
                type: GgmlType.Q8_0,
                fill: (chunk, first) => chunk.set(values.subarray(first, first + chunk.length))
            });
            const file = path.join(folder, "q8.gguf");
            const written = await writer.writeToFile(file);
            expect(written).toBe(writer.plannedByteLength());
            const expected = new Uint8Array(6 * 34);
            quantizeQ8_0(values, expected);
            const bytes = readFileSync(file);
            // the data section is last, aligned to 32; the tensor is 204 bytes, padded to 224
            const data = bytes.subarray(bytes.length - 224, bytes.length - 20);
            expect(Array.from(data)).toEqual(Array.from(expected));
            expect(() => new GgufWriter().addTensor({ name: "odd", shape: [48, 2], type: GgmlType.Q8_0, fill: () => undefined })).toThrow(/multiple of 32/);
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    });
});
