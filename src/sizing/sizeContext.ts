import { InsufficientMemoryError } from "../errors/errors.js";

/** Free memory where the KV cache and compute buffers will live, read before the model loads. */
export type MemoryBudget = {
    kind: "vram" | "ram";
    /** The devices it was read from ("Vulkan0", …; "system RAM" on the CPU). */
    devices: string[];
    freeBytes: number;
    totalBytes: number;
    /** Where the numbers came from, e.g. "ggml_backend_dev_memory" or "os.freemem()". */
    source: string;
};

/** The shape numbers that decide the size of llama.cpp's compute buffer. */
export type ComputeShape = {
    embeddingLength: number;
    feedForwardLength: number;
    headCount: number;
    vocabularySize: number;
};

/**
 * From this many output rows per micro-batch, a GPU backend runs the output matrix product on the
 * device even though llama.cpp keeps token_embd (Gemma's tied output matrix) in host memory, and
 * copies that matrix into its compute buffer (ggml's op offload; GGML_OP_OFFLOAD_MIN_BATCH, 32).
 * Seen on llvmpipe: the tiny model's Vulkan compute buffer grew by exactly that matrix at 64 slots.
 */
export const opOffloadMinBatch = 32;

export type SizingRequest = {
    budget: MemoryBudget;
    /** Weight bytes that will take device memory after the free figure was read (0 on the CPU: mmapped). */
    weightBytesOnDevice: number;
    /** K and V bytes of one KV cell across all layers. */
    kvBytesPerCell: number;
    /** KV cells one slot needs for the profile's longest input (llama.cpp rounds to 256). */
    cellsPerSequence: number;
    /** The profile's longest input in tokens. */
    longestInput: number;
    shape: ComputeShape;
    ubatchSize: number;
    /** True on a GPU: the output matrix may be copied to the device (see opOffloadMinBatch). */
    onGpu: boolean;
    /** Slots the caller asked for; undefined: as many as fit, up to defaultSlots. */
    requestedSlots: number | undefined;
    defaultSlots: number;
    /** Tokens per decode the caller asked for; undefined: sized from the slots. */
    requestedBatchSize: number | undefined;
    /** Largest default batch (GPU: slots × longest input, up to this). */
    maxDefaultBatchSize: number;
    /** Smallest default batch. */
    minDefaultBatchSize: number;
};

export type ContextSizing = {
    slots: number;
    batchSize: number;
    /** Slots asked for when fewer were used because they did not fit. */
    reducedFrom?: number;
    budget: MemoryBudget;
    /** What the KV cache and compute buffers may use: a share of what is free after the weights. */
    usableBytes: number;
    kvBytesPerSlot: number;
    kvBytes: number;
    computeBytesEstimate: number;
    reason: string;
};

/** Share of free memory that defaults may take (the rest is left to the app and the driver). */
export const defaultMemoryShare = 0.5;
/** Share that explicitly requested slots may take: headroom for driver overheads and fragmentation. */
export const requestedMemoryShare = 0.9;

/**
 * An upper estimate of llama.cpp's compute buffer for one micro-batch of F32 activations without
 * flash attention: the FFN's gate, up and GeGLU outputs (3 × n_ff per token), the attention
 * scores and their softmax over one slot's cells (2 × n_head × cells per token), a few residual
 * streams (8 × n_embd per token), the logits of every output row (≤ one per slot), and on a GPU
 * the op-offload copy of the output matrix. test/sizing.test.ts checks it against llama.cpp's own
 * accounting (measured: 1.05–2.9 × what llama.cpp allocated on CPU and llvmpipe).
 */
export function estimateComputeBytes(shape: ComputeShape, ubatchSize: number, cellsPerSequence: number, slots: number, onGpu: boolean): number {
    const perToken = 3 * shape.feedForwardLength + 2 * shape.headCount * cellsPerSequence + 8 * shape.embeddingLength;
    const outputRows = Math.min(ubatchSize, slots);
    const outputMatrixCopy = onGpu && outputRows >= opOffloadMinBatch ? 4 * shape.vocabularySize * shape.embeddingLength : 0;
    return 4 * ubatchSize * perToken + 4 * outputRows * shape.vocabularySize + outputMatrixCopy;
}

/**
 * Chooses slots and batch size from free device memory, so that llama.cpp is never asked for an
 * allocation that cannot succeed. Throws InsufficientMemoryError when not even one slot fits.
 */
export function sizeContext(request: SizingRequest): ContextSizing {
    const { budget, kvBytesPerCell, cellsPerSequence, shape, ubatchSize } = request;
    const kvBytesPerSlot = cellsPerSequence * kvBytesPerCell;
    const afterWeights = budget.freeBytes - request.weightBytesOnDevice;
    const share = request.requestedSlots !== undefined ? requestedMemoryShare : defaultMemoryShare;
    const usableBytes = Math.max(0, Math.floor(afterWeights * share));
    const needed = (slots: number) => slots * kvBytesPerSlot + estimateComputeBytes(shape, ubatchSize, cellsPerSequence, slots, request.onGpu);
    const wanted = request.requestedSlots ?? request.defaultSlots;
    let slots = wanted;
    while (slots > 0 && needed(slots) > usableBytes) slots--;
    const where = `${budget.kind === "vram" ? "VRAM" : "RAM"} of ${budget.devices.join(", ")}`;
    if (afterWeights <= 0) {
        throw new InsufficientMemoryError(
            `the model's weights (${mib(request.weightBytesOnDevice)}) do not fit in the free ${where} (${mib(budget.freeBytes)})`,
            request.weightBytesOnDevice,
            budget.freeBytes
        );
    }
    if (slots === 0) {
        throw new InsufficientMemoryError(
            `one KV slot (${mib(kvBytesPerSlot)}) and the compute buffer (${mib(estimateComputeBytes(shape, ubatchSize, cellsPerSequence, 1, request.onGpu))}) do not fit in ${Math.round(share * 100)}% of the ${where} left after the weights (${mib(afterWeights)})`,
            needed(1),
            afterWeights
        );
    }
    const batchSize = request.requestedBatchSize ?? Math.max(request.minDefaultBatchSize, Math.min(request.maxDefaultBatchSize, slots * request.longestInput));
    const kvBytes = slots * kvBytesPerSlot;
    const computeBytesEstimate = estimateComputeBytes(shape, ubatchSize, cellsPerSequence, slots, request.onGpu);
    const fit = `${slots} slot(s) × ${mib(kvBytesPerSlot)} KV (${cellsPerSequence} cells for inputs up to ${request.longestInput} tokens) + ${mib(computeBytesEstimate)} compute in ${mib(usableBytes)} (${Math.round(share * 100)}% of the ${mib(afterWeights)} of ${where} free after ${mib(request.weightBytesOnDevice)} of weights; ${budget.source})`;
    const reason =
        slots < wanted
            ? `${wanted} slots do not fit: ${fit}`
            : request.requestedSlots !== undefined
              ? `as requested: ${fit}`
              : `default of up to ${request.defaultSlots} slots: ${fit}`;
    return {
        slots,
        batchSize,
        ...(slots < wanted ? { reducedFrom: wanted } : {}),
        budget,
        usableBytes,
        kvBytesPerSlot,
        kvBytes,
        computeBytesEstimate,
        reason
    };
}

function mib(bytes: number): string {
    return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Before llama.cpp loads the model: its weights must fit in the free device memory. */
export function checkWeightsFit(budget: MemoryBudget, weightBytesOnDevice: number): void {
    if (weightBytesOnDevice >= budget.freeBytes) {
        throw new InsufficientMemoryError(
            `the model's weights (${mib(weightBytesOnDevice)}) do not fit in the free ${budget.kind === "vram" ? "VRAM" : "RAM"} of ${budget.devices.join(", ")} (${mib(budget.freeBytes)})`,
            weightBytesOnDevice,
            budget.freeBytes
        );
    }
}
