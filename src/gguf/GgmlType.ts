/**
 * The tensor storage types this writer can produce, numbered as `enum ggml_type` in ggml.h:
 * unquantized types, and Q8_0, which the writer quantizes as ggml's reference quantizer does, for
 * generated bench models (a test model that must be exact stays unquantized).
 */
export const GgmlType = {
    F32: 0,
    F16: 1,
    Q8_0: 8,
    BF16: 30
} as const;

export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** Elements per Q8_0 block (ggml's QK8_0), and the block's bytes: an F16 scale and 32 int8 values. */
export const q8_0BlockElements = 32;
export const q8_0BlockBytes = 34;

/** Bytes per element; Q8_0's 34/32 is exact in binary, so element offsets that are whole blocks give whole byte offsets. */
export function bytesPerElement(type: GgmlType): number {
    return type === GgmlType.F32 ? 4 : type === GgmlType.Q8_0 ? q8_0BlockBytes / q8_0BlockElements : 2;
}
