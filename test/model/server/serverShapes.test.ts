import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reranker } from "../../../src/index.js";
import type { RerankServer } from "../../../src/server/RerankServer.js";
import { sampleQuery, samplePassages } from "../../helpers/pairs.js";
import { send } from "../../server/httpClient.js";
import { loadTinyReranker, startServer } from "../../server/serverFixture.js";

type RerankBody = {
    id: string;
    model: string;
    object: string;
    usage: { prompt_tokens: number; total_tokens: number };
    results: { index: number; relevance_score: number; document?: { text: string } }[];
};

// Every shape against reranker.score() on the same pairs, in the same process and on the same
// Reranker: the server scores a request's pairs in one call, in input order, exactly as the test's
// own call does, so equality is exact (not within a tolerance).
describe("llm-rerank serve: every API shape gives the library's scores", () => {
    let reranker: Reranker;
    let server: RerankServer;
    let url: string;
    let raw: number[];
    let normalized: number[];
    let tokens: number;
    const pairs = samplePassages.map((passage) => [sampleQuery, passage] as [string, string]);

    beforeAll(async () => {
        reranker = await loadTinyReranker();
        ({ server, url } = await startServer(reranker));
        raw = await reranker.score(pairs);
        normalized = await reranker.score(pairs, { normalize: true });
        tokens = 0;
        for (const [query, passage] of pairs) tokens += (await reranker.buildInput(query, passage)).length;
    });
    afterAll(async () => {
        await server.close();
        await reranker.dispose();
    });

    const bestFirst = (scores: number[]) => scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);

    for (const [path, returnsDocuments] of [
        ["/v1/rerank", true],
        ["/rerank", true],
        ["/reranking", true],
        ["/v2/rerank", false]
    ] as const) {
        it(`POST ${path}: Cohere/Jina shape, best first, sigmoid scores, documents ${returnsDocuments ? "returned" : "left out"} by default`, async () => {
            const answer = await send(url + path, { body: { model: "any-name/at-all", query: sampleQuery, documents: samplePassages, unknown: [1, 2] } });
            expect(answer.status).toBe(200);
            const body = answer.body as RerankBody;
            expect(body.object).toBe("list");
            expect(body.model).toBe("any-name/at-all");
            expect(body.id).toMatch(/^rerank-/);
            expect(body.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
            expect(body.results.map((result) => result.index)).toEqual(bestFirst(normalized));
            for (const result of body.results) {
                expect(result.relevance_score).toBe(normalized[result.index]);
                expect(result.document).toEqual(returnsDocuments ? { text: samplePassages[result.index] } : undefined);
            }
        });
    }

    it("top_n cuts the list (0 and null mean all); return_documents and raw_scores accept strings; {text} documents", async () => {
        const documents = samplePassages.map((text, i) => (i % 2 ? { text, title: "ignored" } : text));
        const top3 = (await send(`${url}/v1/rerank`, { body: { query: sampleQuery, documents, top_n: 3, return_documents: "false", raw_scores: "true" } }))
            .body as RerankBody;
        expect(top3.results.map((result) => result.index)).toEqual(bestFirst(raw).slice(0, 3));
        for (const result of top3.results) {
            expect(result.relevance_score).toBe(raw[result.index]);
            expect(result.document).toBeUndefined();
        }
        for (const topN of [0, null]) {
            const all = (await send(`${url}/v2/rerank`, { body: { query: sampleQuery, documents, top_n: topN, return_documents: true } })).body as RerankBody;
            expect(all.results).toHaveLength(samplePassages.length);
            expect(all.results[0]!.document).toEqual({ text: samplePassages[all.results[0]!.index] });
        }
    });

    it("POST /rerank with texts: TEI's bare array, normalized, raw_scores and return_text", async () => {
        const normal = await send(`${url}/rerank`, { body: { query: sampleQuery, texts: samplePassages, truncate: true } });
        expect(normal.status).toBe(200);
        const list = normal.body as { index: number; score: number; text?: string }[];
        expect(list.map((entry) => entry.index)).toEqual(bestFirst(normalized));
        for (const entry of list) expect(entry).toEqual({ index: entry.index, score: normalized[entry.index] });
        const rawList = (await send(`${url}/rerank`, { body: { query: sampleQuery, texts: samplePassages, raw_scores: true, return_text: "true" } })).body as {
            index: number;
            score: number;
            text?: string;
        }[];
        for (const entry of rawList) expect(entry).toEqual({ index: entry.index, score: raw[entry.index], text: samplePassages[entry.index] });
    });

    it("POST /score and /v1/score: vLLM's text_1/text_2 in 1:1, 1:N and N:N, in input order", async () => {
        type ScoreBody = { object: string; model: string; data: { index: number; object: string; score: number }[]; usage: { prompt_tokens: number } };
        const oneToMany = (await send(`${url}/v1/score`, { body: { model: "m", text_1: sampleQuery, text_2: samplePassages } })).body as ScoreBody;
        expect(oneToMany.object).toBe("list");
        expect(oneToMany.data).toEqual(normalized.map((score, index) => ({ index, object: "score", score })));
        expect(oneToMany.usage.prompt_tokens).toBe(tokens);
        const listOfOne = (await send(`${url}/score`, { body: { text_1: [sampleQuery], text_2: samplePassages, raw_scores: true } })).body as ScoreBody;
        expect(listOfOne.data.map((entry) => entry.score)).toEqual(raw);

        const queries = ["what is a tide?", "why is the sea salty?", sampleQuery];
        const passages = [samplePassages[0]!, samplePassages[1]!, samplePassages[6]!];
        const manyToMany = (await send(`${url}/score`, { body: { text_1: queries, text_2: passages } })).body as ScoreBody;
        const expected = await reranker.score(
            queries.map((query, i) => [query, passages[i]!]),
            { normalize: true }
        );
        expect(manyToMany.data.map((entry) => entry.score)).toEqual(expected);
        const oneToOne = (await send(`${url}/score`, { body: { text_1: queries[1], text_2: passages[1], use_activation: false } })).body as ScoreBody;
        expect(oneToOne.data).toEqual([{ index: 0, object: "score", score: (await reranker.score([[queries[1]!, passages[1]!]]))[0] }]);
    });

    it("GET /health and /v1/models; a trailing slash is the same route", async () => {
        const health = await send(`${url}/health`);
        expect(health.status).toBe(200);
        // The health check did not run at load on a generated model (random weights), and says so.
        expect(health.body).toEqual({
            status: "ok",
            model: "tiny-gemma-f32",
            profile: "bge-reranker-v2-gemma",
            model_health: { status: "skipped", findings: [], notes: [expect.stringMatching(/^random weights/)] }
        });
        const models = await send(`${url}/v1/models/`);
        expect((models.body as { data: { id: string; object: string }[] }).data).toEqual([
            expect.objectContaining({ id: "tiny-gemma-f32", object: "model", owned_by: "llm-rerank" })
        ]);
    });
});
