import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reranker } from "../../../src/index.js";
import type { RerankServer } from "../../../src/server/RerankServer.js";
import { benchWords } from "../../../src/bench/benchWords.js";
import { SeededRandom } from "../../../src/testModel/SeededRandom.js";
import { send } from "../../server/httpClient.js";
import { loadTinyReranker, startServer } from "../../server/serverFixture.js";
import { packingTolerance } from "../../helpers/packingTolerance.js";

// Concurrent requests may share decodes (the engine batches across calls), and a pair's score
// then depends on which other sequences share its batch in the last bits only: within the packing
// tolerance that test/scoring.test.ts measures and justifies (observed up to 5.4e-6).

function seededText(random: SeededRandom, words: number): string {
    return Array.from({ length: words }, () => benchWords[random.nextUint32() % benchWords.length]).join(" ");
}

describe("llm-rerank serve with 50 concurrent clients", () => {
    let reranker: Reranker;
    let server: RerankServer;
    let url: string;

    beforeAll(async () => {
        reranker = await loadTinyReranker();
        ({ server, url } = await startServer(reranker));
    });
    afterAll(async () => {
        await server.close();
        await reranker.dispose();
    });

    it("answers each client with the library's scores for its own pairs, in every shape", async () => {
        const clients = Array.from({ length: 50 }, (_, k) => {
            const random = new SeededRandom(11, `client ${k}`);
            return { query: `${k}: ${seededText(random, 4)}`, documents: Array.from({ length: 3 }, () => seededText(random, 5 + (random.nextUint32() % 10))) };
        });
        const expected: number[][] = [];
        for (const { query, documents } of clients) {
            expected.push(
                await reranker.score(
                    documents.map((document) => [query, document]),
                    { normalize: true }
                )
            );
        }
        const answers = await Promise.all(
            clients.map(async ({ query, documents }, k) => {
                // Every shape in turn: the answers are read back into input order below.
                switch (k % 4) {
                    case 0: {
                        const body = (await send(`${url}/v1/rerank`, { body: { query, documents } })).body as {
                            results: { index: number; relevance_score: number }[];
                        };
                        return body.results.sort((a, b) => a.index - b.index).map((result) => result.relevance_score);
                    }
                    case 1: {
                        const body = (await send(`${url}/v2/rerank`, { body: { query, documents } })).body as {
                            results: { index: number; relevance_score: number }[];
                        };
                        return body.results.sort((a, b) => a.index - b.index).map((result) => result.relevance_score);
                    }
                    case 2: {
                        const body = (await send(`${url}/rerank`, { body: { query, texts: documents } })).body as { index: number; score: number }[];
                        return body.sort((a, b) => a.index - b.index).map((result) => result.score);
                    }
                    default: {
                        const body = (await send(`${url}/v1/score`, { body: { text_1: query, text_2: documents } })).body as { data: { score: number }[] };
                        return body.data.map((entry) => entry.score);
                    }
                }
            })
        );
        answers.forEach((scores, k) => {
            expect(scores).toHaveLength(3);
            scores.forEach((score, i) => expect(Math.abs(score - expected[k]![i]!), `client ${k} document ${i}`).toBeLessThanOrEqual(packingTolerance));
        });
        // A swapped answer would still be within tolerance of nothing: the clients' scores differ far more.
        expect(new Set(answers.flat()).size).toBeGreaterThan(100);
    });
});
