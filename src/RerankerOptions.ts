import type { ModelDownloadOptions } from "./model/ModelDownloadOptions.js";
import type { IsolationProcess } from "./isolation/IsolationChannel.js";
import type { GpuOption, LlamaBuildOption } from "./native/HostDescription.js";

export type RerankWarning = {
    code:
        | "LOW_PRECISION_WEIGHTS"
        | "PROMPT_MISMATCH"
        | "F16_KV_CACHE"
        | "UNVERIFIED_RERANK_HEAD"
        | "RERANK_TEMPLATE_IGNORED"
        | "SLOTS_REDUCED"
        | "FP16_ARITHMETIC";
    message: string;
};

export type RerankerLoadOptions = {
    /**
     * The GGUF file: a path, or a URI downloaded once into a cache folder (`download`):
     * `hf:user/repo/path/file.gguf[#branch]` or an `https://` URL.
     */
    model: string;
    /** Cache folder, progress, cancellation and headers for a model given as a URI. */
    download?: ModelDownloadOptions;
    /**
     * "none" (default): llama.cpp runs in this process. "process": in a child process the library
     * starts, so an abort inside llama.cpp fails the calls in flight with a BackendCrashedError
     * instead of taking this process down. Scores are the same bit for bit.
     */
    isolation?: "none" | "process";
    /**
     * How the isolated process is started (default: child_process.fork). In Electron's main process,
     * `(entryPoint) => utilityProcess.fork(entryPoint)` runs it as a utility process instead.
     */
    isolationProcess?: (entryPoint: string) => IsolationProcess;
    /** Which backend node-llama-cpp loads: "auto" (default) picks CUDA, Metal or Vulkan when present, else the CPU. */
    gpu?: GpuOption;
    /**
     * Which llama.cpp binaries: "auto" (default) uses a local build made by `llm-rerank build-llama`
     * when one exists, else node-llama-cpp's prebuilt ones. One process holds one llama.cpp.
     */
    llamaBuild?: LlamaBuildOption;
    /**
     * A built-in profile's name ("qwen3-reranker", see listProfiles()), or the path of a profile
     * file: a string ending in ".json" is read as a file (docs/profiles.md), any other as a name.
     * Default: detected from the GGUF.
     */
    profile?: string;
    /**
     * Allow the GPU backend to compute in FP16 (Vulkan: GGML_VK_DISABLE_F16 is left unset; CUDA:
     * cuBLAS keeps TF32). Faster on GPUs with fast FP16, and less exact: warns. Default false: the
     * library sets those switches, unless the environment already sets them. One setting per process.
     */
    fp16Arithmetic?: boolean;
    /**
     * Sequences evaluated side by side, one KV slot each. Default: as many as fit in half the free
     * memory left after the weights, up to 4 on CPU and 64 on a GPU. A request that does not fit
     * gets fewer slots and a SLOTS_REDUCED warning.
     */
    slots?: number;
    /**
     * The profile's token budget. FlagEmbedding (bge-reranker-v2-gemma): max_length, the passage
     * budget, default 512. Qwen3-Reranker: the whole input, default 1024 (the model card allows
     * 8192; raise it for long documents, at the cost of KV memory per slot).
     */
    maxLength?: number;
    /**
     * The prompt (FlagEmbedding) or instruction (Qwen3-Reranker). Default: the one recorded in the
     * model's .rerank.json sidecar, else the profile's, which the model was trained with.
     */
    prompt?: string;
    /** CPU threads for llama.cpp. Default: $LLM_RERANK_THREADS when set, else node-llama-cpp's count of math cores. */
    threads?: number;
    /** Tokens per llama_decode. Default: 512 on CPU; on a GPU, slots × the longest input, within [512, 8192]. */
    batchSize?: number;
    /** Physical micro-batch. Default: 512. */
    ubatchSize?: number;
    /** KV cache precision. Default "f32"; "f16" halves its memory and costs accuracy. */
    kvType?: "f32" | "f16";
    /** Flash attention. Default off: with it on, llama.cpp keeps the KV cache in F16. */
    flashAttention?: boolean;
    /** Decode the [bos] + query + separator prefix once per query and share it. Default true. */
    sharePrefix?: boolean;
    /** Texts whose token ids are remembered (queries and passages). Default 10000; 0 disables. */
    tokenCacheSize?: number;
    /**
     * Bytes the token cache may hold, counted as 2 per UTF-16 code unit of the text, 4 per id and
     * 128 per entry. Default 64 MiB (about 10,000 passages of 1,500 characters); 0 disables.
     */
    tokenCacheBytes?: number;
    /** Scores remembered by (query, passage). Default 0 (off). */
    scoreCacheSize?: number;
    /** Bytes the score cache may hold: 2 per UTF-16 code unit of the pair, 8 for the score, 128 per entry. Default 64 MiB; 0 disables. */
    scoreCacheBytes?: number;
    /**
     * Fail with a PromptMismatchError, instead of warning, when the prompt differs from the one
     * recorded in the model's (or adapter's) `.rerank.json` sidecar.
     */
    strict?: boolean;
    /** A llama.cpp LoRA adapter (GGUF) applied on top of the model; its own sidecar records its prompt. */
    lora?: string;
    /** Scale of the LoRA adapter. Default 1. */
    loraScale?: number;
    /**
     * How scores are read. "auto" (default): a classifier model (bge-reranker-v2-m3) through
     * llama.cpp's rank pooling; a converted Qwen3-Reranker through the yes/no logits when its head
     * is tied to the embeddings (same score, less work), through rank pooling when untied (4B, 8B).
     * "logits" or "rank" force one where the file allows it.
     */
    scoreHead?: "auto" | "logits" | "rank";
    /** Receives warnings (low-precision weights, prompt mismatch). Default: process.emitWarning. */
    onWarning?: (warning: RerankWarning) => void;
};

export type ScoreOptions = {
    /** Apply a sigmoid to each score, as FlagEmbedding's normalize=True does. */
    normalize?: boolean;
    /**
     * Stops the call with an AbortedError at the next decode boundary (a search-as-you-type UI
     * drops stale queries this way). The reranker stays usable.
     */
    signal?: AbortSignal;
    /** Called at decode boundaries with the pairs scored so far (cached ones at once). */
    onProgress?: (progress: ScoreProgress) => void;
    /**
     * Called once when the call ends, also when it fails or is aborted (then it counts how far it
     * got): the tokens it built and evaluated, the decodes it took and shared, its queue and compute
     * time. The server's `usage` and the bench read it.
     */
    onUsage?: (usage: CallUsage) => void;
};

/** What one call cost, as the engine counted it. */
export type CallUsage = {
    /** Items (pairs or token sequences) in the call. */
    items: number;
    /** Items answered from the score cache, without a decode. */
    cachedItems: number;
    /** Tokens of the model inputs this call built (after the profile's truncation), cached items excluded. */
    inputTokens: number;
    /** Tokens this call's sequences put into decodes: inputTokens less the prefix cells reused or copied. */
    tokensEvaluated: number;
    /** llama_decode calls that held at least one of this call's tokens. */
    decodes: number;
    /** Of those, decodes that also held another call's tokens (continuous batching). */
    sharedDecodes: number;
    /** Milliseconds spent tokenizing this call's texts (off the main thread). */
    tokenizeMs: number;
    /** Milliseconds from handing the sequences to the engine until its first decode. */
    queueMs: number;
    /** Milliseconds from its first decode until its last sequence was scored (or it stopped). */
    computeMs: number;
};

export type ScoreProgress = { done: number; total: number };

/** One pair's score from scoreStream(), as soon as it is known. */
export type StreamedScore = { index: number; score: number };

export type RerankOptions = ScoreOptions & {
    /** Return only the best topN results. */
    topN?: number;
};

export type RerankResult = {
    /** Position of the passage in the input array. */
    index: number;
    score: number;
    passage: string;
};
