import { rerank } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmRerank, LlmRerankRerankingModel, type LlmRerankProviderMetadata } from "../../../src/adapters/ai-sdk.js";
import { AbortedError, RemoteReranker, Reranker, RerankServer } from "../../../src/index.js";
import { samplePassages, sampleQuery } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";

// rerank() of the real `ai` package over this library's RerankingModelV4. Every score is compared,
// bit for bit, with Reranker.rerank on the same Reranker (or one loaded with the same options: the
// tiny model on one CPU thread is deterministic, and isolation: "process" scores bit for bit).

const loadOptions = { model: testModels.tiny, gpu: false, threads: 1, slots: 2, batchSize: 64, onWarning: () => undefined } as const;

describe("llm-rerank/ai-sdk with rerank() of ai", () => {
    let reranker: Reranker;
    let model: LlmRerankRerankingModel;

    beforeAll(async () => {
        reranker = await Reranker.load(loadOptions);
        model = new LlmRerankRerankingModel(reranker);
    });
    afterAll(() => reranker?.dispose());

    it("ranks string documents with Reranker.rerank's normalized scores, cut to topN", async () => {
        const expected = await reranker.rerank(sampleQuery, samplePassages, { normalize: true });
        const result = await rerank({ model, query: sampleQuery, documents: samplePassages, topN: 3 });
        expect(result.ranking).toEqual(expected.slice(0, 3).map(({ index, score, passage }) => ({ originalIndex: index, score, document: passage })));
        expect(result.rerankedDocuments).toEqual(expected.slice(0, 3).map(({ passage }) => passage));
        expect(result.originalDocuments).toEqual(samplePassages);
        expect(result.response.modelId).toBe("tiny-gemma-f32");
        expect(model.specificationVersion).toBe("v4");
        const metadata = result.providerMetadata?.llmRerank as LlmRerankProviderMetadata;
        expect(metadata).toMatchObject({ normalized: true, normalization: "sigmoid", profile: reranker.describe().profile });
        expect(metadata.usage?.items).toBe(samplePassages.length);
        for (const { score } of result.ranking) expect(score > 0 && score < 1).toBe(true);
    });

    it("gives the raw scores with providerOptions.llmRerank.normalize false", async () => {
        const expected = await reranker.rerank(sampleQuery, samplePassages);
        const result = await rerank({ model, query: sampleQuery, documents: samplePassages, providerOptions: { llmRerank: { normalize: false } } });
        expect(result.ranking.map(({ originalIndex, score }) => ({ index: originalIndex, score }))).toEqual(
            expected.map(({ index, score }) => ({ index, score }))
        );
        expect((result.providerMetadata?.llmRerank as LlmRerankProviderMetadata).normalized).toBe(false);
    });

    it("scores object documents as JSON by default, or as documentToText says, and returns the objects", async () => {
        const documents = samplePassages.map((text, i) => ({ id: `doc-${i}`, text }));
        const asJson = await reranker.rerank(
            sampleQuery,
            documents.map((document) => JSON.stringify(document)),
            { normalize: true }
        );
        const result = await rerank({ model, query: sampleQuery, documents });
        expect(result.ranking).toEqual(asJson.map(({ index, score }) => ({ originalIndex: index, score, document: documents[index] })));

        const byText = new LlmRerankRerankingModel(reranker, { documentToText: (document) => String(document.text) });
        const expected = await reranker.rerank(sampleQuery, samplePassages, { normalize: true, topN: 2 });
        const viaText = await rerank({ model: byText, query: sampleQuery, documents, topN: 2 });
        expect(viaText.ranking).toEqual(expected.map(({ index, score }) => ({ originalIndex: index, score, document: documents[index] })));
    });

    it("stops on the AI SDK's abort signal with an AbortedError, and the model stays usable", async () => {
        const controller = new AbortController();
        let progressCalls = 0;
        const aborting = new LlmRerankRerankingModel(reranker, {
            onProgress: ({ done, total }) => {
                progressCalls++;
                if (done < total) controller.abort();
            }
        });
        const many = Array.from({ length: 24 }, (_, i) => `${samplePassages[i % samplePassages.length]} (${i})`);
        await expect(rerank({ model: aborting, query: sampleQuery, documents: many, abortSignal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
        expect(progressCalls).toBeGreaterThan(0);

        const alreadyAborted = AbortSignal.abort();
        await expect(rerank({ model, query: sampleQuery, documents: samplePassages, abortSignal: alreadyAborted })).rejects.toThrow();

        const expected = await reranker.rerank(sampleQuery, samplePassages, { normalize: true });
        const after = await rerank({ model, query: sampleQuery, documents: samplePassages });
        expect(after.ranking.map(({ score }) => score)).toEqual(expected.map(({ score }) => score));
    });

    it("warns that headers have no place, and returns nothing for no documents", async () => {
        const result = await model.doRerank({ documents: { type: "text", values: samplePassages }, query: sampleQuery, headers: { "x-test": "1" } });
        expect(result.warnings).toEqual([expect.objectContaining({ type: "unsupported", feature: "headers" })]);
        expect((await rerank({ model, query: sampleQuery, documents: [] as string[] })).ranking).toEqual([]);
    });

    it("runs over a RemoteReranker (a RerankServer fronting the same Reranker) with the same scores", async () => {
        const server = new RerankServer({ reranker, port: 0, log: () => undefined });
        const { url } = await server.start();
        try {
            const remote = new RemoteReranker({ url });
            const expected = await reranker.rerank(sampleQuery, samplePassages, { normalize: true, topN: 4 });
            const result = await rerank({ model: new LlmRerankRerankingModel(remote), query: sampleQuery, documents: samplePassages, topN: 4 });
            expect(result.ranking.map(({ originalIndex, score }) => ({ index: originalIndex, score }))).toEqual(
                expected.map(({ index, score }) => ({ index, score }))
            );
        } finally {
            await server.close();
        }
    });

    it.each([
        ["in-process", "none"],
        ["isolated", "process"]
    ] as const)("loads the model id lazily through createLlmRerank (%s), with the same scores", async (_name, isolation) => {
        const { model: _path, ...providerOptions } = loadOptions;
        const provider = createLlmRerank({ ...providerOptions, isolation });
        try {
            const lazy = provider(testModels.tiny);
            expect(lazy.modelId).toBe("tiny-gemma-f32");
            expect(provider.rerankingModel(testModels.tiny).modelId).toBe("tiny-gemma-f32");
            expect(() => provider.languageModel("x")).toThrow(/reranking models only/);
            const expected = await reranker.rerank(sampleQuery, samplePassages, { normalize: true, topN: 5 });
            const result = await rerank({ model: lazy, query: sampleQuery, documents: samplePassages, topN: 5 });
            expect(result.ranking.map(({ originalIndex, score }) => ({ index: originalIndex, score }))).toEqual(
                expected.map(({ index, score }) => ({ index, score }))
            );
        } finally {
            await provider.dispose();
        }
    });
});
