/**
 * Converts float32 values to bfloat16 bit patterns: the top 16 bits of each float32, rounded to
 * nearest even on the 16 bits dropped, as ggml's `ggml_compute_fp32_to_bf16` and gguf-py's
 * converter (`convert_hf_to_gguf.py --outtype bf16`) do. bfloat16 keeps float32's 8-bit exponent,
 * so every finite float32 stays finite unless it rounds past the largest bfloat16 (~3.39e38).
 */
export function float32ToBfloat16Bits(source: Float32Array, target: Uint16Array, count: number = source.length): void {
    if (target.length < count) throw new RangeError("bfloat16 target buffer is shorter than the values to convert");

    const sourceBits = new Uint32Array(source.buffer, source.byteOffset, count);
    for (let i = 0; i < count; i++) target[i] = float32BitsToBfloat16Bits(sourceBits[i]!);
}

export function float32BitsToBfloat16Bits(bits: number): number {
    // NaN: keep sign and top payload bits, and set the quiet bit so truncation cannot make it Infinity
    if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff;
    // adding 0x7fff plus the lowest kept bit rounds half to even; a carry correctly bumps the exponent
    return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}
