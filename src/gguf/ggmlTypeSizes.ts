// Elements and bytes per block of every type a GGUF may hold (ggml.c type_traits, block sizes from
// ggml-common.h), for checking that each tensor's data lies inside the file before llama.cpp maps
// it. Types 4, 5 and 31-33, 36-38 were removed from ggml (block size 0: gguf.cpp refuses them).
const blockLayouts: Record<number, { name: string; blockElements: number; blockBytes: number }> = {
    0: { name: "F32", blockElements: 1, blockBytes: 4 },
    1: { name: "F16", blockElements: 1, blockBytes: 2 },
    2: { name: "Q4_0", blockElements: 32, blockBytes: 18 },
    3: { name: "Q4_1", blockElements: 32, blockBytes: 20 },
    6: { name: "Q5_0", blockElements: 32, blockBytes: 22 },
    7: { name: "Q5_1", blockElements: 32, blockBytes: 24 },
    8: { name: "Q8_0", blockElements: 32, blockBytes: 34 },
    9: { name: "Q8_1", blockElements: 32, blockBytes: 36 },
    10: { name: "Q2_K", blockElements: 256, blockBytes: 84 },
    11: { name: "Q3_K", blockElements: 256, blockBytes: 110 },
    12: { name: "Q4_K", blockElements: 256, blockBytes: 144 },
    13: { name: "Q5_K", blockElements: 256, blockBytes: 176 },
    14: { name: "Q6_K", blockElements: 256, blockBytes: 210 },
    15: { name: "Q8_K", blockElements: 256, blockBytes: 292 },
    16: { name: "IQ2_XXS", blockElements: 256, blockBytes: 66 },
    17: { name: "IQ2_XS", blockElements: 256, blockBytes: 74 },
    18: { name: "IQ3_XXS", blockElements: 256, blockBytes: 98 },
    19: { name: "IQ1_S", blockElements: 256, blockBytes: 50 },
    20: { name: "IQ4_NL", blockElements: 32, blockBytes: 18 },
    21: { name: "IQ3_S", blockElements: 256, blockBytes: 110 },
    22: { name: "IQ2_S", blockElements: 256, blockBytes: 82 },
    23: { name: "IQ4_XS", blockElements: 256, blockBytes: 136 },
    24: { name: "I8", blockElements: 1, blockBytes: 1 },
    25: { name: "I16", blockElements: 1, blockBytes: 2 },
    26: { name: "I32", blockElements: 1, blockBytes: 4 },
    27: { name: "I64", blockElements: 1, blockBytes: 8 },
    28: { name: "F64", blockElements: 1, blockBytes: 8 },
    29: { name: "IQ1_M", blockElements: 256, blockBytes: 56 },
    30: { name: "BF16", blockElements: 1, blockBytes: 2 },
    34: { name: "TQ1_0", blockElements: 256, blockBytes: 54 },
    35: { name: "TQ2_0", blockElements: 256, blockBytes: 66 },
    39: { name: "MXFP4", blockElements: 32, blockBytes: 17 },
    40: { name: "NVFP4", blockElements: 64, blockBytes: 36 },
    41: { name: "Q1_0", blockElements: 128, blockBytes: 18 },
    42: { name: "Q2_0", blockElements: 64, blockBytes: 18 }
};

/**
 * Types that are not model weights: Q8_1 and Q8_K are the CPU backend's intermediate formats for
 * activations (no mul_mat kernel takes them as weights), I8-I64 and F64 have no matrix kernels.
 * A weight of one of these reaches a kernel that does not exist (ggml-cpu: GGML_ABORT).
 */
const nonWeightTypes = new Set([9, 15, 24, 25, 26, 27, 28]);

export function ggmlTypeName(type: number): string {
    return blockLayouts[type]?.name ?? `type ${type}`;
}

export function isKnownGgmlType(type: number): boolean {
    return blockLayouts[type] !== undefined;
}

export function isWeightGgmlType(type: number): boolean {
    return isKnownGgmlType(type) && !nonWeightTypes.has(type);
}

/** Elements per block: a row must hold whole blocks (gguf.cpp: "not a multiple of block size"). */
export function ggmlBlockElements(type: number): number | undefined {
    return blockLayouts[type]?.blockElements;
}

/** Byte size of a tensor, or undefined for a type this table does not know. */
export function tensorByteSize(type: number, elementCount: number): number | undefined {
    const layout = blockLayouts[type];
    if (!layout) return undefined;
    return Math.ceil(elementCount / layout.blockElements) * layout.blockBytes;
}
