/**
 * llm-rerank/langchain: this library as a LangChain.js document compressor (BaseDocumentCompressor
 * of @langchain/core 1), for ContextualCompressionRetriever or on its own.
 *
 *     import { ContextualCompressionRetriever } from "@langchain/classic/retrievers/contextual_compression";
 *     import { LlmRerankCompressor } from "llm-rerank/langchain";
 *     const retriever = new ContextualCompressionRetriever({
 *         baseCompressor: new LlmRerankCompressor({ scorer: { model: "bge-reranker-v2-gemma-f32.gguf" }, topN: 5 }),
 *         baseRetriever: vectorStore.asRetriever(20)
 *     });
 */
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import { BaseDocumentCompressor } from "@langchain/core/retrievers/document_compressors";
import { expectInteger, invalidArgument, isPlainObject } from "../utils/validate.js";
import { type AdapterScoreOptions, ScorerHandle, type ScorerSource } from "./scorerSource.js";

export type { ScorerSource, AdapterScoreOptions } from "./scorerSource.js";

export type LlmRerankCompressorFields = AdapterScoreOptions & {
    /** A Scorer you own, or Reranker load options (`{ model, isolation?, … }`): loaded on first use, freed by dispose(). */
    scorer: ScorerSource;
    /** Keep the best topN documents. Default: all of them, best first. */
    topN?: number;
    /** Drop documents scoring below this (on the scale `normalize` picks). Default: none dropped. */
    minScore?: number;
    /** The metadata key the score is written to, on a copy of each document. Default "relevanceScore"; null: none. */
    scoreKey?: string | null;
    /**
     * Stops every call of this compressor (LangChain passes no AbortSignal to compressDocuments):
     * for shutting an app down, not for one request.
     */
    signal?: AbortSignal;
};

/**
 * Reorders documents by the reranker's score, best first, and cuts them to topN and minScore. Each
 * document comes back as a new Document with the same pageContent, id and metadata, plus the score
 * under `scoreKey`; the inputs are not changed. Scores are Scorer.rerank's with `normalize: true` by
 * default (0..1 relevance).
 */
export class LlmRerankCompressor extends BaseDocumentCompressor {
    private readonly handle: ScorerHandle;
    private readonly fields: LlmRerankCompressorFields;

    constructor(fields: LlmRerankCompressorFields) {
        super();
        if (!isPlainObject(fields)) throw invalidArgument("fields", "an object", fields);
        if (fields.topN !== undefined) expectInteger("topN", fields.topN, 0);
        if (fields.minScore !== undefined && (typeof fields.minScore !== "number" || Number.isNaN(fields.minScore)))
            throw invalidArgument("minScore", "a number", fields.minScore);
        if (fields.scoreKey !== undefined && fields.scoreKey !== null && typeof fields.scoreKey !== "string")
            throw invalidArgument("scoreKey", "a string or null", fields.scoreKey);
        this.handle = new ScorerHandle(fields.scorer);
        this.fields = fields;
    }

    /** { index, relevanceScore } best first, cut to topN and minScore: the ranking without documents. */
    async rerank(documents: (DocumentInterface | string)[], query: string): Promise<{ index: number; relevanceScore: number }[]> {
        const texts = documents.map((document) => (typeof document === "string" ? document : document.pageContent));
        const ranking = await this.handle.rank(query, texts, {
            ...(this.fields.normalize !== undefined ? { normalize: this.fields.normalize } : {}),
            ...(this.fields.topN !== undefined ? { topN: this.fields.topN } : {}),
            ...(this.fields.signal ? { signal: this.fields.signal } : {}),
            ...(this.fields.onProgress ? { onProgress: this.fields.onProgress } : {}),
            ...(this.fields.onUsage ? { onUsage: this.fields.onUsage } : {})
        });
        const minScore = this.fields.minScore;
        return ranking.filter(({ score }) => minScore === undefined || score >= minScore).map(({ index, score }) => ({ index, relevanceScore: score }));
    }

    async compressDocuments(documents: DocumentInterface[], query: string, _callbacks?: Callbacks): Promise<DocumentInterface[]> {
        const scoreKey = this.fields.scoreKey === undefined ? "relevanceScore" : this.fields.scoreKey;
        const ranking = await this.rerank(documents, query);
        return ranking.map(({ index, relevanceScore }) => {
            const document = documents[index]!;
            return new Document({
                pageContent: document.pageContent,
                metadata: scoreKey === null ? { ...document.metadata } : { ...document.metadata, [scoreKey]: relevanceScore },
                ...(document.id !== undefined ? { id: document.id } : {})
            });
        });
    }

    /** Frees the Reranker loaded from options; a Scorer you passed stays yours. */
    dispose(): Promise<void> {
        return this.handle.dispose();
    }
}
