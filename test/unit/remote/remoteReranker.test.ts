import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, RemoteHttpError, RemoteReranker, RemoteResponseError, RemoteTimeoutError, RemoteUnavailableError } from "../../../src/index.js";

type Reply = (body: Record<string, unknown>, response: ServerResponse) => void;

/**
 * A real HTTP server on 127.0.0.1 that answers from a script, one reply per request, and records
 * what it was sent: it plays servers in states a live one reaches only by chance (overloaded,
 * failing, answering in another vendor's shape), to test RemoteReranker's handling of each.
 * RemoteReranker against a real `llm-rerank serve` is in serveProcess.test.ts.
 */
class ScriptedServer {
    readonly received: { url: string; body: Record<string, unknown>; headers: IncomingMessage["headers"] }[] = [];
    private replies: Reply[] = [];
    private readonly server: Server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
            this.received.push({ url: request.url!, body, headers: request.headers });
            (this.replies.shift() ?? ((_, res) => json(res, 500, { error: { message: "script ran out" } })))(body, response);
        });
    });
    url = "";

    async start(): Promise<void> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    script(...replies: Reply[]): void {
        this.replies = replies;
        this.received.length = 0;
    }

    close(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    response.writeHead(status, { "Content-Type": "application/json", ...headers });
    response.end(JSON.stringify(body));
}

/** A Cohere-shaped answer scoring document i as 1 / (i + 1), listed best first. */
const cohereAnswer: Reply = (body, response) =>
    json(response, 200, { results: (body.documents as string[]).map((_, index) => ({ index, relevance_score: 1 / (index + 1) })) });

describe("RemoteReranker", () => {
    const scripted = new ScriptedServer();
    beforeAll(() => scripted.start());
    afterAll(() => scripted.close());

    it("sends the documents once per query, reads the answer back into input order, sorts rerank()", async () => {
        scripted.script(cohereAnswer, cohereAnswer);
        const remote = new RemoteReranker({ url: scripted.url, apiKey: "k", model: "bge" });
        const scores = await remote.score([
            ["q1", "a"],
            ["q2", "b"],
            ["q1", "c"]
        ]);
        expect(scores).toEqual([1, 1, 1 / 2]);
        expect(scripted.received.map((request) => request.url)).toEqual(["/v1/rerank", "/v1/rerank"]);
        expect(scripted.received[0]!.body).toEqual({ model: "bge", query: "q1", documents: ["a", "c"], return_documents: false, raw_scores: true });
        expect(scripted.received[0]!.headers.authorization).toBe("Bearer k");
        scripted.script(cohereAnswer);
        const ranked = await remote.rerank("q", ["x", "y", "z"], { topN: 2, normalize: true });
        expect(ranked).toEqual([
            { index: 0, score: 1, passage: "x" },
            { index: 1, score: 1 / 2, passage: "y" }
        ]);
        expect(scripted.received[0]!.body.raw_scores).toBe(false);
    });

    it("reads TEI's bare array and vLLM's {data}, speaks TEI's request with api: 'tei', and splits long lists", async () => {
        scripted.script((body, response) => json(response, 200, (body.texts as string[]).map((_, index) => ({ index, score: index + 0.5 })).reverse()));
        expect(
            await new RemoteReranker({ url: scripted.url, api: "tei" }).score(
                [
                    ["q", "a"],
                    ["q", "b"]
                ],
                { normalize: true }
            )
        ).toEqual([0.5, 1.5]);
        expect(scripted.received[0]).toMatchObject({ url: "/rerank", body: { query: "q", texts: ["a", "b"], raw_scores: false } });
        scripted.script((body, response) =>
            json(response, 200, { data: (body.documents as string[]).map((_, index) => ({ index, object: "score", score: 1 - index })) })
        );
        expect(
            await new RemoteReranker({ url: `${scripted.url}/v1/` }).score([
                ["q", "a"],
                ["q", "b"]
            ])
        ).toEqual([1, 0]);
        expect(scripted.received[0]!.url).toBe("/v1/rerank");
        scripted.script(cohereAnswer, cohereAnswer, cohereAnswer);
        const split = new RemoteReranker({ url: `${scripted.url}/reranking`, maxDocumentsPerRequest: 2 });
        expect(await split.score(["a", "b", "c", "d", "e"].map((passage) => ["q", passage] as [string, string]))).toEqual([1, 1 / 2, 1, 1 / 2, 1]);
        expect(scripted.received.map((request) => [request.url, (request.body.documents as string[]).length])).toEqual([
            ["/reranking", 2],
            ["/reranking", 2],
            ["/reranking", 1]
        ]);
    });

    it("refuses answers it cannot trust with RemoteResponseError", async () => {
        const remote = new RemoteReranker({ url: scripted.url });
        const pairs: [string, string][] = [
            ["q", "a"],
            ["q", "b"]
        ];
        for (const answer of [
            { results: [{ index: 0, relevance_score: 1 }] },
            {
                results: [
                    { index: 0, relevance_score: 1 },
                    { index: 0, relevance_score: 2 }
                ]
            },
            {
                results: [
                    { index: 0, relevance_score: 1 },
                    { index: 2, relevance_score: 2 }
                ]
            },
            {
                results: [
                    { index: 0, relevance_score: 1 },
                    { index: 1, relevance_score: null }
                ]
            },
            { scores: [1, 2] }
        ]) {
            scripted.script((_, response) => json(response, 200, answer));
            await expect(remote.score(pairs), JSON.stringify(answer)).rejects.toBeInstanceOf(RemoteResponseError);
        }
    });

    it("retries a 503 with Retry-After, but not a 503 without it, a 500, a 401 or a Retry-After beyond its limit", async () => {
        const remote = new RemoteReranker({ url: scripted.url, maxRetries: 2, maxRetryDelayMs: 1000 });
        const busy: Reply = (_, response) => json(response, 503, { error: { message: "busy" } }, { "Retry-After": "0" });
        scripted.script(busy, busy, cohereAnswer);
        expect(await remote.score([["q", "a"]])).toEqual([1]);
        expect(scripted.received).toHaveLength(3);

        scripted.script(busy, busy, busy, cohereAnswer);
        await expect(remote.score([["q", "a"]])).rejects.toMatchObject({ code: "ERR_REMOTE_HTTP", status: 503, serverMessage: "busy" });
        expect(scripted.received).toHaveLength(3);

        for (const reply of [
            ((_, response) => json(response, 503, { error: { message: "down" } })) as Reply,
            ((_, response) => json(response, 503, {}, { "Retry-After": "3600" })) as Reply,
            ((_, response) => json(response, 500, { message: "boom" })) as Reply,
            ((_, response) => json(response, 401, { detail: "bad key" })) as Reply
        ]) {
            scripted.script(reply, cohereAnswer);
            const error = await remote.score([["q", "a"]]).catch((caught: unknown) => caught);
            expect(error).toBeInstanceOf(RemoteHttpError);
            expect(scripted.received).toHaveLength(1);
        }
    });

    it("retries a refused connection a bounded number of times, then throws RemoteUnavailableError", async () => {
        const closed = new ScriptedServer();
        await closed.start();
        const url = closed.url;
        await closed.close();
        const error = await new RemoteReranker({ url, maxRetries: 2 }).score([["q", "a"]]).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(RemoteUnavailableError);
        expect((error as RemoteUnavailableError).attempts).toBe(3);
        expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });

    it("times out without retrying, and stops on its AbortSignal", async () => {
        const silent: Reply = () => undefined;
        scripted.script(silent, cohereAnswer);
        await expect(new RemoteReranker({ url: scripted.url, timeoutMs: 150 }).score([["q", "a"]])).rejects.toBeInstanceOf(RemoteTimeoutError);
        expect(scripted.received).toHaveLength(1);

        scripted.script(silent);
        const controller = new AbortController();
        const call = new RemoteReranker({ url: scripted.url }).rerank("q", ["a"], { signal: controller.signal });
        while (scripted.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        controller.abort();
        await expect(call).rejects.toBeInstanceOf(AbortedError);
    });

    it("validates its own arguments with InvalidArgumentError", () => {
        expect(() => new RemoteReranker({ url: "ftp://x" })).toThrow(/http:\/\/ or https:\/\/ URL for url/);
        expect(() => new RemoteReranker({ url: "http://x", api: "grpc" as "tei" })).toThrow(/for api/);
        expect(() => new RemoteReranker({ url: "http://x", maxRetries: -1 })).toThrow(/maxRetries/);
    });
});
