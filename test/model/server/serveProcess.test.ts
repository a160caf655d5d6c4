import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, RemoteHttpError, RemoteReranker, type Reranker } from "../../../src/index.js";
import { sampleQuery, samplePassages } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";
import { send } from "../../server/httpClient.js";
import { loadTinyReranker } from "../../server/serverFixture.js";
import { packingTolerance } from "../../helpers/packingTolerance.js";

// The server runs in a child process here, so its scores come from another llama.cpp context than
// the test's own Reranker: the same model, build and pairs in the same order and batches, but the
// test claims only the packing tolerance that test/scoring.test.ts justifies (observed <= 5.4e-6).

type Served = { child: ChildProcess; url: string; stderr: () => string; exited: Promise<number | null> };

/** Starts `llm-rerank serve` on an ephemeral port and reads the address from its startup line. */
function serve(extraArgs: string[], env: Record<string, string> = {}): Promise<Served> {
    const child = spawn(
        process.execPath,
        ["dist/cli/cli.js", "serve", "--model", testModels.tiny, "--gpu", "cpu", "--threads", "1", "--port", "0", ...extraArgs],
        { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] }
    );
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return new Promise((resolve, reject) => {
        child.stderr!.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            const match = /serving .* at (http:\/\/\S+)/.exec(stderr);
            if (match) resolve({ child, url: match[1]!, stderr: () => stderr, exited });
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
    });
}

describe("a real `llm-rerank serve` child process", () => {
    let reranker: Reranker;
    let served: Served;
    // Bound to every address, without a key: the case the start-up warning is for. Only 127.0.0.1 is contacted.
    let idle: Served;

    // Both children start at once: most of this file's time is their model loads.
    beforeAll(async () => {
        [reranker, served, idle] = await Promise.all([
            loadTinyReranker(),
            serve(["--max-documents", "6"], { LLM_RERANK_API_KEY: "child-key" }),
            serve(["--host", "0.0.0.0", "--allow-origin", "http://localhost:5173", "--max-input-bytes", "3000"]).then((child) => ({
                ...child,
                url: child.url.replace("//0.0.0.0:", "//127.0.0.1:")
            }))
        ]);
    });
    afterAll(async () => {
        served.child.kill("SIGKILL");
        idle.child.kill("SIGKILL");
        await reranker.dispose();
    });

    it("RemoteReranker gets the library's scores from it, raw and normalized, and rerank() best first", async () => {
        const remote = new RemoteReranker({ url: served.url, apiKey: "child-key", maxDocumentsPerRequest: 6 });
        const passages = samplePassages.slice(0, 6);
        const pairs: [string, string][] = [...passages.map((passage) => [sampleQuery, passage] as [string, string]), ["why is the sea salty?", passages[0]!]];
        const [raw, normalized] = [await reranker.score(pairs), await reranker.score(pairs, { normalize: true })];
        const remoteRaw = await remote.score(pairs);
        const remoteNormalized = await remote.score(pairs, { normalize: true });
        pairs.forEach((_, i) => {
            expect(Math.abs(remoteRaw[i]! - raw[i]!)).toBeLessThanOrEqual(packingTolerance);
            expect(Math.abs(remoteNormalized[i]! - normalized[i]!)).toBeLessThanOrEqual(packingTolerance);
        });
        const ranked = await remote.rerank(sampleQuery, passages, { topN: 3 });
        const local = await reranker.rerank(sampleQuery, passages, { topN: 3 });
        expect(ranked.map((result) => [result.index, result.passage])).toEqual(local.map((result) => [result.index, result.passage]));
    });

    it("its refusals reach RemoteReranker as typed errors; an aborted call is an AbortedError", async () => {
        const wrongKey = await new RemoteReranker({ url: served.url, apiKey: "nope" }).score([["q", "a"]]).catch((error: unknown) => error);
        expect(wrongKey).toBeInstanceOf(RemoteHttpError);
        expect((wrongKey as RemoteHttpError).status).toBe(401);
        const tooMany = await new RemoteReranker({ url: served.url, apiKey: "child-key" })
            .rerank("q", ["a", "b", "c", "d", "e", "f", "g"])
            .catch((error: unknown) => error);
        expect(tooMany).toMatchObject({ code: "ERR_REMOTE_HTTP", status: 413 });
        expect((tooMany as Error).message).toMatch(/--max-documents/);
        await expect(new RemoteReranker({ url: served.url, apiKey: "child-key" }).score([["q", "a"]], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
            AbortedError
        );
        expect((await send(`${served.url}/health`)).status).toBe(200);
    });

    it("exits 0 on SIGTERM, after finishing or cancelling what it holds", async () => {
        // A long request in flight (or, if the signal wins the race, not yet read): it is answered
        // or its connection closed, and the process still exits 0 within the shutdown bound.
        const remote = new RemoteReranker({ url: served.url, apiKey: "child-key", maxRetries: 0 });
        const longCall = remote
            .rerank(
                sampleQuery,
                Array.from({ length: 6 }, (_, i) => samplePassages[2]!.repeat(3) + i)
            )
            .then(
                () => "answered",
                (error: { code?: string; status?: number }) => `${error.code}${error.status ? ` ${error.status}` : ""}`
            );
        await new Promise((resolve) => setTimeout(resolve, 50));
        served.child.kill("SIGTERM");
        expect(await served.exited).toBe(0);
        expect(served.stderr()).toMatch(/SIGTERM: finishing \d+ request\(s\) within 10 s[\s\S]*stopped/);
        expect(["answered", "ERR_REMOTE_HTTP 503", "ERR_REMOTE_UNAVAILABLE"]).toContain(await longCall);
    });

    it("bound to 0.0.0.0 without a key it warns loudly, refuses browsers unasked and oversized input, and serves the rest", async () => {
        expect(idle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const warning = /WARNING: llm-rerank serve is listening on 0\.0\.0\.0:\d+, which is NOT loopback, and has NO API KEY\.\n(!!.*\n){3,}/;
        expect(idle.stderr()).toMatch(warning);
        expect(served.stderr()).not.toMatch(/WARNING/);

        const query = sampleQuery;
        const documents = samplePassages.slice(0, 2);
        const body = JSON.stringify({ query, documents });
        // What a page sends without a preflight: a string body (text/plain) and a Blob body (no Content-Type).
        for (const payload of [body, new Blob([body])]) {
            const answer = await fetch(`${idle.url}/v1/rerank`, { method: "POST", body: payload });
            expect(answer.status).toBe(415);
            expect(((await answer.json()) as { error: { type: string } }).error.type).toBe("unsupported_media_type");
        }
        const evil = await send(`${idle.url}/v1/rerank`, { body, headers: { Origin: "https://evil.example" } });
        expect(evil.status).toBe(403);
        expect(evil.body).toMatchObject({ error: { type: "forbidden_origin", code: 403 } });

        // The allowed page gets the model's scores, with its CORS header.
        const allowed = await send(`${idle.url}/v1/rerank`, { body, headers: { Origin: "http://localhost:5173" } });
        expect(allowed.status).toBe(200);
        expect(allowed.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
        const expected = await reranker.score(
            documents.map((document) => [query, document]),
            { normalize: true }
        );
        for (const result of (allowed.body as { results: { index: number; relevance_score: number }[] }).results) {
            expect(Math.abs(result.relevance_score - expected[result.index]!)).toBeLessThanOrEqual(packingTolerance);
        }

        // --max-input-bytes 3000: a 1000-byte query read for each of four documents is over it.
        const tooMuch = await send(`${idle.url}/v1/rerank`, { body: { query: "q".repeat(1000), documents: ["a", "b", "c", "d"] } });
        expect(tooMuch.status).toBe(413);
        expect(tooMuch.body).toMatchObject({ error: { type: "input_too_large" } });
        expect((tooMuch.body as { error: { message: string } }).error.message).toMatch(/3000 bytes.*--max-input-bytes/);
    });

    it("exits 0 on SIGINT when idle", async () => {
        idle.child.kill("SIGINT");
        expect(await idle.exited).toBe(0);
        expect(idle.stderr()).toMatch(/SIGINT[\s\S]*stopped/);
    });
});
