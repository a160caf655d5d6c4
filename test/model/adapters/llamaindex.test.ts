import { RetrieverQueryEngine } from "@llamaindex/core/query-engine";
import type { BaseSynthesizer } from "@llamaindex/core/response-synthesizers";
import { BaseRetriever } from "@llamaindex/core/retriever";
import { Document, MetadataMode, type NodeWithScore, TextNode } from "@llamaindex/core/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlmRerankPostprocessor } from "../../../src/adapters/llamaindex.js";
import { Reranker } from "../../../src/index.js";
import { samplePassages, sampleQuery } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";

// The postprocessor through the real @llamaindex/core: in a RetrieverQueryEngine's
// nodePostprocessors and on its own, its scores compared bit for bit with Reranker.rerank.

/** A retriever that returns every node it holds with the retriever's own (made-up) scores. */
class FixedRetriever extends BaseRetriever {
    constructor(private readonly nodes: NodeWithScore[]) {
        super();
    }
    async _retrieve(): Promise<NodeWithScore[]> {
        return this.nodes;
    }
}

const nodes: NodeWithScore[] = samplePassages.map((text, i) => ({
    node: new TextNode({ text, id_: `node-${i}`, metadata: { file: `doc-${i}.md`, position: i } }),
    score: 1 - i / 10
}));
/** The text a node is scored by: getContent(MetadataMode.NONE), which trims (samplePassages[2] ends with a space). */
const nodeTexts = nodes.map(({ node }) => node.getContent(MetadataMode.NONE));
/** retrieve() never synthesizes: a stand-in keeps the engine from asking Settings for an LLM. */
const noSynthesizer = {} as BaseSynthesizer;

describe("llm-rerank/llamaindex", () => {
    let reranker: Reranker;

    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, threads: 1, onWarning: () => undefined });
    });
    afterAll(() => reranker?.dispose());

    it("reorders and cuts a query engine's retrieved nodes, keeping each node and its metadata", async () => {
        const postprocessor = new LlmRerankPostprocessor({ scorer: reranker, topN: 3 });
        const engine = new RetrieverQueryEngine(new FixedRetriever(nodes), noSynthesizer, [postprocessor]);
        const expected = await reranker.rerank(sampleQuery, nodeTexts, { normalize: true, topN: 3 });
        const found = await engine.retrieve(sampleQuery);
        expect(found.map(({ node, score }) => ({ id: node.id_, score }))).toEqual(expected.map(({ index, score }) => ({ id: `node-${index}`, score })));
        found.forEach(({ node }, rank) => {
            const index = expected[rank]!.index;
            expect(node).toBe(nodes[index]!.node);
            expect(node.metadata).toEqual({ file: `doc-${index}.md`, position: index });
        });
    });

    it("takes message content as the query, raw scores with normalize false, minScore, and the metadata mode", async () => {
        const raw = await reranker.rerank(sampleQuery, nodeTexts);
        const postprocessor = new LlmRerankPostprocessor({ scorer: reranker, normalize: false });
        const viaContent = await postprocessor.postprocessNodes(nodes, [{ type: "text", text: sampleQuery }]);
        expect(viaContent.map(({ node, score }) => [node.metadata.position, score])).toEqual(raw.map(({ index, score }) => [index, score]));

        const threshold = raw[2]!.score;
        const cut = await new LlmRerankPostprocessor({ scorer: reranker, normalize: false, minScore: threshold }).postprocessNodes(nodes, sampleQuery);
        expect(cut.map(({ score }) => score)).toEqual(raw.filter(({ score }) => score >= threshold).map(({ score }) => score));

        const documents = samplePassages.slice(0, 3).map((text, i) => ({ node: new Document({ text, metadata: { title: `Title ${i}` } }) }));
        const withMetadata = documents.map(({ node }) => node.getContent(MetadataMode.LLM));
        const expected = await reranker.rerank(sampleQuery, withMetadata, { normalize: true });
        const scored = await new LlmRerankPostprocessor({ scorer: reranker, metadataMode: MetadataMode.LLM }).postprocessNodes(documents, sampleQuery);
        expect(scored.map(({ score }) => score)).toEqual(expected.map(({ score }) => score));

        await expect(postprocessor.postprocessNodes(nodes)).rejects.toThrow(/query/);
    });
});
