/** Decoders for the 16-bit float formats GGUF tensors may be stored in. */

/** IEEE 754 binary16, including subnormals, infinities and NaN. */
export function float16BitsToNumber(bits: number): number {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) return sign * mantissa * 2 ** -24;
    if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
    return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 is the upper half of a float32, so widen it and let the platform decode. */
const bfloat16Scratch = new DataView(new ArrayBuffer(4));
export function bfloat16BitsToNumber(bits: number): number {
    bfloat16Scratch.setUint32(0, ((bits & 0xffff) << 16) >>> 0, false);
    return bfloat16Scratch.getFloat32(0, false);
}

/** Every 16-bit pattern decoded once, so bulk conversion is a table lookup. */
function buildTable(decode: (bits: number) => number): Float64Array {
    const table = new Float64Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = decode(bits);
    return table;
}

let float16Table: Float64Array | undefined;
let bfloat16Table: Float64Array | undefined;
export function float16Table64(): Float64Array {
    return (float16Table ??= buildTable(float16BitsToNumber));
}
export function bfloat16Table64(): Float64Array {
    return (bfloat16Table ??= buildTable(bfloat16BitsToNumber));
}
