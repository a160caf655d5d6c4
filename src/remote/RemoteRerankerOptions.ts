export type RemoteRerankerOptions = {
    /**
     * The server's base URL, e.g. "http://127.0.0.1:8012"; the API's path is appended. A URL that
     * already ends in /rerank, /v1/rerank, /v2/rerank or /reranking is used as it is.
     */
    url: string;
    /**
     * "rerank" (default): POST /v1/rerank with {query, documents}: llm-rerank serve, llama-server,
     * vLLM, Cohere, Jina. "tei": POST /rerank with {query, texts}: text-embeddings-inference.
     */
    api?: "rerank" | "tei";
    /** Sent as `Authorization: Bearer <apiKey>`. */
    apiKey?: string;
    /** The `model` field of each request (servers with one model ignore it). */
    model?: string;
    /** Milliseconds for one call, retries and their waits included. Default 60000. */
    timeoutMs?: number;
    /** Retries after a refused connection or a 503 with Retry-After. Default 2; 0 disables. */
    maxRetries?: number;
    /** The longest Retry-After the client waits out; a longer one fails at once. Default 10000 ms. */
    maxRetryDelayMs?: number;
    /** Documents per request; longer lists are split and sent concurrently. Default 1000 (Cohere's limit). */
    maxDocumentsPerRequest?: number;
    /** Extra headers for every request (a gateway's own auth, tracing). */
    headers?: Record<string, string>;
};
