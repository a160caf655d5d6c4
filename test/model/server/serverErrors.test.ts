import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reranker } from "../../../src/index.js";
import { RerankServer } from "../../../src/server/RerankServer.js";
import { sampleQuery, samplePassages } from "../../helpers/pairs.js";
import { send, type HttpAnswer } from "../../server/httpClient.js";
import { loadTinyReranker, startServer } from "../../server/serverFixture.js";
import { packingTolerance } from "../../helpers/packingTolerance.js";

// test/scoring.test.ts measures and justifies this bound on how much a pair's score moves with
// the other sequences that share its decodes.

const errorOf = (answer: HttpAnswer) => (answer.body as { error: { message: string; type: string; code: number } }).error;

/** Polls a condition on the event loop (the server runs in this process): no sleeps of guessed length. */
async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

// A request far too long to finish before the test acts while it runs (400 documents: seconds on
// the tiny model even on a fast machine). The test waits for the server's own counters, never for
// a guessed time, and then cancels the request, so its cost is a few decodes.
const longDocuments = Array.from({ length: 400 }, (_, i) => `document ${i}: the moon raises tides in the ocean, ${"and the sea follows ".repeat(3)}`);

describe("llm-rerank serve: refusals a person can act on", () => {
    let reranker: Reranker;
    let server: RerankServer;
    let url: string;
    let port: number;
    const valid = { query: sampleQuery, documents: samplePassages.slice(0, 3) };

    beforeAll(async () => {
        reranker = await loadTinyReranker();
        ({ server, url, port } = await startServer(reranker, {
            apiKey: "s3cret-key",
            allowedHosts: ["proxy.internal"],
            limits: { maxBodyBytes: 4096, maxDocuments: 5 }
        }));
    });
    afterAll(async () => {
        await server.close();
        await reranker.dispose();
    });
    const auth = { Authorization: "Bearer s3cret-key" };

    it("refuses bad limits with InvalidArgumentError; an undefined limit keeps its default", () => {
        expect(() => new RerankServer({ reranker, limits: { maxDocuments: 0 } })).toThrow(/Expected an integer >= 1 for limits.maxDocuments/);
        expect(() => new RerankServer({ reranker, limits: { requestTimeoutMs: 1.5 } })).toThrow(/limits.requestTimeoutMs/);
        expect(new RerankServer({ reranker, limits: { maxBodyBytes: undefined } }).limits.maxBodyBytes).toBe(10 * 2 ** 20);
    });

    it("401 without the API key or with a wrong one; /health stays public", async () => {
        const missing = await send(`${url}/v1/rerank`, { body: valid });
        expect(missing.status).toBe(401);
        expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
        expect(errorOf(missing).message).toMatch(/Authorization: Bearer/);
        for (const header of ["Bearer s3cret-kex", "Bearer s3cret-key-longer", "s3cret-key", "Basic czNjcmV0LWtleQ=="]) {
            const wrong = await send(`${url}/v1/rerank`, { body: valid, headers: { Authorization: header } });
            expect(wrong.status, header).toBe(401);
        }
        expect((await send(`${url}/v1/models`)).status).toBe(401);
        expect((await send(`${url}/health`)).status).toBe(200);
        expect((await send(`${url}/v1/rerank`, { body: valid, headers: auth })).status).toBe(200);
    });

    it("403 for a Host that is not a loopback name (DNS rebinding); loopback names and --allow-host pass", async () => {
        const rebinding = await send(`${url}/v1/rerank`, { body: valid, headers: { ...auth, Host: `evil.example:${port}` } });
        expect(rebinding.status).toBe(403);
        expect(errorOf(rebinding).message).toMatch(/not a loopback name.*--allow-host/);
        for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "proxy.internal", `LOCALHOST:${port}`]) {
            expect((await send(`${url}/health`, { headers: { Host: host } })).status, host).toBe(200);
        }
        expect((await send(`${url}/health`, { headers: { Host: "127.0.0.1.evil.example" } })).status).toBe(403);
    });

    it("404 for an unknown path, 405 for a wrong method (with Allow), 415 for a non-JSON content type", async () => {
        const notFound = await send(`${url}/v1/embeddings`, { body: valid, headers: auth });
        expect(notFound.status).toBe(404);
        expect(errorOf(notFound).message).toMatch(/\/v1\/rerank/);
        const wrongMethod = await send(`${url}/v1/rerank`, { method: "GET", headers: auth });
        expect(wrongMethod.status).toBe(405);
        expect(wrongMethod.headers.allow).toBe("POST");
        const form = await send(`${url}/v1/rerank`, { body: JSON.stringify(valid), headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" } });
        expect(form.status).toBe(415);
        expect(errorOf(form).message).toMatch(/application\/json/);
    });

    it("400 for malformed or empty JSON, 422 for wrong types in the library's message format", async () => {
        const malformed = await send(`${url}/v1/rerank`, { body: '{"query": "q", "documents": [', headers: auth });
        expect(malformed.status).toBe(400);
        expect(errorOf(malformed).type).toBe("invalid_json");
        expect((await send(`${url}/v1/rerank`, { body: "", headers: auth })).status).toBe(400);
        const cases: [unknown, RegExp][] = [
            [{ query: 1, documents: ["a"] }, /^Expected a string for query but received 1 of type number$/],
            [{ query: "q", documents: "a" }, /for documents/],
            [{ query: "q", documents: ["a", 2] }, /for documents\[1\]/],
            [{ query: "q", documents: [] }, /documents is empty/],
            [{ query: "q", documents: ["a"], top_n: -2 }, /top_n/],
            [{ query: "q", documents: ["a"], return_documents: "yes" }, /return_documents/],
            [[valid], /the request body/]
        ];
        for (const [body, message] of cases) {
            const answer = await send(`${url}/v1/rerank`, { body, headers: auth });
            expect(answer.status, JSON.stringify(body)).toBe(422);
            expect(errorOf(answer).message).toMatch(message);
        }
        const mismatched = await send(`${url}/v1/score`, { body: { text_1: ["a", "b"], text_2: ["c", "d", "e"] }, headers: auth });
        expect(mismatched.status).toBe(422);
        expect(errorOf(mismatched).message).toMatch(/1:N.*N:N/);
    });

    it("413 for a body over the limit (declared or streamed) and for too many documents", async () => {
        const big = { query: "q", documents: ["x".repeat(5000)] };
        const declared = await send(`${url}/v1/rerank`, { body: big, headers: auth });
        expect(declared.status).toBe(413);
        expect(errorOf(declared).message).toMatch(/4096 bytes.*--max-body-bytes/);
        const streamed = await send(`${url}/v1/rerank`, { body: JSON.stringify(big), headers: { ...auth, "Transfer-Encoding": "chunked" } });
        expect(streamed.status).toBe(413);
        const tooMany = await send(`${url}/v1/rerank`, { body: { query: "q", documents: ["a", "b", "c", "d", "e", "f"] }, headers: auth });
        expect(tooMany.status).toBe(413);
        expect(errorOf(tooMany).message).toMatch(/at most 5 .*--max-documents/);
        // Refusals leave the server as it was.
        const after = await send(`${url}/v1/rerank`, { body: valid, headers: auth });
        expect(after.status).toBe(200);
    });
});

describe("llm-rerank serve: load, timeouts and disconnects", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await loadTinyReranker();
    });
    afterAll(() => reranker.dispose());

    it("503 with Retry-After beyond --max-queued; a slot frees when a request ends", async () => {
        const { server, url } = await startServer(reranker, { limits: { maxQueuedRequests: 1 } });
        try {
            const blocker = new AbortController();
            const first = send(`${url}/v1/rerank`, { body: { query: sampleQuery, documents: longDocuments }, signal: blocker.signal }).catch(
                (error: Error) => error
            );
            await until(() => server.stats.admittedRequests === 1);
            const refused = await send(`${url}/v1/rerank`, { body: { query: sampleQuery, documents: ["a"] } });
            expect(refused.status).toBe(503);
            expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
            expect(errorOf(refused).message).toMatch(/--max-queued/);
            blocker.abort();
            expect(await first).toBeInstanceOf(Error);
            await until(() => server.stats.admittedRequests === 0);
            expect((await send(`${url}/v1/rerank`, { body: { query: sampleQuery, documents: ["a"] } })).status).toBe(200);
        } finally {
            await server.close();
        }
    });

    it("a request past --request-timeout is cancelled and answered 503; a stalled upload too", async () => {
        const { server, url, port } = await startServer(reranker, { limits: { requestTimeoutMs: 20 } });
        try {
            const slow = await send(`${url}/v1/rerank`, { body: { query: sampleQuery, documents: longDocuments } });
            expect(slow.status).toBe(503);
            expect(errorOf(slow).type).toBe("timeout");
            expect(errorOf(slow).message).toMatch(/--request-timeout/);
            await until(() => server.stats.abortedScoringCalls === 1);

            // Headers and part of the body, then nothing: answered when the timeout fires.
            const stalled = await new Promise<number>((resolve, reject) => {
                const request = httpRequest({
                    host: "127.0.0.1",
                    port,
                    path: "/v1/rerank",
                    method: "POST",
                    headers: { "Content-Type": "application/json", "Content-Length": "100" }
                });
                request.on("response", (response) => {
                    response.resume();
                    resolve(response.statusCode!);
                    request.destroy();
                });
                request.on("error", reject);
                request.write('{"query": "q", ');
            });
            expect(stalled).toBe(503);
        } finally {
            await server.close();
        }
        // The cancelled work left the reranker usable.
        expect(await reranker.score([[sampleQuery, samplePassages[0]!]])).toHaveLength(1);
    });

    it("a client that disconnects mid-request cancels its own work; the others are served", async () => {
        const { server, url } = await startServer(reranker);
        try {
            const leaving = new AbortController();
            const abandoned = send(`${url}/v1/rerank`, { body: { query: sampleQuery, documents: longDocuments }, signal: leaving.signal }).catch(
                (error: Error) => error
            );
            await until(() => server.stats.admittedRequests === 1);
            const staying = samplePassages.slice(0, 2);
            const others = [0, 1].map((k) => send(`${url}/v1/score`, { body: { text_1: `${sampleQuery} ${k}`, text_2: staying } }));
            leaving.abort();
            expect(await abandoned).toBeInstanceOf(Error);
            await until(() => server.stats.abortedScoringCalls === 1);
            expect(server.stats.clientDisconnects).toBe(1);
            for (const [k, answer] of (await Promise.all(others)).entries()) {
                expect(answer.status).toBe(200);
                const expected = await reranker.score(
                    staying.map((passage) => [`${sampleQuery} ${k}`, passage]),
                    { normalize: true }
                );
                // These requests ran side by side (the engine batches concurrent calls together), so
                // their scores agree with scoring alone within the packing tolerance, not bit for bit.
                (answer.body as { data: { score: number }[] }).data.forEach((entry, i) =>
                    expect(Math.abs(entry.score - expected[i]!)).toBeLessThanOrEqual(packingTolerance)
                );
            }
        } finally {
            await server.close();
        }
    });

    it("close() lets a request finish within the grace, cancels one beyond it (503), refuses new ones", async () => {
        const patient = await startServer(reranker, { limits: { shutdownGraceMs: 60_000 } });
        const short = send(`${patient.url}/v1/rerank`, { body: { query: sampleQuery, documents: samplePassages.slice(0, 2) } });
        await until(() => patient.server.stats.admittedRequests === 1);
        await patient.server.close();
        expect((await short).status).toBe(200);
        await expect(send(`${patient.url}/health`)).rejects.toThrow(/ECONNREFUSED/);

        const impatient = await startServer(reranker, { limits: { shutdownGraceMs: 0 } });
        const long = send(`${impatient.url}/v1/rerank`, { body: { query: sampleQuery, documents: longDocuments } });
        await until(() => impatient.server.stats.admittedRequests === 1);
        await impatient.server.close();
        const cancelled = await long;
        expect(cancelled.status).toBe(503);
        expect(errorOf(cancelled).type).toBe("shutting_down");
        expect(cancelled.headers.connection).toBe("close");
        await until(() => impatient.server.stats.abortedScoringCalls === 1);
    });
});
