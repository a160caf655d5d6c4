import { checkKnownKeys } from "../utils/checkKnownKeys.js";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { ModelDownloadOptions } from "./ModelDownloadOptions.js";
import { downloadModelFile } from "./downloadModelFile.js";
import { expectSecureUrl, parseModelUri } from "./parseModelUri.js";
import { expectString, invalidArgument, isPlainObject } from "../utils/validate.js";

/** Where URIs are cached when the caller names no folder. */
export function defaultModelsDirectory(): string {
    return process.env.LLM_RERANK_MODELS_DIR || path.join(homedir(), ".cache", "llm-rerank", "models");
}

/** Checks `download` options (every key known), without touching the network or the disk. */
export function readDownloadOptions(options: unknown): ModelDownloadOptions {
    if (options === undefined) return {};
    if (!isPlainObject(options)) throw invalidArgument("download", "an object", options);
    checkKnownKeys("download", options, ["directory", "onProgress", "signal", "headers", "huggingFaceEndpoint"]);
    const { directory, onProgress, signal, headers, huggingFaceEndpoint } = options;
    if (directory !== undefined) expectString("download.directory", directory);
    if (onProgress !== undefined && typeof onProgress !== "function") throw invalidArgument("download.onProgress", "a function", onProgress);
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument("download.signal", "an AbortSignal", signal);
    if (headers !== undefined && (!isPlainObject(headers) || Object.values(headers).some((value) => typeof value !== "string"))) {
        throw invalidArgument("download.headers", "an object of header strings", headers);
    }
    if (huggingFaceEndpoint !== undefined) expectSecureUrl("download.huggingFaceEndpoint", expectString("download.huggingFaceEndpoint", huggingFaceEndpoint));
    return options as ModelDownloadOptions;
}

// One download per cache file at a time in this process: a second load of the same URI waits for it.
const downloadsInFlight = new Map<string, Promise<string>>();

/**
 * The local path of `model`: a file path as given, or the cached copy of an hf: URI or URL,
 * downloaded first when it is not cached. A downloaded file is a checked GGUF (inspectModelFile)
 * before it takes its place in the cache, so llama.cpp never opens a broken download.
 */
export async function resolveModelSource(model: unknown, options?: unknown): Promise<string> {
    const source = parseModelUri(expectString("model", model));
    const download = readDownloadOptions(options);
    if (!source) return model as string;
    const directory = path.resolve(download.directory ?? defaultModelsDirectory());
    const cachedPath = path.join(directory, source.cacheFileName);
    if (existsSync(cachedPath)) return cachedPath;
    let inFlight = downloadsInFlight.get(cachedPath);
    if (!inFlight) {
        mkdirSync(directory, { recursive: true });
        inFlight = downloadModelFile(source, cachedPath, download).finally(() => downloadsInFlight.delete(cachedPath));
        downloadsInFlight.set(cachedPath, inFlight);
    }
    return inFlight;
}
