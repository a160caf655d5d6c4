import { float32BitsToFloat16Bits } from "./float16.js";

/** Values per Q8_0 block (ggml's QK8_0). */
export const q8_0BlockElements = 32;
/** A block's bytes: its F16 scale, then 32 signed bytes. */
export const q8_0BlockBytes = 34;

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * Quantizes `count` float32 values (a multiple of 32) into Q8_0 blocks at `target`, as ggml's
 * `quantize_row_q8_0_ref` does (the reference llama-quantize and gguf-py use for Q8_0 files): per
 * block d = max|x| / 127 in float32, stored as F16; each value becomes roundf(x · (1/d)), rounding
 * half away from zero, with the product taken in float32. Every step is rounded to float32 here
 * (Math.fround) so the bytes match the C code's.
 */
export function quantizeQ8_0(source: Float32Array, target: Uint8Array, count: number = source.length): void {
    if (count % q8_0BlockElements !== 0) throw new RangeError(`Q8_0 needs a multiple of ${q8_0BlockElements} values, got ${count}`);
    if (target.length < (count / q8_0BlockElements) * q8_0BlockBytes) throw new RangeError("Q8_0 target buffer is shorter than the blocks to write");
    const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    const quants = new Int8Array(target.buffer, target.byteOffset, target.byteLength);
    for (let block = 0, out = 0; block < count; block += q8_0BlockElements, out += q8_0BlockBytes) {
        let amax = 0;
        for (let j = 0; j < q8_0BlockElements; j++) amax = Math.max(amax, Math.abs(source[block + j]!));
        const d = Math.fround(amax / 127);
        const id = d !== 0 ? Math.fround(1 / d) : 0;
        scratch[0] = d;
        view.setUint16(out, float32BitsToFloat16Bits(scratchBits[0]!), true);
        for (let j = 0; j < q8_0BlockElements; j++) {
            const x = Math.fround(source[block + j]! * id);
            // C's roundf: half away from zero (exact in float64: |x| + 0.5 needs no rounding at this size)
            quants[out + 2 + j] = x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
        }
    }
}
