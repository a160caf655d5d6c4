import type { BackendDescription } from "./native/LlamaBackend.js";
import type { RerankerLoadOptions } from "./RerankerOptions.js";
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
    scoreCacheSize: number;
};

/**
 * Defaults depend on the backend. A CPU is compute-bound already at one sequence per decode, so a
 * few slots suffice there; a GPU sits idle unless many sequences share each decode.
 */
export function resolveRuntimeSettings(options: RerankerLoadOptions, backend: BackendDescription): RuntimeSettings {
    const onGpu = backend.gpu !== false;
    const slots = options.slots !== undefined ? expectInteger("slots", options.slots, 1, 256) : onGpu ? 16 : 4;
    const batchSize = options.batchSize !== undefined ? expectInteger("batchSize", options.batchSize, 1) : onGpu ? 2048 : 512;
    const ubatchSize = options.ubatchSize !== undefined ? expectInteger("ubatchSize", options.ubatchSize, 1, batchSize) : Math.min(512, batchSize);
    return {
        slots,
        batchSize,
        ubatchSize,
        threads: options.threads !== undefined ? expectInteger("threads", options.threads, 1, 1024) : Math.max(1, backend.cpuMathCores),
        kvType: options.kvType !== undefined ? expectOneOf("kvType", options.kvType, ["f32", "f16"] as const) : "f32",
        flashAttention: options.flashAttention !== undefined ? expectBoolean("flashAttention", options.flashAttention) : false,
        sharePrefix: options.sharePrefix !== undefined ? expectBoolean("sharePrefix", options.sharePrefix) : true,
        tokenCacheSize: options.tokenCacheSize !== undefined ? expectInteger("tokenCacheSize", options.tokenCacheSize, 0) : 10000,
        scoreCacheSize: options.scoreCacheSize !== undefined ? expectInteger("scoreCacheSize", options.scoreCacheSize, 0) : 0
    };
}
