/**
 * Converts float32 values to IEEE 754 binary16 bit patterns with round-to-nearest-even,
 * as numpy's `astype(float16)` (and so llama.cpp's converters) does: values too large
 * for binary16 become ±Infinity, NaN stays NaN, tiny values become subnormals or ±0.
 */
export function float32ToFloat16Bits(source: Float32Array, target: Uint16Array, count: number = source.length): void {
    if (target.length < count) throw new RangeError("float16 target buffer is shorter than the values to convert");

    const sourceBits = new Uint32Array(source.buffer, source.byteOffset, count);
    for (let i = 0; i < count; i++) target[i] = float32BitsToFloat16Bits(sourceBits[i]!);
}

export function float32BitsToFloat16Bits(bits: number): number {
    const sign = (bits >>> 16) & 0x8000;
    const exponent = (bits >>> 23) & 0xff;
    const mantissa = bits & 0x7fffff;

    if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);

    const halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) return sign | 0x7c00;

    if (halfExponent <= 0) {
        // below the smallest normal half: shift the implicit leading 1 into a subnormal mantissa
        if (halfExponent < -10) return sign;

        const fullMantissa = mantissa | 0x800000;
        const shift = 14 - halfExponent;
        const halfMantissa = fullMantissa >>> shift;
        const remainder = fullMantissa & ((1 << shift) - 1);
        const halfway = 1 << (shift - 1);
        const roundUp = remainder > halfway || (remainder === halfway && (halfMantissa & 1) === 1);
        return sign | (halfMantissa + (roundUp ? 1 : 0));
    }

    const halfMantissa = mantissa >>> 13;
    const remainder = mantissa & 0x1fff;
    const roundUp = remainder > 0x1000 || (remainder === 0x1000 && (halfMantissa & 1) === 1);
    // a carry out of the mantissa correctly bumps the exponent, and from the largest finite value to Infinity
    return (sign | (halfExponent << 10) | halfMantissa) + (roundUp ? 1 : 0);
}
