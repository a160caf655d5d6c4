import type { IsolationProcess } from "../isolation/IsolationChannel.js";
import type { ModelDownloadOptions } from "../model/ModelDownloadOptions.js";
import { readDownloadOptions } from "../model/resolveModelSource.js";
import type { GpuOption, LlamaBuildOption } from "../native/HostDescription.js";
import type { RerankerLoadOptions, RerankWarning } from "../RerankerOptions.js";
import { checkKnownKeys } from "../utils/checkKnownKeys.js";
import {
    expectBoolean,
    expectFiniteNumber,
    expectFunction,
    expectInteger,
    expectOneOf,
    expectString,
    invalidArgument,
    isPlainObject
} from "../utils/validate.js";

/** Every option of Reranker.load, checked and with its defaults, before anything is read, downloaded or started. */
export type LoadRequest = {
    model: string;
    download: ModelDownloadOptions;
    isolation: "none" | "process";
    isolationProcess: ((entryPoint: string) => IsolationProcess) | undefined;
    gpu: GpuOption;
    llamaBuild: LlamaBuildOption;
    fp16Arithmetic: boolean;
    profile: string | undefined;
    scoreHead: "auto" | "logits" | "rank";
    maxLength: number | undefined;
    prompt: string | undefined;
    strict: boolean;
    lora: string | undefined;
    loraScale: number;
    /** undefined: sized from free memory. */
    slots: number | undefined;
    /** undefined: defaultThreads, else the host's count of math cores. */
    threads: number | undefined;
    /** $LLM_RERANK_THREADS: an operator's cap on llama.cpp's threads, for loads that set none. */
    defaultThreads: number | undefined;
    batchSize: number | undefined;
    ubatchSize: number | undefined;
    kvType: "f32" | "f16";
    flashAttention: boolean;
    sharePrefix: boolean;
    tokenCacheSize: number;
    tokenCacheBytes: number;
    scoreCacheSize: number;
    scoreCacheBytes: number;
    healthCheck: boolean;
    warn: (warning: RerankWarning) => void;
};

/**
 * The default byte budget of each cache. A typical passage (1,500 characters, 400 tokens) costs the
 * token cache about 4.8 KB (3 KB of key, 1.6 KB of ids, 128 of overhead), so 64 MiB keeps the
 * 10,000-entry default whole for such texts, while 10,000 texts of 64 KiB could otherwise hold
 * about 3.7 GB. A score entry is its pair's text and 136 bytes: the same budget holds as many pairs.
 */
export const defaultCacheBytes = 64 * 1024 * 1024;

/** The option names Reranker.load knows, for the unknown-option check. */
export const loadOptionNames = [
    "model",
    "download",
    "isolation",
    "isolationProcess",
    "gpu",
    "fp16Arithmetic",
    "llamaBuild",
    "profile",
    "scoreHead",
    "slots",
    "maxLength",
    "prompt",
    "threads",
    "batchSize",
    "ubatchSize",
    "kvType",
    "flashAttention",
    "sharePrefix",
    "tokenCacheSize",
    "tokenCacheBytes",
    "scoreCacheSize",
    "scoreCacheBytes",
    "strict",
    "lora",
    "loraScale",
    "healthCheck",
    "onWarning"
] as const satisfies readonly (keyof RerankerLoadOptions)[];

/**
 * Step 1 of a load: checks every option (an unknown one names the closest known one) and fills in
 * the defaults that need nothing from the machine. Pure: no file, network, process or native call.
 */
export function readLoadOptions(options: unknown): LoadRequest {
    if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
    checkKnownKeys("Reranker.load options", options, loadOptionNames);
    const o = options as RerankerLoadOptions;
    const optional = <T>(value: unknown, read: (value: unknown) => T): T | undefined => (value === undefined ? undefined : read(value));
    const batchSize = optional(o.batchSize, (value) => expectInteger("batchSize", value, 1));
    return {
        model: expectString("model", o.model),
        download: readDownloadOptions(o.download),
        isolation: optional(o.isolation, (value) => expectOneOf("isolation", value, ["none", "process"] as const)) ?? "none",
        isolationProcess: optional(o.isolationProcess, (value) => expectFunction<(entryPoint: string) => IsolationProcess>("isolationProcess", value)),
        gpu: optional(o.gpu, (value) => expectOneOf<GpuOption>("gpu", value, ["auto", "cuda", "metal", "vulkan", false])) ?? "auto",
        llamaBuild: optional(o.llamaBuild, (value) => expectOneOf("llamaBuild", value, ["auto", "prebuilt", "local"] as const)) ?? "auto",
        fp16Arithmetic: optional(o.fp16Arithmetic, (value) => expectBoolean("fp16Arithmetic", value)) ?? false,
        profile: optional(o.profile, (value) => expectString("profile", value)),
        scoreHead: optional(o.scoreHead, (value) => expectOneOf("scoreHead", value, ["auto", "logits", "rank"] as const)) ?? "auto",
        maxLength: optional(o.maxLength, (value) => expectInteger("maxLength", value, 1)),
        prompt: optional(o.prompt, (value) => expectString("prompt", value)),
        strict: optional(o.strict, (value) => expectBoolean("strict", value)) ?? false,
        lora: optional(o.lora, (value) => expectString("lora", value)),
        loraScale: optional(o.loraScale, (value) => expectFiniteNumber("loraScale", value)) ?? 1,
        slots: optional(o.slots, (value) => expectInteger("slots", value, 1, 256)),
        threads: optional(o.threads, (value) => expectInteger("threads", value, 1, 1024)),
        defaultThreads: optional(process.env.LLM_RERANK_THREADS || undefined, (value) => expectInteger("LLM_RERANK_THREADS", Number(value), 1, 1024)),
        batchSize,
        ubatchSize: optional(o.ubatchSize, (value) => expectInteger("ubatchSize", value, 1, batchSize ?? Number.MAX_SAFE_INTEGER)),
        kvType: optional(o.kvType, (value) => expectOneOf("kvType", value, ["f32", "f16"] as const)) ?? "f32",
        flashAttention: optional(o.flashAttention, (value) => expectBoolean("flashAttention", value)) ?? false,
        sharePrefix: optional(o.sharePrefix, (value) => expectBoolean("sharePrefix", value)) ?? true,
        tokenCacheSize: optional(o.tokenCacheSize, (value) => expectInteger("tokenCacheSize", value, 0)) ?? 10000,
        tokenCacheBytes: optional(o.tokenCacheBytes, (value) => expectInteger("tokenCacheBytes", value, 0)) ?? defaultCacheBytes,
        scoreCacheSize: optional(o.scoreCacheSize, (value) => expectInteger("scoreCacheSize", value, 0)) ?? 0,
        scoreCacheBytes: optional(o.scoreCacheBytes, (value) => expectInteger("scoreCacheBytes", value, 0)) ?? defaultCacheBytes,
        healthCheck: optional(o.healthCheck, (value) => expectBoolean("healthCheck", value)) ?? true,
        warn:
            optional(o.onWarning, (value) => expectFunction<(warning: RerankWarning) => void>("onWarning", value)) ??
            ((warning: RerankWarning) => process.emitWarning(warning.message, { code: warning.code }))
    };
}
