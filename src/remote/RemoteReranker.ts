import { InvalidArgumentError } from "../errors/errors.js";
import type { RerankOptions, RerankResult, ScoreOptions, StreamedScore } from "../RerankerOptions.js";
import type { Scorer, ScorerDescription } from "../Scorer.js";
import { expectArray, expectBoolean, expectInteger, expectOneOf, expectString, invalidArgument, isPlainObject } from "../utils/validate.js";
import { postJsonWithRetries, type RetryPolicy } from "./postJsonWithRetries.js";
import { readRemoteScores } from "./readRemoteScores.js";
import type { RemoteRerankerOptions } from "./RemoteRerankerOptions.js";

/**
 * The Reranker's score/rerank API over HTTP, for when the model runs elsewhere: `llm-rerank
 * serve`, llama-server, vLLM, text-embeddings-inference, or a hosted Cohere-compatible API.
 * Moving from the embedded Reranker to a server changes one constructor.
 *
 * Scores are what the server computes. `normalize` asks for the profile's 0..1 score (the
 * default of these APIs); without it the raw score is asked for with `raw_scores: true`, which
 * llm-rerank serve and TEI honour and other servers ignore (vLLM answers sigmoid scores,
 * llama-server the head's raw output, Cohere and Jina their 0..1 relevance).
 */
export class RemoteReranker implements Scorer {
    readonly url: string;
    readonly api: "rerank" | "tei";
    private readonly model: string | undefined;
    private readonly headers: Record<string, string>;
    private readonly policy: RetryPolicy;
    private readonly maxDocumentsPerRequest: number;

    constructor(options: RemoteRerankerOptions) {
        if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
        this.api = options.api === undefined ? "rerank" : expectOneOf("api", options.api, ["rerank", "tei"] as const);
        this.url = endpointOf(expectString("url", options.url), this.api);
        this.model = options.model === undefined ? undefined : expectString("model", options.model);
        this.headers = { ...(options.headers ?? {}) };
        if (options.apiKey !== undefined) this.headers.Authorization = `Bearer ${expectString("apiKey", options.apiKey)}`;
        this.policy = {
            timeoutMs: options.timeoutMs === undefined ? 60_000 : expectInteger("timeoutMs", options.timeoutMs, 1),
            maxRetries: options.maxRetries === undefined ? 2 : expectInteger("maxRetries", options.maxRetries, 0, 10),
            maxRetryDelayMs: options.maxRetryDelayMs === undefined ? 10_000 : expectInteger("maxRetryDelayMs", options.maxRetryDelayMs, 0)
        };
        this.maxDocumentsPerRequest =
            options.maxDocumentsPerRequest === undefined ? 1000 : expectInteger("maxDocumentsPerRequest", options.maxDocumentsPerRequest, 1);
    }

    /** One score per pair, in input order; pairs that share a query go in one request. */
    async score(pairs: [string, string][], options: ScoreOptions = {}): Promise<number[]> {
        const { normalize, signal } = readOptions(options);
        const byQuery = groupByQuery(pairs);
        const scores = new Array<number>(pairs.length);
        await Promise.all(
            [...byQuery].map(async ([query, indices]) => {
                const groupScores = await this.scoreDocuments(
                    query,
                    indices.map((i) => pairs[i]![1]),
                    normalize,
                    signal
                );
                indices.forEach((pairIndex, i) => (scores[pairIndex] = groupScores[i]!));
            })
        );
        return scores;
    }

    /** Scores passages against one query; best first, as Reranker.rerank. */
    async rerank(query: string, passages: string[], options: RerankOptions = {}): Promise<RerankResult[]> {
        const { normalize, signal } = readOptions(options);
        expectString("query", query);
        expectArray("passages", passages).forEach((passage, i) => expectString(`passages[${i}]`, passage));
        const topN = options.topN === undefined ? passages.length : expectInteger("topN", options.topN, 0);
        const scores = await this.scoreDocuments(query, passages, normalize, signal);
        return scores
            .map((score, index) => ({ index, score, passage: passages[index]! }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, topN);
    }

    /**
     * Yields { index, score } as the server answers: pairs that share a query go in one request,
     * so a query's scores arrive together, in completion order across queries. Breaking out of the
     * loop cancels the requests still running.
     */
    async *scoreStream(pairs: [string, string][], options: ScoreOptions = {}): AsyncGenerator<StreamedScore, void, undefined> {
        const { normalize, signal } = readOptions(options);
        const stop = new AbortController();
        const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
        const ready: StreamedScore[] = [];
        let wake: (() => void) | undefined;
        let finished = false;
        let failure: unknown;
        const byQuery = groupByQuery(pairs);
        const work = Promise.all(
            [...byQuery].map(async ([query, indices]) => {
                const scores = await this.scoreDocuments(
                    query,
                    indices.map((i) => pairs[i]![1]),
                    normalize,
                    combined
                );
                indices.forEach((pairIndex, i) => ready.push({ index: pairIndex, score: scores[i]! }));
                wake?.();
            })
        ).then(
            () => (finished = true),
            (error: unknown) => {
                finished = true;
                failure = error;
            }
        );
        void work.finally(() => wake?.());
        try {
            while (true) {
                while (ready.length > 0) yield ready.shift()!;
                if (finished) break;
                await new Promise<void>((resolve) => (wake = resolve));
                wake = undefined;
            }
            if (failure !== undefined) throw failure;
        } finally {
            stop.abort();
            await work;
        }
    }

    describe(): ScorerDescription & { remote: { url: string; api: "rerank" | "tei" } } {
        return { model: { name: this.model ?? this.url }, profile: null, normalize: null, remote: { url: this.url, api: this.api } };
    }

    /** Nothing is held open between calls; present so code written for Reranker runs unchanged. */
    async dispose(): Promise<void> {}

    async [Symbol.asyncDispose](): Promise<void> {}

    private async scoreDocuments(query: string, documents: string[], normalize: boolean, signal: AbortSignal | undefined): Promise<number[]> {
        if (documents.length === 0) return [];
        const chunks: string[][] = [];
        for (let start = 0; start < documents.length; start += this.maxDocumentsPerRequest)
            chunks.push(documents.slice(start, start + this.maxDocumentsPerRequest));
        const answers = await Promise.all(
            chunks.map(async (chunk) =>
                readRemoteScores(
                    await postJsonWithRetries(this.url, this.requestBody(query, chunk, normalize), this.headers, this.policy, signal),
                    chunk.length,
                    this.url
                )
            )
        );
        return answers.flat();
    }

    private requestBody(query: string, documents: string[], normalize: boolean): Record<string, unknown> {
        if (this.api === "tei") return { query, texts: documents, raw_scores: !normalize, return_text: false };
        return { ...(this.model !== undefined ? { model: this.model } : {}), query, documents, return_documents: false, raw_scores: !normalize };
    }
}

function endpointOf(base: string, api: "rerank" | "tei"): string {
    let parsed: URL;
    try {
        parsed = new URL(base);
    } catch {
        throw invalidArgument("url", "an http:// or https:// URL", base);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw invalidArgument("url", "an http:// or https:// URL", base);
    const pathname = parsed.pathname.replace(/\/+$/, "");
    if (/\/(rerank|reranking)$/.test(pathname)) return parsed.toString();
    parsed.pathname = `${pathname}${api === "tei" ? "/rerank" : pathname.endsWith("/v1") ? "/rerank" : "/v1/rerank"}`;
    return parsed.toString();
}

function readOptions(options: ScoreOptions): { normalize: boolean; signal: AbortSignal | undefined } {
    if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidArgument("signal", "an AbortSignal", options.signal);
    // Refused, not silently dropped: the answers of the APIs this client speaks carry no windows.
    if (options.overflow === "max-window")
        throw new InvalidArgumentError('RemoteReranker does not send overflow "max-window"; serve with --overflow max-window instead');
    return { normalize: options.normalize === undefined ? false : expectBoolean("normalize", options.normalize), signal: options.signal };
}

/** Pair indices by query, after checking every pair. */
function groupByQuery(pairs: unknown): Map<string, number[]> {
    const byQuery = new Map<string, number[]>();
    expectArray("pairs", pairs).forEach((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
            throw invalidArgument(`pairs[${i}]`, "a [query, passage] pair of strings", pair);
        }
        const indices = byQuery.get(pair[0]) ?? [];
        indices.push(i);
        byQuery.set(pair[0], indices);
    });
    return byQuery;
}
