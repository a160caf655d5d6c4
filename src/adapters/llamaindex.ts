/**
 * llm-rerank/llamaindex: this library as a LlamaIndex.TS node postprocessor (BaseNodePostprocessor
 * of @llamaindex/core 0.6), for a query engine's nodePostprocessors or on its own.
 *
 *     import { LlmRerankPostprocessor } from "llm-rerank/llamaindex";
 *     const queryEngine = index.asQueryEngine({
 *         similarityTopK: 20,
 *         nodePostprocessors: [new LlmRerankPostprocessor({ scorer: { model: "bge-reranker-v2-gemma-f32.gguf" }, topN: 5 })]
 *     });
 */
import type { MessageContent } from "@llamaindex/core/llms";
import type { BaseNodePostprocessor } from "@llamaindex/core/postprocessor";
import { MetadataMode, type NodeWithScore } from "@llamaindex/core/schema";
import { extractText } from "@llamaindex/core/utils";
import { expectInteger, invalidArgument, isPlainObject } from "../utils/validate.js";
import { type AdapterScoreOptions, ScorerHandle, type ScorerSource } from "./scorerSource.js";

export type { ScorerSource, AdapterScoreOptions } from "./scorerSource.js";

export type LlmRerankPostprocessorOptions = AdapterScoreOptions & {
    /** A Scorer you own, or Reranker load options (`{ model, isolation?, … }`): loaded on first use, freed by dispose(). */
    scorer: ScorerSource;
    /** Keep the best topN nodes. Default: all of them, best first. */
    topN?: number;
    /** Drop nodes scoring below this (on the scale `normalize` picks). Default: none dropped. */
    minScore?: number;
    /** Which of a node's metadata is scored with its text (node.getContent(mode)). Default MetadataMode.NONE: the text alone. */
    metadataMode?: MetadataMode;
    /** Stops every call (LlamaIndex passes no AbortSignal to postprocessNodes): for shutting an app down. */
    signal?: AbortSignal;
};

/**
 * Reorders nodes by the reranker's score, best first, cut to topN and minScore. Each result is
 * `{ node, score }` with the same node object (metadata, relationships and id untouched) and the
 * reranker's score in place of the retriever's. Scores are Scorer.rerank's with `normalize: true`
 * by default (0..1 relevance).
 */
export class LlmRerankPostprocessor implements BaseNodePostprocessor {
    private readonly handle: ScorerHandle;
    private readonly options: LlmRerankPostprocessorOptions;

    constructor(options: LlmRerankPostprocessorOptions) {
        if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
        if (options.topN !== undefined) expectInteger("topN", options.topN, 0);
        if (options.minScore !== undefined && (typeof options.minScore !== "number" || Number.isNaN(options.minScore)))
            throw invalidArgument("minScore", "a number", options.minScore);
        this.handle = new ScorerHandle(options.scorer);
        this.options = options;
    }

    async postprocessNodes(nodes: NodeWithScore[], query?: MessageContent): Promise<NodeWithScore[]> {
        if (query === undefined) throw invalidArgument("query", "the query (a string or message content)", query);
        const queryText = extractText(query);
        const mode = this.options.metadataMode ?? MetadataMode.NONE;
        const ranking = await this.handle.rank(
            queryText,
            nodes.map(({ node }) => node.getContent(mode)),
            {
                ...(this.options.normalize !== undefined ? { normalize: this.options.normalize } : {}),
                ...(this.options.topN !== undefined ? { topN: this.options.topN } : {}),
                ...(this.options.signal ? { signal: this.options.signal } : {}),
                ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
                ...(this.options.onUsage ? { onUsage: this.options.onUsage } : {})
            }
        );
        const minScore = this.options.minScore;
        return ranking.filter(({ score }) => minScore === undefined || score >= minScore).map(({ index, score }) => ({ node: nodes[index]!.node, score }));
    }

    /** Frees the Reranker loaded from options; a Scorer you passed stays yours. */
    dispose(): Promise<void> {
        return this.handle.dispose();
    }
}
