export type ModelDownloadProgress = { downloadedBytes: number; totalBytes: number };

/** How a model given as a URI (hf:user/repo/file.gguf, https://…) is fetched and cached. */
export type ModelDownloadOptions = {
    /**
     * The cache folder: a URI's file is downloaded there once and loaded from there afterwards,
     * offline. Default: $LLM_RERANK_MODELS_DIR, else ~/.cache/llm-rerank/models. An Electron app
     * passes a folder under app.getPath("userData").
     */
    directory?: string;
    /** Called as bytes arrive (not on a cache hit). */
    onProgress?: (progress: ModelDownloadProgress) => void;
    /** Stops the download with an AbortedError; the partial file is removed. */
    signal?: AbortSignal;
    /** Extra HTTP headers (an Authorization header for a private mirror). HF_TOKEN is read for hf: URIs. */
    headers?: Record<string, string>;
    /** Where hf: URIs resolve. Default: $HF_ENDPOINT, else https://huggingface.co/ (a mirror goes here). */
    huggingFaceEndpoint?: string;
};
