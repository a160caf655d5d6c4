import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, RemoteHttpError, RemoteReranker, type Reranker } from "../../../src/index.js";
import { sampleQuery, samplePassages } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";
import { send } from "../../server/httpClient.js";
import { loadTinyReranker } from "../../server/serverFixture.js";

// The server runs in a child process here, so its scores come from another llama.cpp context than
// the test's own Reranker: the same model, build and pairs in the same order and batches, but the
// test claims only the packing tolerance that test/scoring.test.ts justifies (observed <= 5.4e-6).
const packingTolerance = 5e-5;

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
    let idle: Served;

    // Both children start at once: most of this file's time is their model loads.
    beforeAll(async () => {
        [reranker, served, idle] = await Promise.all([loadTinyReranker(), serve(["--max-documents", "6"], { LLM_RERANK_API_KEY: "child-key" }), serve([])]);
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

    it("exits 0 on SIGINT when idle", async () => {
        idle.child.kill("SIGINT");
        expect(await idle.exited).toBe(0);
        expect(idle.stderr()).toMatch(/SIGINT[\s\S]*stopped/);
    });
});
