/**
 * llm-rerank/ai-sdk: this library as a Vercel AI SDK reranking model (RerankingModelV4 of
 * @ai-sdk/provider 4, as `rerank()` of `ai` 7 calls it).
 *
 *     import { rerank } from "ai";
 *     import { createLlmRerank } from "llm-rerank/ai-sdk";
 *     const llmRerank = createLlmRerank({ isolation: "process" });
 *     const { ranking } = await rerank({ model: llmRerank("bge-reranker-v2-gemma-f32.gguf"), query, documents, topN: 5 });
 *
 * Only types come from @ai-sdk/provider: nothing from the AI SDK is loaded at run time.
 */
import type { JSONObject, ProviderV4, RerankingModelV4, RerankingModelV4CallOptions, RerankingModelV4Result, SharedV4Warning } from "@ai-sdk/provider";
import type { CallUsage, RerankerLoadOptions } from "../RerankerOptions.js";
import { invalidArgument, isPlainObject } from "../utils/validate.js";
import { type AdapterScoreOptions, ScorerHandle, type ScorerSource } from "./scorerSource.js";

export type { ScorerSource, AdapterScoreOptions } from "./scorerSource.js";

/** The key of this provider in the AI SDK's providerOptions and providerMetadata. */
export const providerKey = "llmRerank";

export type LlmRerankModelSettings = AdapterScoreOptions & {
    /** The passage scored for an object document. Default: JSON.stringify(document). */
    documentToText?: (document: JSONObject) => string;
};

/** Per call, through `rerank({ providerOptions: { llmRerank: { normalize: false } } })`. */
export type LlmRerankProviderOptions = { normalize?: boolean };

/** What each call reports in `providerMetadata.llmRerank`. */
export type LlmRerankProviderMetadata = {
    /** Whether relevanceScore is the profile's normalized score ("sigmoid"), or the raw score. */
    normalized: boolean;
    /** What normalization applies for this model ("sigmoid", "none"; null for a remote scorer that does not say). */
    normalization: "sigmoid" | "none" | null;
    profile: string | null;
    usage: CallUsage | null;
};

/**
 * A RerankingModelV4 over a Scorer. relevanceScore is Scorer.rerank's score with `normalize: true`
 * by default (bge: the sigmoid of the logit, 0..1; Qwen3: its probability, unchanged), the same
 * scale as the AI SDK's hosted rerankers; `normalize: false` gives the raw score.
 */
export class LlmRerankRerankingModel implements RerankingModelV4 {
    readonly specificationVersion = "v4" as const;
    readonly provider = "llm-rerank";
    readonly modelId: string;
    private readonly handle: ScorerHandle;
    private readonly settings: LlmRerankModelSettings;
    private readonly ownsHandle: boolean;

    /**
     * `source`: a Scorer you own (Reranker, isolated or not, RemoteReranker), or Reranker load
     * options (`{ model, isolation?, gpu?, … }`) for a Reranker loaded on the first call and freed
     * by dispose().
     */
    constructor(source: ScorerSource, settings: LlmRerankModelSettings = {}, /** @internal */ shared?: ScorerHandle) {
        if (!isPlainObject(settings)) throw invalidArgument("settings", "an object", settings);
        if (settings.documentToText !== undefined && typeof settings.documentToText !== "function")
            throw invalidArgument("documentToText", "a function", settings.documentToText);
        this.handle = shared ?? new ScorerHandle(source);
        this.ownsHandle = shared === undefined;
        this.settings = settings;
        this.modelId = this.handle.modelName;
    }

    async doRerank(options: RerankingModelV4CallOptions): Promise<RerankingModelV4Result> {
        const { documents, query, topN, abortSignal, providerOptions, headers } = options;
        const warnings: SharedV4Warning[] = [];
        if (headers && Object.keys(headers).length > 0)
            warnings.push({
                type: "unsupported",
                feature: "headers",
                details: "llm-rerank runs the model itself: there is no HTTP request to send headers with"
            });
        const normalize = readNormalize(providerOptions?.[providerKey], this.settings.normalize ?? true);
        const texts = documents.type === "text" ? documents.values : documents.values.map((document) => this.objectText(document));
        let usage: CallUsage | null = null;
        const scorer = await this.handle.get();
        const ranking = await this.handle.rank(query, texts, {
            normalize,
            ...(topN !== undefined ? { topN } : {}),
            ...(abortSignal ? { signal: abortSignal } : {}),
            ...(this.settings.onProgress ? { onProgress: this.settings.onProgress } : {}),
            onUsage: (callUsage) => {
                usage = callUsage;
                this.settings.onUsage?.(callUsage);
            }
        });
        const description = scorer.describe();
        const metadata: LlmRerankProviderMetadata = { normalized: normalize, normalization: description.normalize, profile: description.profile, usage };
        return {
            ranking: ranking.map(({ index, score }) => ({ index, relevanceScore: score })),
            providerMetadata: { [providerKey]: metadata as unknown as JSONObject },
            warnings,
            response: { modelId: this.modelId, timestamp: new Date() }
        };
    }

    /** Frees the Reranker this model loaded from options; a Scorer you passed stays yours. */
    async dispose(): Promise<void> {
        if (this.ownsHandle) await this.handle.dispose();
    }

    private objectText(document: JSONObject): string {
        const text = this.settings.documentToText ? this.settings.documentToText(document) : JSON.stringify(document);
        if (typeof text !== "string") throw invalidArgument("documentToText(document)", "a string", text);
        return text;
    }
}

function readNormalize(options: unknown, fallback: boolean): boolean {
    if (options === undefined) return fallback;
    if (!isPlainObject(options)) throw invalidArgument(`providerOptions.${providerKey}`, "an object", options);
    const { normalize, ...rest } = options as LlmRerankProviderOptions & Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw invalidArgument(`providerOptions.${providerKey}`, "only the key normalize", unknown.join(", "));
    if (normalize === undefined) return fallback;
    if (typeof normalize !== "boolean") throw invalidArgument(`providerOptions.${providerKey}.normalize`, "a boolean", normalize);
    return normalize;
}

/** Load options shared by the provider's models (`model` comes from the model id), and model settings. */
export type LlmRerankProviderSettings = Omit<RerankerLoadOptions, "model"> & LlmRerankModelSettings;

/**
 * The provider, in the AI SDK's style: `llmRerank(modelId)` or `llmRerank.rerankingModel(modelId)`,
 * where the model id is a GGUF path or URI (`hf:user/repo/file.gguf`). One Reranker per model id,
 * loaded on the first call and shared by every model object for that id; dispose() frees them all.
 * It has reranking models only: the other ProviderV4 methods throw an AI_NoSuchModelError.
 */
export interface LlmRerankProvider extends ProviderV4 {
    (modelId: string, settings?: LlmRerankModelSettings): LlmRerankRerankingModel;
    reranking(modelId: string, settings?: LlmRerankModelSettings): LlmRerankRerankingModel;
    rerankingModel(modelId: string): LlmRerankRerankingModel;
    dispose(): Promise<void>;
}

const modelSettingNames = ["normalize", "onProgress", "onUsage", "documentToText"] as const satisfies readonly (keyof LlmRerankModelSettings)[];

export function createLlmRerank(settings: LlmRerankProviderSettings = {}): LlmRerankProvider {
    if (!isPlainObject(settings)) throw invalidArgument("settings", "an object", settings);
    if ("model" in settings) throw invalidArgument("settings.model", "no model (the model id names it)", (settings as { model: unknown }).model);
    const loadOptions: Record<string, unknown> = {};
    const defaults: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(settings)) ((modelSettingNames as readonly string[]).includes(key) ? defaults : loadOptions)[key] = value;
    const handles = new Map<string, ScorerHandle>();
    const model = (modelId: string, modelSettings: LlmRerankModelSettings = {}): LlmRerankRerankingModel => {
        if (typeof modelId !== "string" || modelId === "") throw invalidArgument("modelId", "a GGUF path or URI", modelId);
        let handle = handles.get(modelId);
        if (!handle) {
            handle = new ScorerHandle({ ...loadOptions, model: modelId } as RerankerLoadOptions);
            handles.set(modelId, handle);
        }
        return new LlmRerankRerankingModel({ model: modelId }, { ...defaults, ...modelSettings }, handle);
    };
    const noSuchModel =
        (modelType: string) =>
        (modelId: string): never => {
            const error = new Error(`llm-rerank has reranking models only: no ${modelType} ${JSON.stringify(modelId)}`);
            error.name = "AI_NoSuchModelError";
            throw Object.assign(error, { modelId, modelType });
        };
    return Object.assign(model, {
        specificationVersion: "v4" as const,
        reranking: model,
        rerankingModel: (modelId: string) => model(modelId),
        languageModel: noSuchModel("languageModel"),
        embeddingModel: noSuchModel("embeddingModel"),
        imageModel: noSuchModel("imageModel"),
        dispose: async () => {
            const all = [...handles.values()];
            handles.clear();
            await Promise.all(all.map((handle) => handle.dispose()));
        }
    });
}

/** A provider with the library's defaults: `rerank({ model: llmRerank("model.gguf"), … })`. */
export const llmRerank: LlmRerankProvider = createLlmRerank();
