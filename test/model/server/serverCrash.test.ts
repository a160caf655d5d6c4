import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forkIsolationProcess } from "../../../src/isolation/IsolationChannel.js";
import { RerankServer } from "../../../src/server/RerankServer.js";
import { SupervisedReranker } from "../../../src/server/SupervisedReranker.js";
import { sampleQuery, samplePassages } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";
import { send, type HttpAnswer } from "../../server/httpClient.js";

// A server that survives llama.cpp: its child process is killed for real (SIGKILL) while real HTTP
// requests run, and the server answers them 503, says why on /health, starts a new child and
// scores again. The supervisor's state machine alone is test/unit/server/supervisor.test.ts.

const errorOf = (answer: HttpAnswer) => (answer.body as { error: { message: string; type: string; code: number } }).error;
const scoresOf = (answer: HttpAnswer) =>
    (answer.body as { results: { index: number; relevance_score: number }[] }).results
        .slice()
        .sort((a, b) => a.index - b.index)
        .map((result) => result.relevance_score);

/** Polls a condition: no sleeps of guessed length; bounded so a broken server fails the test instead of hanging it. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 6000; i++) {
        if (await condition()) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
}

const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

// Far too long to finish before the test acts (seconds on the tiny model even on a fast machine).
const longDocuments = Array.from({ length: 300 }, (_, i) => `document ${i}: the moon raises tides in the ocean, ${"and the sea follows ".repeat(3)}`);
const small = { query: sampleQuery, documents: samplePassages.slice(0, 3) };

describe("RerankServer over a SupervisedReranker: the llama.cpp child killed under requests", () => {
    let supervisor: SupervisedReranker;
    let server: RerankServer;
    let url: string;
    /** Every llama.cpp child started, to check none outlives dispose(). */
    const childPids: number[] = [];
    /** The restart waits, held until the test releases them: "down" lasts exactly as long as the test looks. */
    const heldWaits: (() => void)[] = [];
    const logs: string[] = [];

    beforeAll(async () => {
        supervisor = await SupervisedReranker.load(
            {
                model: testModels.tiny,
                gpu: false,
                threads: 1,
                onWarning: () => undefined,
                isolationProcess: (entryPoint) => {
                    const child = forkIsolationProcess(entryPoint);
                    childPids.push(child.pid!);
                    return child;
                }
            },
            {
                log: (line) => logs.push(line),
                sleep: (_ms, signal) =>
                    new Promise<void>((resolve, reject) => {
                        heldWaits.push(resolve);
                        signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
                    })
            }
        );
        server = new RerankServer({ scorer: supervisor, port: 0, log: () => undefined });
        ({ url } = await server.start());
    });
    afterAll(async () => {
        await server?.close();
        await supervisor?.dispose();
    });

    it("in-flight requests get 503 backend_crashed; /health is 503 with the reason while down; after the restart it scores as before", async () => {
        const before = await send(`${url}/v1/rerank`, { body: small });
        expect(before.status).toBe(200);
        expect((await send(`${url}/health`)).status).toBe(200);

        const firstPid = supervisor.describe().backend.childPid!;
        expect(firstPid).toBe(childPids[0]);
        const inFlight = [0, 1, 2].map((i) => send(`${url}/v1/rerank`, { body: { query: `${sampleQuery} ${i}`, documents: longDocuments } }));
        await until(() => server.stats.admittedRequests === 3, "three requests to be scoring");
        process.kill(firstPid, "SIGKILL");

        for (const answer of await Promise.all(inFlight)) {
            expect(answer.status).toBe(503);
            expect(answer.headers["retry-after"]).toBe("1");
            expect(errorOf(answer)).toEqual({
                type: "backend_crashed",
                code: 503,
                message: expect.stringMatching(/llama\.cpp process exited \(signal SIGKILL\)/)
            });
        }

        const health = await send(`${url}/health`);
        expect(health.status).toBe(503);
        expect(Number(health.headers["retry-after"])).toBeGreaterThanOrEqual(1);
        expect(health.body).toMatchObject({
            status: "unavailable",
            reason: expect.stringMatching(/^the llama\.cpp process exited \(signal SIGKILL\); restarting \(attempt 1 in 0(\.\d+)? s\)$/),
            error: { type: "backend_unavailable", code: 503 }
        });
        const meanwhile = await send(`${url}/v1/rerank`, { body: small });
        expect(meanwhile.status).toBe(503);
        expect(errorOf(meanwhile)).toMatchObject({ type: "backend_unavailable", code: 503, message: expect.stringMatching(/signal SIGKILL/) });
        expect(meanwhile.headers["retry-after"]).toMatch(/^\d+$/);
        expect(alive(firstPid)).toBe(false);

        heldWaits.shift()!();
        await until(async () => (await send(`${url}/health`)).status === 200, "/health to answer 200 again");
        const secondPid = supervisor.describe().backend.childPid!;
        expect(secondPid).not.toBe(firstPid);
        expect(alive(secondPid)).toBe(true);
        expect(supervisor.status()).toMatchObject({ state: "up", crashes: 1, restarts: 1, failedLoads: 0 });
        const after = await send(`${url}/v1/rerank`, { body: small });
        expect(after.status).toBe(200);
        expect(scoresOf(after)).toEqual(scoresOf(before));
        expect(logs.join("\n")).toMatch(/signal SIGKILL[\s\S]*restarted \(attempt 1, process \d+\)/);
    });

    it("dispose while the replacement is loading leaves no llama.cpp process behind", async () => {
        const pid = supervisor.describe().backend.childPid!;
        const spawned = childPids.length;
        process.kill(pid, "SIGKILL");
        await until(() => heldWaits.length === 1, "the restart to wait");
        heldWaits.shift()!();
        await until(() => childPids.length === spawned + 1, "the replacement to be started");
        await supervisor.dispose();
        expect(supervisor.status().state).toBe("disposed");
        expect(childPids.filter(alive)).toEqual([]);
        expect((await send(`${url}/health`)).status).toBe(503);
    });
});

type Served = { child: ChildProcess; url: string; llamaPid: number; stderr: () => string; exited: Promise<number | null> };

/** `llm-rerank serve` with no --isolation flag (the default), on an ephemeral port. */
function serve(env: Record<string, string>): Promise<Served> {
    const child = spawn(process.execPath, ["dist/cli/cli.js", "serve", "--model", testModels.tiny, "--gpu", "cpu", "--threads", "1", "--port", "0"], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "ignore", "pipe"]
    });
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return new Promise((resolve, reject) => {
        child.stderr!.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            const match = /serving .* at (http:\/\/\S+); llama\.cpp runs in process (\d+)/.exec(stderr);
            if (match) resolve({ child, url: match[1]!, llamaPid: Number(match[2]), stderr: () => stderr, exited });
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
    });
}

describe("`llm-rerank serve` (isolation process by default): llama.cpp aborts under a request", () => {
    let served: Served;

    beforeAll(async () => {
        // Test hook read only by llama.cpp's child: abort() at its 6th decode, as a failed GGML_ASSERT
        // does. Every child serve starts inherits it; a small request needs fewer decodes than that.
        served = await serve({ LLM_RERANK_TEST_ABORT_AT_DECODE: "6" });
    });
    afterAll(() => {
        served?.child.kill("SIGKILL");
    });

    it("answers the request 503 backend_crashed, restarts llama.cpp, scores again, and stops cleanly", async () => {
        const before = await send(`${served.url}/v1/rerank`, { body: small });
        expect(before.status).toBe(200);
        const doomed = await send(`${served.url}/v1/rerank`, { body: { query: sampleQuery, documents: longDocuments } });
        expect(doomed.status).toBe(503);
        expect(errorOf(doomed)).toMatchObject({ type: "backend_crashed", code: 503, message: expect.stringMatching(/signal SIGABRT/) });
        await until(async () => (await send(`${served.url}/health`)).status === 200, "/health to answer 200 again");
        const after = await send(`${served.url}/v1/rerank`, { body: small });
        expect(after.status).toBe(200);
        expect(scoresOf(after)).toEqual(scoresOf(before));
        expect(served.stderr()).toMatch(/exited \(signal SIGABRT\); restarting \(attempt 1 in 0\.25 s\)/);
        const restarted = /restarted \(attempt 1, process (\d+)\)/.exec(served.stderr());
        expect(restarted).not.toBeNull();
        expect(alive(served.llamaPid)).toBe(false);

        served.child.kill("SIGTERM");
        expect(await served.exited).toBe(0);
        // serve disposes the supervisor before it exits, and that waits for the child's exit.
        expect(alive(Number(restarted![1]))).toBe(false);
    });
});
