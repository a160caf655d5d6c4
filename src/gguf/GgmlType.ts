/**
 * The tensor storage types this writer can produce, numbered as `enum ggml_type` in ggml.h.
 * Only unquantized types: test models must be exact, and quantizing is llama.cpp's job.
 */
export const GgmlType = {
    F32: 0,
    F16: 1,
    BF16: 30
} as const;

export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

export function bytesPerElement(type: GgmlType): number {
    return type === GgmlType.F32 ? 4 : 2;
}
