import type { ModelDownloadOptions } from "./model/ModelDownloadOptions.js";
import type { IsolationProcess } from "./isolation/IsolationChannel.js";
import type { GpuOption, LlamaBuildOption } from "./native/HostDescription.js";
import type { ModelHealthWarning } from "./health/ModelHealth.js";

/**
 * What onWarning receives. The HEALTH_* codes (the health check's findings, ModelHealthWarning)
 * also carry `observed`, `cause` and `fix`.
 */
export type RerankWarning = ModelHealthWarning | GeneralWarning;

type GeneralWarning = {
    code:
        | "LOW_PRECISION_WEIGHTS"
        | "PROMPT_MISMATCH"
        | "F16_KV_CACHE"
        | "UNVERIFIED_RERANK_HEAD"
        | "RERANK_TEMPLATE_IGNORED"
        | "SLOTS_REDUCED"
        | "FP16_ARITHMETIC"
        | "UNVERIFIED_CLASSIFIER_POOLING"
        | "SLOWER_LLAMA_BUILD";
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
    /**
     * After loading, score a few built-in canary pairs once (a relevant and an irrelevant passage in
     * English, German, Chinese and Spanish: 8 short pairs) and warn (onWarning, HEALTH_* codes)
     * when the output is degenerate: non-finite, the same for every pair, saturated at 0 or 1, or
     * ranking the relevant passage last in every language (a swapped or mislabelled head). The
     * result is in describe().health. Default true; it skips llm-rerank's own generated test models
     * (random weights, where canaries mean nothing). reranker.checkHealth() runs it on demand.
     */
    healthCheck?: boolean;
    /** Receives warnings (low-precision weights, prompt mismatch, health findings). Default: process.emitWarning. */
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
    /**
     * What to do with a passage longer than the profile's budget. "truncate" (default): cut it as the
     * model's reference code does. "max-window": score it in overlapping windows, each window a pair
     * of its own, and give the passage the best window's score (results carry that window).
     * Cancellation and onProgress count windows. docs/long-documents.md.
     */
    overflow?: "truncate" | "max-window";
    /**
     * With "max-window": the most tokens of the passage (as tok(passage) counts them) one window
     * holds. Default: as many as fit after the query and the template. More than fit is an error.
     */
    windowTokens?: number;
    /**
     * With "max-window": tokens consecutive windows share, at least (whole words; a window never starts
     * before the previous one's second word). Default: a quarter of the window size.
     */
    windowOverlap?: number;
    /**
     * With "max-window": called once, when the call succeeds, with every passage's windows and their
     * scores (normalized when the call is), in input order.
     */
    onWindows?: (passages: PassageWindows[]) => void;
};

/**
 * The window a passage's score comes from (overflow "max-window"). passage.slice(start, end) is the
 * exact text scored as the window's passage: scoring it alone gives the same score. A window after
 * the first starts at a word, after the space that separates it from the text before. tokenStart
 * and tokenEnd are offsets into the passage's own tokens (the passage tokenized alone, after the
 * profile's normalization): [tokenStart, tokenEnd) are the window's tokens there, from the token
 * that holds the space before its first word. A passage that fits whole is one window.
 */
export type PassageWindow = {
    /** UTF-16 code units into the passage. */
    start: number;
    end: number;
    tokenStart: number;
    tokenEnd: number;
    /** Which of the passage's windows this is, and how many it has. */
    index: number;
    count: number;
};

/** A window and its own score. */
export type ScoredWindow = PassageWindow & { score: number };

/** One passage's windows in order; windows[best] gives the passage its score (the first of equal best). */
export type PassageWindows = { windows: ScoredWindow[]; best: number };

/** What one call cost, as the engine counted it. */
export type CallUsage = {
    /** Items (pairs or token sequences) in the call. */
    items: number;
    /**
     * With overflow "max-window": the windows the call's passages were cut into (a passage that
     * fits is one). cachedItems, inputTokens and the counts below are then of windows.
     */
    windows?: number;
    /** Items answered from the score cache, without a decode. */
    cachedItems: number;
    /** Tokens of the model inputs this call built (after the profile's truncation), cached items excluded. */
    inputTokens: number;
    /** Tokens this call's sequences put into decodes: inputTokens less the prefix cells reused or copied. */
    tokensEvaluated: number;
    /**
     * Tokens decoded after a finishing sequence's last token so that its decode ran as one llama.cpp
     * micro-batch with the others (filler: the sequence's last token repeated; it changes no score,
     * since the score is read at the last real token). Not part of tokensEvaluated.
     */
    fillerTokens: number;
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
export type StreamedScore = { index: number; score: number; window?: PassageWindow };

export type RerankOptions = ScoreOptions & {
    /** Return only the best topN results. */
    topN?: number;
};

export type RerankResult = {
    /** Position of the passage in the input array. */
    index: number;
    score: number;
    passage: string;
    /** With overflow "max-window": the window the score comes from. */
    window?: PassageWindow;
};
