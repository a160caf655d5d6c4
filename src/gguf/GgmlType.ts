/**
 * The tensor storage types this writer can produce, numbered as `enum ggml_type` in ggml.h: the
 * unquantized types and Q8_0, written as llama.cpp's own reference quantizer writes it
 * (quantizeQ8_0.ts), so a generated Q8_0 file holds the bytes `llama-quantize` would make.
 */
export const GgmlType = {
    F32: 0,
    F16: 1,
    Q8_0: 8,
    BF16: 30
} as const;

export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** Elements per block: a quantized type's rows must be a whole number of blocks. */
export function blockElements(type: GgmlType): number {
    return type === GgmlType.Q8_0 ? 32 : 1;
}

/** Bytes of `elements` values of this type (`elements` a multiple of blockElements(type)). */
export function tensorBytes(type: GgmlType, elements: number): number {
    if (type === GgmlType.Q8_0) return (elements / 32) * 34;
    return elements * (type === GgmlType.F32 ? 4 : 2);
}

/** Bytes per value of the unquantized types (Q8_0: 34 bytes per block of 32, see tensorBytes). */
export function bytesPerElement(type: GgmlType): number {
    return tensorBytes(type, blockElements(type)) / blockElements(type);
}
