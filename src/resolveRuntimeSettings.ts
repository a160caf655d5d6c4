import type { BackendDescription } from "./native/LlamaBackend.js";
import type { RerankerLoadOptions } from "./RerankerOptions.js";
import type { ContextSizing } from "./sizing/sizeContext.js";
import { expectBoolean, expectInteger, expectOneOf } from "./utils/validate.js";

export type RuntimeSettings = {
    slots: number;
    batchSize: number;
    ubatchSize: number;
    threads: number;
    kvType: "f32" | "f16";
    flashAttention: boolean;
    sharePrefix: boolean;
    tokenCacheSize: number;
    tokenCacheBytes: number;
    scoreCacheSize: number;
    scoreCacheBytes: number;
    /** How slots and batch size were chosen from the device's free memory. */
    sizing?: ContextSizing;
};

/** The settings the caller asked for, validated; slots and batch size are sized from memory later. */
export type RequestedSettings = Omit<RuntimeSettings, "slots" | "batchSize" | "sizing"> & {
    requestedSlots: number | undefined;
    requestedBatchSize: number | undefined;
    /** Upper bound of the default slot count on this backend. */
    defaultSlots: number;
    minDefaultBatchSize: number;
    maxDefaultBatchSize: number;
};

/**
 * The default byte budget of each cache. A typical passage (1,500 characters, 400 tokens) costs the
 * token cache about 4.8 KB (3 KB of key, 1.6 KB of ids, 128 of overhead), so 64 MiB keeps the
 * 10,000-entry default whole for such texts, while 10,000 texts of 64 KiB could otherwise hold
 * about 3.7 GB. A score entry is its pair's text and 136 bytes: the same budget holds as many pairs.
 */
export const defaultCacheBytes = 64 * 1024 * 1024;

/**
 * Defaults depend on the backend. A CPU is compute-bound already at one sequence per decode, so a
 * few slots suffice there (4: more gave the same pairs/s in the bench); a GPU sits idle unless many
 * sequences share each decode, so it gets as many as its memory allows, up to 64.
 */
export function resolveRuntimeSettings(options: RerankerLoadOptions, backend: BackendDescription): RequestedSettings {
    const onGpu = backend.gpu !== false;
    const requestedSlots = options.slots !== undefined ? expectInteger("slots", options.slots, 1, 256) : undefined;
    const requestedBatchSize = options.batchSize !== undefined ? expectInteger("batchSize", options.batchSize, 1) : undefined;
    const ubatchSize =
        options.ubatchSize !== undefined
            ? expectInteger("ubatchSize", options.ubatchSize, 1, requestedBatchSize ?? Number.MAX_SAFE_INTEGER)
            : Math.min(512, requestedBatchSize ?? 512);
    return {
        requestedSlots,
        requestedBatchSize,
        defaultSlots: onGpu ? 64 : 4,
        minDefaultBatchSize: 512,
        maxDefaultBatchSize: onGpu ? 8192 : 512,
        ubatchSize,
        threads: options.threads !== undefined ? expectInteger("threads", options.threads, 1, 1024) : Math.max(1, backend.cpuMathCores),
        kvType: options.kvType !== undefined ? expectOneOf("kvType", options.kvType, ["f32", "f16"] as const) : "f32",
        flashAttention: options.flashAttention !== undefined ? expectBoolean("flashAttention", options.flashAttention) : false,
        sharePrefix: options.sharePrefix !== undefined ? expectBoolean("sharePrefix", options.sharePrefix) : true,
        tokenCacheSize: options.tokenCacheSize !== undefined ? expectInteger("tokenCacheSize", options.tokenCacheSize, 0) : 10000,
        tokenCacheBytes: options.tokenCacheBytes !== undefined ? expectInteger("tokenCacheBytes", options.tokenCacheBytes, 0) : defaultCacheBytes,
        scoreCacheSize: options.scoreCacheSize !== undefined ? expectInteger("scoreCacheSize", options.scoreCacheSize, 0) : 0,
        scoreCacheBytes: options.scoreCacheBytes !== undefined ? expectInteger("scoreCacheBytes", options.scoreCacheBytes, 0) : defaultCacheBytes
    };
}
