import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RerankServer } from "../../../src/server/RerankServer.js";
import { defaultServerLimits } from "../../../src/server/ServerLimits.js";
import { errorOf, exchange, startFakeServer } from "./plainHttp.js";
import type { WordOverlapScorer } from "./wordOverlapScorer.js";

// What a request makes the model read is bounded (limits.maxInputBytes, serve --max-input-bytes):
// the UTF-8 bytes of query + document summed over the scored pairs, checked after parsing and
// before any scoring. The body limit alone does not bound it: a query is sent once and read once
// per document.

const json = { "Content-Type": "application/json" };
const post = (url: string, body: unknown) => exchange(url, { body: JSON.stringify(body), headers: json });

describe("the per-request input limit", () => {
    it("by default refuses a 1 MB query with 1000 tiny documents (a 1 MB body, 1 GB for the model) with 413, unscored", async () => {
        const { url, server, scorer } = await startFakeServer();
        try {
            const query = "tide ".repeat(200_000); // 1,000,000 bytes
            const documents = Array.from({ length: 1000 }, (_, i) => `d${i}`);
            const body = JSON.stringify({ query, documents });
            expect(Buffer.byteLength(body)).toBeLessThan(defaultServerLimits.maxBodyBytes);
            const answer = await exchange(`${url}/v1/rerank`, { body, headers: json });
            expect(answer.status).toBe(413);
            expect(errorOf(answer)).toMatchObject({ type: "input_too_large", code: 413 });
            expect(errorOf(answer).message).toMatch(/--max-input-bytes/);
            expect(errorOf(answer).message).toContain(String(defaultServerLimits.maxInputBytes));
            expect(scorer.calls).toHaveLength(0);
            // The same query with a few documents is within the limit and is scored.
            const few = await post(`${url}/v1/rerank`, { query, documents: documents.slice(0, 4) });
            expect(few.status).toBe(200);
            expect(scorer.calls).toHaveLength(1);
        } finally {
            await server.close();
        }
    });

    describe("with a small limit", () => {
        let url: string;
        let server: RerankServer;
        let scorer: WordOverlapScorer;
        // "€" is 3 UTF-8 bytes and one UTF-16 unit: the limit counts bytes, not characters.
        const query = "q€"; // 4 bytes
        const documents = ["a€", "b€", "c€"]; // 4 bytes each: 3 pairs read 24 bytes
        const limit = 24;

        beforeAll(async () => {
            ({ url, server, scorer } = await startFakeServer({ limits: { maxInputBytes: limit } }));
        });
        afterAll(() => server.close());

        it("a request reading exactly the limit is served; one byte more is 413 on every scoring route", async () => {
            expect((await post(`${url}/v1/rerank`, { query, documents })).status).toBe(200);
            expect((await post(`${url}/rerank`, { query, texts: documents })).status).toBe(200);
            expect((await post(`${url}/v1/score`, { text_1: query, text_2: documents })).status).toBe(200);
            const served = scorer.calls.length;

            const over = [...documents.slice(0, 2), "cc€"];
            const refusals = [
                await post(`${url}/v1/rerank`, { query, documents: over }),
                await post(`${url}/v2/rerank`, { query, documents: over.map((text) => ({ text })) }),
                await post(`${url}/reranking`, { query: `${query}!`, documents }),
                await post(`${url}/rerank`, { query, texts: over }),
                await post(`${url}/score`, { text_1: query, text_2: over }),
                // N:N: each text_1 counts once, with its own text_2.
                await post(`${url}/v1/score`, { text_1: ["q€", "q€", "q€!"], text_2: documents })
            ];
            for (const answer of refusals) {
                expect(answer.status).toBe(413);
                expect(errorOf(answer).type).toBe("input_too_large");
            }
            expect(scorer.calls.length).toBe(served);
        });

        it("counts UTF-8 bytes: text under the limit in UTF-16 units but over it in bytes is refused", async () => {
            const wide = { query: "€€€€", documents: ["€€€€", "€€€€"] }; // 16 UTF-16 units, 48 bytes
            expect((wide.query.length + wide.documents[0]!.length) * 2).toBeLessThanOrEqual(limit);
            expect((await post(`${url}/v1/rerank`, wide)).status).toBe(413);
        });

        it("refusals leave the server serving", async () => {
            expect((await post(`${url}/v1/rerank`, { query: "q", documents: ["q"] })).status).toBe(200);
        });
    });
});
