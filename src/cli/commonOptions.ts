import type { ParseArgsConfig } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import type { RerankerLoadOptions } from "../RerankerOptions.js";
import { downloadProgressPrinter } from "./downloadProgressPrinter.js";

export const rerankerFlags = {
    model: { type: "string" },
    "model-dir": { type: "string" },
    gpu: { type: "string" },
    slots: { type: "string" },
    "max-length": { type: "string" },
    prompt: { type: "string" },
    profile: { type: "string" },
    threads: { type: "string" },
    "batch-size": { type: "string" },
    "kv-type": { type: "string" },
    "flash-attention": { type: "boolean" },
    "no-share-prefix": { type: "boolean" },
    strict: { type: "boolean" },
    lora: { type: "string" },
    "score-head": { type: "string" },
    "token-cache-bytes": { type: "string" },
    "score-cache-bytes": { type: "string" },
    "no-health-check": { type: "boolean" }
} satisfies ParseArgsConfig["options"];

type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export function integerFlag(values: FlagValues, name: string): number | undefined {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const number = Number(raw);
    if (!Number.isInteger(number)) throw new InvalidArgumentError(`--${name} expects an integer, got ${String(raw)}`);
    return number;
}

export function requiredString(values: FlagValues, name: string): string {
    const raw = values[name];
    if (typeof raw !== "string" || raw === "") throw new InvalidArgumentError(`--${name} is required`);
    return raw;
}

/**
 * A flag that must be given but may be empty: `--query ""` is a query like any other (FlagEmbedding
 * and the library score it), while leaving the flag out is a usage error.
 */
export function givenString(values: FlagValues, name: string): string {
    const raw = values[name];
    if (typeof raw !== "string") throw new InvalidArgumentError(`--${name} is required`);
    return raw;
}

export function rerankerOptionsFrom(values: FlagValues): RerankerLoadOptions {
    const gpu = values.gpu;
    const model = requiredString(values, "model");
    return {
        model,
        download: { directory: values["model-dir"] as string | undefined, onProgress: downloadProgressPrinter(model).onProgress },
        gpu: gpu === undefined ? undefined : gpu === "cpu" || gpu === "false" ? false : (gpu as RerankerLoadOptions["gpu"]),
        slots: integerFlag(values, "slots"),
        maxLength: integerFlag(values, "max-length"),
        prompt: values.prompt as string | undefined,
        profile: values.profile as string | undefined,
        threads: integerFlag(values, "threads"),
        batchSize: integerFlag(values, "batch-size"),
        kvType: values["kv-type"] as RerankerLoadOptions["kvType"],
        flashAttention: values["flash-attention"] === true ? true : undefined,
        sharePrefix: values["no-share-prefix"] === true ? false : undefined,
        strict: values.strict === true,
        lora: values.lora as string | undefined,
        scoreHead: values["score-head"] as RerankerLoadOptions["scoreHead"],
        tokenCacheBytes: integerFlag(values, "token-cache-bytes"),
        scoreCacheBytes: integerFlag(values, "score-cache-bytes"),
        healthCheck: values["no-health-check"] === true ? false : undefined,
        onWarning: (warning) => console.error(`llm-rerank: warning: ${warning.message}`)
    };
}
