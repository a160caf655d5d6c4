import { InvalidArgumentError } from "../errors/errors.js";
import type { ModelFileSummary } from "../gguf/inspectModelFile.js";
import type { AddonContextOptions } from "../native/AddonTypes.js";
import type { HostDescription } from "../native/HostDescription.js";
import type { RerankWarning } from "../RerankerOptions.js";
import { sizeContext, type ContextSizing, type MemoryBudget } from "../sizing/sizeContext.js";
import type { ModelPlan } from "./planModel.js";
import type { LoadRequest } from "./readLoadOptions.js";

/** The options a load passes through as they were asked (with their defaults). */
type PassedThrough = "kvType" | "flashAttention" | "sharePrefix" | "tokenCacheSize" | "tokenCacheBytes" | "scoreCacheSize" | "scoreCacheBytes";

export type RuntimeSettings = Pick<LoadRequest, PassedThrough> & {
    slots: number;
    batchSize: number;
    ubatchSize: number;
    threads: number;
    /** How slots and batch size were chosen from the device's free memory. */
    sizing?: ContextSizing;
};

/** The settings and the llama.cpp context a load creates, decided before the context exists. */
export type ContextPlan = {
    settings: RuntimeSettings;
    /** Everything createContext needs but the adapters, which exist only once loaded. */
    context: Omit<AddonContextOptions, "loras">;
    warnings: RerankWarning[];
};

// Sequences per encode call on an encoder without KV memory: more costs nothing but a bigger batch.
const encoderSequencesPerCall = 64;

/** The most sequences one decode holds by default, on any backend. */
const maxDefaultSlots = 64;

/**
 * The KV memory a CPU context takes by default. Each decode is filled up to the batch's token
 * budget from every pending call, so short sequences need many slots to share a decode (a decode of
 * a few short sequences is mostly fixed cost); this bounds the KV cache a laptop gives up for it.
 * The tiny and bench-width models get 64 slots; a 0.6B Qwen3 with 1,024-token inputs (234 MiB a
 * slot) keeps the old 4.
 */
export const cpuDefaultKvBytes = 512 * 2 ** 20;
const minCpuDefaultSlots = 4;

/**
 * Step 4 of a load, once the host is up and the input builder knows its longest input: the KV
 * slots, batch and threads, sized from the memory the host reports. Pure.
 *
 * Every decode is filled up to the batch size (its token budget) with sequences from every pending
 * call, one KV slot each, so the slot count bounds how many short sequences can share a decode. A
 * GPU gets as many slots as its memory allows, up to 64; a CPU as many as fit in cpuDefaultKvBytes
 * (at least 4, at most 64), since llama.cpp allocates every slot's cells up front.
 */
export function planContext(
    request: LoadRequest,
    plan: ModelPlan,
    summary: ModelFileSummary,
    host: HostDescription,
    budget: MemoryBudget,
    longestInput: number
): ContextPlan {
    const onGpu = host.gpu !== false;
    const warnings: RerankWarning[] = [];
    if (request.kvType === "f16" || request.flashAttention) {
        warnings.push({ code: "F16_KV_CACHE", message: 'the KV cache is F16 (kvType "f16" or flash attention on); scores move by about 1e-2 against F32.' });
    }
    const encoderOnly = plan.encoderOnly;
    if (encoderOnly && longestInput > summary.trainContextLength)
        throw new InvalidArgumentError(
            `maxLength ${plan.maxLength} allows ${longestInput}-token inputs; ${summary.path} has ${summary.trainContextLength} positions`
        );
    // An encoder runs every call as one ubatch (ubatch = batch), which must hold the longest input whole.
    // Default 2048 tokens on a GPU, 512 on a CPU: an encoder's attention spans the whole ubatch,
    // which the sizing's compute estimate (per-slot cells) does not model.
    const encoderBatchSize = Math.max(request.batchSize ?? (onGpu ? 2048 : 512), longestInput);
    const ubatchSize = request.ubatchSize ?? Math.min(512, request.batchSize ?? 512);
    // Without a unified KV cache, llama.cpp gives each sequence n_ctx / n_seq_max cells, in multiples of 256.
    const cellsPerSequence = Math.ceil(longestInput / 256) * 256;
    const kvBytesPerCell = encoderOnly ? 0 : summary.kvValuesPerCell * (request.kvType === "f32" ? 4 : 2);
    const kvBytesPerSlot = cellsPerSequence * kvBytesPerCell;
    const cpuDefaultSlots =
        kvBytesPerSlot > 0 ? Math.min(maxDefaultSlots, Math.max(minCpuDefaultSlots, Math.floor(cpuDefaultKvBytes / kvBytesPerSlot))) : maxDefaultSlots;
    const sizing = sizeContext({
        budget,
        weightBytesOnDevice: budget.kind === "vram" ? summary.fileBytes : 0,
        // An encoder keeps no KV cells.
        kvBytesPerCell,
        cellsPerSequence,
        longestInput,
        shape: summary.computeShape,
        ubatchSize: encoderOnly ? encoderBatchSize : ubatchSize,
        onGpu,
        requestedSlots: request.slots,
        // bert has no KV memory: nothing to share, and llama.cpp encodes each call as one ubatch.
        defaultSlots: encoderOnly ? encoderSequencesPerCall : onGpu ? maxDefaultSlots : cpuDefaultSlots,
        requestedBatchSize: encoderOnly ? encoderBatchSize : request.batchSize,
        minDefaultBatchSize: 512,
        maxDefaultBatchSize: onGpu ? 8192 : 512
    });
    if (sizing.reducedFrom !== undefined) warnings.push({ code: "SLOTS_REDUCED", message: `using ${sizing.slots} slots: ${sizing.reason}` });
    const settings: RuntimeSettings = {
        slots: sizing.slots,
        batchSize: sizing.batchSize,
        ubatchSize: encoderOnly ? sizing.batchSize : Math.min(ubatchSize, sizing.batchSize),
        threads: request.threads ?? request.defaultThreads ?? Math.max(1, host.cpuMathCores),
        kvType: request.kvType,
        flashAttention: request.flashAttention,
        sharePrefix: encoderOnly ? false : request.sharePrefix,
        tokenCacheSize: request.tokenCacheSize,
        tokenCacheBytes: request.tokenCacheBytes,
        scoreCacheSize: request.scoreCacheSize,
        scoreCacheBytes: request.scoreCacheBytes,
        sizing
    };
    return {
        settings,
        context: {
            contextSize: cellsPerSequence * settings.slots,
            batchSize: settings.batchSize,
            ubatchSize: settings.ubatchSize,
            sequences: settings.slots,
            threads: settings.threads,
            kvType: settings.kvType,
            flashAttention: settings.flashAttention,
            unifiedKv: false,
            rankPooling: plan.headKind === "rank",
            estimatedBytes: sizing.kvBytes
        },
        warnings
    };
}
