// Bytes per block and elements per block of the ggml types a reranker GGUF plausibly holds, for
// checking that each tensor's data lies inside the file before llama.cpp maps it.
const blockLayouts: Record<number, { name: string; blockElements: number; blockBytes: number }> = {
    0: { name: "F32", blockElements: 1, blockBytes: 4 },
    1: { name: "F16", blockElements: 1, blockBytes: 2 },
    2: { name: "Q4_0", blockElements: 32, blockBytes: 18 },
    3: { name: "Q4_1", blockElements: 32, blockBytes: 20 },
    6: { name: "Q5_0", blockElements: 32, blockBytes: 22 },
    7: { name: "Q5_1", blockElements: 32, blockBytes: 24 },
    8: { name: "Q8_0", blockElements: 32, blockBytes: 34 },
    10: { name: "Q2_K", blockElements: 256, blockBytes: 84 },
    11: { name: "Q3_K", blockElements: 256, blockBytes: 110 },
    12: { name: "Q4_K", blockElements: 256, blockBytes: 144 },
    13: { name: "Q5_K", blockElements: 256, blockBytes: 176 },
    14: { name: "Q6_K", blockElements: 256, blockBytes: 210 },
    15: { name: "Q8_K", blockElements: 256, blockBytes: 292 },
    30: { name: "BF16", blockElements: 1, blockBytes: 2 }
};

export function ggmlTypeName(type: number): string {
    return blockLayouts[type]?.name ?? `type ${type}`;
}

/** Byte size of a tensor, or undefined for a type this table does not know. */
export function tensorByteSize(type: number, elementCount: number): number | undefined {
    const layout = blockLayouts[type];
    if (!layout) return undefined;
    return Math.ceil(elementCount / layout.blockElements) * layout.blockBytes;
}
