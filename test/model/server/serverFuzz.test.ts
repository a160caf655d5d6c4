import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reranker } from "../../../src/index.js";
import type { RerankServer } from "../../../src/server/RerankServer.js";
import { sampleQuery, samplePassages } from "../../helpers/pairs.js";
import { send } from "../../server/httpClient.js";
import { malformedBodies } from "../../server/malformedBodies.js";
import { loadTinyReranker, startServer } from "../../server/serverFixture.js";

// 1,200 seeded malformed requests (test/server/malformedBodies.ts: each invalid by construction)
// against a live server: every one is a 4xx with a JSON error, none a 5xx, and the server and its
// Reranker answer a valid request correctly afterwards.
describe("llm-rerank serve under malformed input", () => {
    let reranker: Reranker;
    let server: RerankServer;
    let url: string;
    let port: number;
    // Server faults (500s) are logged here: none may appear.
    const faults: string[] = [];
    const limits = { maxDocuments: 16, maxBodyBytes: 64 * 1024 };

    beforeAll(async () => {
        reranker = await loadTinyReranker();
        ({ server, url, port } = await startServer(reranker, { limits, log: (line) => faults.push(line) }));
    });
    afterAll(async () => {
        await server.close();
        await reranker.dispose();
    });

    it("answers 1,200 generated malformed bodies with 4xx, never 5xx", async () => {
        const requests = malformedBodies(1200, 7, limits);
        const statuses = new Map<number, number>();
        const kinds = new Set<string>();
        let next = 0;
        // Eight clients at a time, each on its own keep-alive connection.
        await Promise.all(
            Array.from({ length: 8 }, async () => {
                while (next < requests.length) {
                    const request = requests[next++]!;
                    const answer = await send(url + request.path, { body: request.body, headers: { "Content-Type": request.contentType } });
                    const label = `${request.kind} on ${request.path}: ${request.body.slice(0, 120)}`;
                    expect(answer.status, label).toBeGreaterThanOrEqual(400);
                    expect(answer.status, label).toBeLessThan(500);
                    const error = (answer.body as { error?: { message?: unknown } } | undefined)?.error;
                    expect(typeof error?.message, label).toBe("string");
                    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
                    kinds.add(request.kind);
                }
            })
        );
        // The generator reached every kind of refusal.
        expect([...statuses.keys()].sort()).toEqual([400, 413, 415, 422]);
        expect(kinds.size).toBeGreaterThanOrEqual(15);

        const pairs = samplePassages.slice(0, 3).map((passage) => [sampleQuery, passage] as [string, string]);
        const answer = await send(`${url}/v1/score`, { body: { text_1: sampleQuery, text_2: pairs.map(([, passage]) => passage) } });
        expect(answer.status).toBe(200);
        expect((answer.body as { data: { score: number }[] }).data.map((entry) => entry.score)).toEqual(await reranker.score(pairs, { normalize: true }));
        expect(server.stats.abortedScoringCalls).toBe(0);
        expect(faults).toEqual([]);
    });

    it("survives bytes no HTTP client would send: a bad request target, a body cut off mid-upload", async () => {
        const raw = (bytes: string, end: boolean) =>
            new Promise<string>((resolve) => {
                const socket = connect(port, "127.0.0.1", () => {
                    socket.write(bytes);
                    if (end) socket.end();
                    else setImmediate(() => socket.destroy());
                });
                let answer = "";
                socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
                socket.on("close", () => resolve(answer));
                socket.on("error", () => undefined);
            });
        const badTarget = await raw("GET http://[::1 HTTP/1.1\r\nHost: localhost\r\n\r\n", true);
        expect(badTarget).toMatch(/^HTTP\/1\.1 4\d\d/);
        await raw('POST /v1/rerank HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"que', false);
        await raw('POST /v1/rerank HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"query"', false);
        expect((await send(`${url}/health`)).status).toBe(200);
        // Every abandoned request ends (a request that never ended would hang here until the test times out).
        while (server.stats.activeRequests > 0) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(faults).toEqual([]);
    });
});
