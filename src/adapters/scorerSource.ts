import path from "node:path";
import { DisposedError } from "../errors/errors.js";
import { Reranker } from "../Reranker.js";
import type { CallUsage, RerankerLoadOptions, ScoreProgress } from "../RerankerOptions.js";
import type { Scorer } from "../Scorer.js";
import { invalidArgument, isPlainObject } from "../utils/validate.js";

/**
 * What an adapter scores with: a Scorer you own (a Reranker, in-process or `isolation: "process"`,
 * a RemoteReranker, a fake), or the load options of a Reranker the adapter loads on its first call
 * and frees in its dispose().
 */
export type ScorerSource = Scorer | RerankerLoadOptions;

/** Options every adapter takes, where its framework has no place for them. */
export type AdapterScoreOptions = {
    /**
     * Apply the profile's normalization (bge: a sigmoid, to 0..1; Qwen3: none, its score is already a
     * probability). Default true: frameworks compare, threshold and display scores as 0..1 relevance,
     * and the order is the same either way (the sigmoid is monotonic).
     */
    normalize?: boolean;
    /** Called at decode boundaries with the documents scored so far, on every call. */
    onProgress?: (progress: ScoreProgress) => void;
    /** Called once per call with what it cost (tokens, decodes, milliseconds). */
    onUsage?: (usage: CallUsage) => void;
};

export function isScorer(value: unknown): value is Scorer {
    return (
        typeof value === "object" &&
        value !== null &&
        typeof (value as Scorer).rerank === "function" &&
        typeof (value as Scorer).score === "function" &&
        typeof (value as Scorer).describe === "function"
    );
}

/**
 * One scorer, given or loaded once on first use. A load that fails is not remembered: the next call
 * tries again. dispose() frees only a Reranker this handle loaded itself.
 */
export class ScorerHandle {
    private readonly given: Scorer | undefined;
    private readonly loadOptions: RerankerLoadOptions | undefined;
    private loading: Promise<Scorer> | undefined;
    private disposed = false;

    constructor(source: ScorerSource) {
        if (isScorer(source)) this.given = source;
        else if (isPlainObject(source) && typeof (source as RerankerLoadOptions).model === "string") this.loadOptions = source as RerankerLoadOptions;
        else throw invalidArgument("scorer", "a Scorer (Reranker, RemoteReranker) or Reranker load options with a model", source);
    }

    /** The model's name, known without loading it: the scorer's own, else the file name without .gguf. */
    get modelName(): string {
        if (this.given) return this.given.describe().model.name;
        const model = this.loadOptions!.model;
        return path.basename(model.replace(/#.*$/, "")).replace(/\.gguf$/i, "");
    }

    get(): Promise<Scorer> {
        if (this.disposed) return Promise.reject(new DisposedError("this adapter"));
        if (this.given) return Promise.resolve(this.given);
        this.loading ??= Reranker.load(this.loadOptions!).catch((error: unknown) => {
            this.loading = undefined;
            throw error;
        });
        return this.loading;
    }

    /** Ranks texts against the query: { index, score } best first, as Scorer.rerank returns them. */
    async rank(
        query: string,
        texts: string[],
        options: AdapterScoreOptions & { topN?: number; signal?: AbortSignal }
    ): Promise<{ index: number; score: number }[]> {
        const scorer = await this.get();
        if (texts.length === 0) return [];
        const results = await scorer.rerank(query, texts, {
            normalize: options.normalize ?? true,
            ...(options.topN !== undefined ? { topN: options.topN } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.onUsage ? { onUsage: options.onUsage } : {})
        });
        return results.map(({ index, score }) => ({ index, score }));
    }

    async dispose(): Promise<void> {
        this.disposed = true;
        const loading = this.loading;
        this.loading = undefined;
        if (!loading) return;
        const loaded = await loading.catch(() => undefined);
        await loaded?.dispose();
    }
}
