import { q8_0BlockBytes, q8_0BlockElements } from "./GgmlType.js";
import { float32BitsToFloat16Bits } from "./float16.js";

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/**
 * Quantizes `count` values (whole blocks of 32) to Q8_0 blocks in `target`, as ggml's
 * quantize_row_q8_0_ref does (the reference llama-quantize's output is checked against): per block,
 * d = max|x| / 127 in float32, stored as F16 (round to nearest even), and each value
 * roundf(x · (1/d)), rounding halves away from zero, with the products in float32.
 */
export function quantizeQ8_0(source: Float32Array, target: Uint8Array, count: number = source.length): void {
    if (count % q8_0BlockElements !== 0) throw new RangeError(`Q8_0 quantizes whole blocks of ${q8_0BlockElements} values, got ${count}`);
    if (target.length < (count / q8_0BlockElements) * q8_0BlockBytes) throw new RangeError("Q8_0 target buffer is shorter than the blocks to write");
    const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    const quants = new Int8Array(target.buffer, target.byteOffset, target.byteLength);
    for (let block = 0, out = 0; block < count; block += q8_0BlockElements, out += q8_0BlockBytes) {
        let amax = 0;
        for (let j = 0; j < q8_0BlockElements; j++) amax = Math.max(amax, Math.abs(source[block + j]!));
        const d = Math.fround(amax / 127);
        const inverse = d !== 0 ? Math.fround(1 / d) : 0;
        float32[0] = d;
        view.setUint16(out, float32BitsToFloat16Bits(float32Bits[0]!), true);
        for (let j = 0; j < q8_0BlockElements; j++) {
            const scaled = Math.fround(source[block + j]! * inverse);
            quants[out + 2 + j] = Math.sign(scaled) * Math.floor(Math.abs(scaled) + 0.5);
        }
    }
}
