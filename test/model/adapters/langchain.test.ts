import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import { BaseRetriever } from "@langchain/core/retrievers";
import { BaseDocumentCompressor } from "@langchain/core/retrievers/document_compressors";
import { ContextualCompressionRetriever } from "@langchain/classic/retrievers/contextual_compression";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlmRerankCompressor } from "../../../src/adapters/langchain.js";
import { InvalidArgumentError, Reranker } from "../../../src/index.js";
import { samplePassages, sampleQuery } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";

// The compressor through the real @langchain/core and @langchain/classic's ContextualCompressionRetriever,
// its scores compared bit for bit with Reranker.rerank on the same Reranker.

/** A base retriever that returns every document it holds, in its own order, with metadata. */
class FixedRetriever extends BaseRetriever {
    override lc_namespace = ["test", "fixed"];
    constructor(private readonly documents: DocumentInterface[]) {
        super();
    }
    override async _getRelevantDocuments(_query: string, _runManager?: CallbackManagerForRetrieverRun): Promise<DocumentInterface[]> {
        return this.documents;
    }
}

const documents = samplePassages.map((pageContent, i) => new Document({ pageContent, metadata: { source: `doc-${i}.md`, position: i }, id: `id-${i}` }));

describe("llm-rerank/langchain", () => {
    let reranker: Reranker;

    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, threads: 1, onWarning: () => undefined });
    });
    afterAll(() => reranker?.dispose());

    it("is a BaseDocumentCompressor that ContextualCompressionRetriever reorders and cuts with, keeping metadata", async () => {
        const compressor = new LlmRerankCompressor({ scorer: reranker, topN: 3 });
        expect(compressor).toBeInstanceOf(BaseDocumentCompressor);
        expect(BaseDocumentCompressor.isBaseDocumentCompressor(compressor)).toBe(true);
        const retriever = new ContextualCompressionRetriever({ baseCompressor: compressor, baseRetriever: new FixedRetriever(documents) });
        const expected = await reranker.rerank(sampleQuery, samplePassages, { normalize: true, topN: 3 });
        const found = await retriever.invoke(sampleQuery);
        expect(found).toHaveLength(3);
        found.forEach((document, rank) => {
            const { index, score } = expected[rank]!;
            expect(document.pageContent).toBe(samplePassages[index]);
            expect(document.id).toBe(`id-${index}`);
            expect(document.metadata).toEqual({ source: `doc-${index}.md`, position: index, relevanceScore: score });
        });
        // The inputs are not changed.
        expect(documents[0]!.metadata).toEqual({ source: "doc-0.md", position: 0 });
    });

    it("keeps every document by default, cuts by minScore, gives raw scores with normalize false, and writes no score with scoreKey null", async () => {
        const raw = await reranker.rerank(sampleQuery, samplePassages);
        const all = await new LlmRerankCompressor({ scorer: reranker, normalize: false }).compressDocuments(documents, sampleQuery);
        expect(all.map((document) => [document.metadata.position, document.metadata.relevanceScore])).toEqual(raw.map(({ index, score }) => [index, score]));

        const threshold = raw[3]!.score;
        const cut = await new LlmRerankCompressor({ scorer: reranker, normalize: false, minScore: threshold }).rerank(documents, sampleQuery);
        expect(cut).toEqual(raw.filter(({ score }) => score >= threshold).map(({ index, score }) => ({ index, relevanceScore: score })));

        const plain = await new LlmRerankCompressor({ scorer: reranker, scoreKey: null, topN: 1 }).compressDocuments(documents, sampleQuery);
        expect(plain[0]!.metadata).toEqual(documents[raw[0]!.index]!.metadata);
        expect(await new LlmRerankCompressor({ scorer: reranker }).compressDocuments([], sampleQuery)).toEqual([]);
    });

    it("loads a Reranker from options on first use and frees it on dispose", async () => {
        const compressor = new LlmRerankCompressor({ scorer: { model: testModels.tiny, gpu: false, threads: 1, onWarning: () => undefined }, topN: 2 });
        try {
            const expected = await reranker.rerank(sampleQuery, samplePassages, { normalize: true, topN: 2 });
            const found = await compressor.compressDocuments(documents, sampleQuery);
            expect(found.map((document) => [document.metadata.position, document.metadata.relevanceScore])).toEqual(
                expected.map(({ index, score }) => [index, score])
            );
        } finally {
            await compressor.dispose();
        }
        await expect(compressor.compressDocuments(documents, sampleQuery)).rejects.toThrow(/disposed/);
        expect(() => new LlmRerankCompressor({ scorer: {} as never })).toThrow(InvalidArgumentError);
    });
});
