import { describe, expect, it } from "vitest";
import { BackendCrashedError, BackendUnavailableError, DisposedError, isRerankError } from "../../../src/index.js";
import type { RerankOptions, RerankResult, ScoreOptions, StreamedScore } from "../../../src/RerankerOptions.js";
import type { Scorer, ScorerDescription } from "../../../src/Scorer.js";
import { httpErrorFor } from "../../../src/server/errorAnswer.js";
import { defaultBackoffMs, SupervisedReranker, type BackendExit, type SupervisionOptions } from "../../../src/server/SupervisedReranker.js";

// The supervisor's state machine with a fake backend, a fake clock and waits the test releases:
// no model, no process, no timer. The real thing (a real child killed under real requests) is
// test/server/serverCrash.test.ts.

/** A backend whose "process" the test kills: calls held open reject as a real crash does. */
class FakeBackend implements Scorer {
    disposed = false;
    hold = false;
    private dead: BackendCrashedError | undefined;
    private readonly held: ((error: unknown) => void)[] = [];

    constructor(
        readonly id: number,
        private readonly exited: (exit: BackendExit) => void
    ) {}

    score(pairs: [string, string][], _options?: ScoreOptions): Promise<number[]> {
        if (this.disposed) return Promise.reject(new DisposedError("fake"));
        if (this.dead) return Promise.reject(this.dead);
        if (this.hold) return new Promise((_, reject) => this.held.push(reject));
        return Promise.resolve(pairs.map(() => this.id));
    }

    async rerank(_query: string, passages: string[], _options?: RerankOptions): Promise<RerankResult[]> {
        const scores = await this.score(passages.map((passage) => ["q", passage]));
        return scores.map((score, index) => ({ index, score, passage: passages[index]! }));
    }

    async *scoreStream(pairs: [string, string][]): AsyncIterable<StreamedScore> {
        for (const [index, score] of (await this.score(pairs)).entries()) yield { index, score };
    }

    describe(): ScorerDescription & { backendId: number } {
        return { model: { name: "fake" }, profile: "fake", normalize: "none", backendId: this.id };
    }

    /** As ChildProcessHost: the exit is seen, then every call in flight rejects with the crash. */
    crash(signal = "SIGKILL"): void {
        this.dead = new BackendCrashedError(null, signal);
        this.exited({ exitCode: null, signal });
        for (const reject of this.held.splice(0)) reject(this.dead);
    }

    /** A call the engine had queued but not sent: rejected by the dispose that follows the crash. */
    rejectHeldAsDisposed(): void {
        for (const reject of this.held.splice(0)) reject(new DisposedError("fake"));
    }

    async dispose(): Promise<void> {
        this.disposed = true;
    }
}

type Harness = {
    supervisor: SupervisedReranker<FakeBackend>;
    backends: FakeBackend[];
    /** Outcomes of the next loads: "ok", an error, or a promise the test settles. */
    plan: ("ok" | Error | Promise<"ok">)[];
    waits: { ms: number; release: () => void }[];
    clock: { now: number };
    logs: string[];
    gaveUp: string[];
    loads: number;
};

async function harness(options: SupervisionOptions = {}): Promise<Harness> {
    const h: Omit<Harness, "supervisor"> = { backends: [], plan: [], waits: [], clock: { now: 0 }, logs: [], gaveUp: [], loads: 0 };
    const supervisor = await SupervisedReranker.start<FakeBackend>(
        async (exited) => {
            h.loads++;
            const outcome = h.plan.shift() ?? "ok";
            if (outcome instanceof Error) throw outcome;
            await outcome;
            const backend = new FakeBackend(h.loads, exited);
            h.backends.push(backend);
            return backend;
        },
        {
            now: () => h.clock.now,
            sleep: (ms, signal) =>
                new Promise<void>((resolve, reject) => {
                    h.waits.push({ ms, release: resolve });
                    signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
                }),
            log: (line) => h.logs.push(line),
            onGiveUp: (reason) => h.gaveUp.push(reason),
            ...options
        }
    );
    return Object.assign(h, { supervisor });
}

/** Lets the supervisor's promise chains run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function releaseWait(h: Harness): Promise<number> {
    await settle();
    const wait = h.waits.shift();
    if (!wait) throw new Error("the supervisor is not waiting");
    wait.release();
    await settle();
    return wait.ms;
}

describe("SupervisedReranker's state machine", () => {
    it("backs off 250 ms doubling per attempt up to 30 s", () => {
        expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(defaultBackoffMs)).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    });

    it("a crash: calls in flight get BackendCrashedError, calls meanwhile BackendUnavailableError, readiness says why; then it serves again", async () => {
        const h = await harness();
        expect(await h.supervisor.score([["q", "a"]])).toEqual([1]);
        h.backends[0]!.hold = true;
        const inFlight = [h.supervisor.score([["q", "a"]]), h.supervisor.rerank("q", ["a", "b"])].map((call) => call.catch((error: unknown) => error));
        h.backends[0]!.crash("SIGKILL");
        for (const error of await Promise.all(inFlight)) {
            expect(isRerankError(error, "ERR_BACKEND_CRASHED")).toBe(true);
            expect(httpErrorFor(error, new AbortController().signal)).toMatchObject({ status: 503, type: "backend_crashed", headers: { "Retry-After": "1" } });
        }

        const readiness = h.supervisor.readiness();
        expect(readiness).toMatchObject({ ready: false, retryAfterSeconds: expect.any(Number) });
        expect(readiness.ready === false && readiness.reason).toBe("the llama.cpp process exited (signal SIGKILL); restarting (attempt 1 in 0.25 s)");
        const refused = await h.supervisor.score([["q", "a"]]).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(BackendUnavailableError);
        expect((refused as BackendUnavailableError).reason).toMatch(/signal SIGKILL\); restarting/);
        const refusal = httpErrorFor(refused, new AbortController().signal);
        expect(refusal).toMatchObject({ status: 503, type: "backend_unavailable" });
        expect(Number(refusal.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
        await expect(
            (async () => {
                for await (const _ of h.supervisor.scoreStream([["q", "a"]])) void _;
            })()
        ).rejects.toBeInstanceOf(BackendUnavailableError);
        expect(h.supervisor.status()).toMatchObject({ state: "restarting", crashes: 1, restarts: 0, attempt: 1 });
        expect(h.backends[0]!.disposed).toBe(true);

        expect(await releaseWait(h)).toBe(250);
        expect(h.supervisor.readiness()).toEqual({ ready: true });
        expect(await h.supervisor.score([["q", "a"]])).toEqual([2]);
        expect(h.supervisor.describe()).toMatchObject({ backendId: 2, supervisor: { state: "up", crashes: 1, restarts: 1, failedLoads: 0 } });
        expect(h.loads).toBe(2);
        await h.supervisor.dispose();
        expect(h.backends[1]!.disposed).toBe(true);
    });

    it("notices a death with no call in flight, and reports a queued call's DisposedError as the crash", async () => {
        const h = await harness();
        h.backends[0]!.hold = true;
        const queued = h.supervisor.score([["q", "a"]]).catch((error: unknown) => error);
        // The exit arrives first; the engine's queued call is rejected by the dispose that follows.
        h.backends[0]!.crash("SIGABRT");
        h.backends[0]!.rejectHeldAsDisposed();
        expect(await queued).toBeInstanceOf(BackendCrashedError);
        expect(h.supervisor.status()).toMatchObject({ state: "restarting", crashes: 1 });
        // A second exit report about the same backend (its calls also saw the crash) changes nothing.
        h.backends[0]!.crash("SIGABRT");
        expect(h.supervisor.status().crashes).toBe(1);
        await releaseWait(h);
        expect(h.supervisor.status().state).toBe("up");
        await h.supervisor.dispose();
    });

    it("retries a failing reload on the backoff schedule, saying how it failed, and recovers", async () => {
        const h = await harness();
        h.plan.push(new Error("boom 1"), new Error("boom 2"), new Error("boom 3"));
        h.backends[0]!.crash();
        const waited: number[] = [];
        for (let i = 0; i < 3; i++) waited.push(await releaseWait(h));
        const readiness = h.supervisor.readiness();
        expect(readiness.ready === false && readiness.reason).toBe(
            "the llama.cpp process exited (signal SIGKILL), then 3 reloads failed (last: boom 3); restarting (attempt 4 in 2 s)"
        );
        expect(readiness).toMatchObject({ retryAfterSeconds: 2 }); // the 2 s wait + the last load's time (0 on this clock)
        waited.push(await releaseWait(h));
        expect(waited).toEqual([250, 500, 1000, 2000]);
        expect(h.supervisor.status()).toMatchObject({ state: "up", restarts: 1, failedLoads: 0, crashes: 1 });
        expect(h.logs.filter((line) => /reload attempt \d failed/.test(line))).toHaveLength(3);
        await h.supervisor.dispose();
    });

    it("backs off further when a new backend dies young, and starts over after one that served a while", async () => {
        const h = await harness({ stableMs: 60_000 });
        h.backends[0]!.crash();
        expect(await releaseWait(h)).toBe(250);
        h.clock.now += 5_000; // dies 5 s after its start: the streak goes on
        h.backends[1]!.crash();
        expect(await releaseWait(h)).toBe(500);
        h.clock.now += 5_000;
        h.backends[2]!.crash();
        expect(await releaseWait(h)).toBe(1000);
        h.clock.now += 60_000; // served a minute: a new streak
        h.backends[3]!.crash();
        expect(await releaseWait(h)).toBe(250);
        expect(h.supervisor.status()).toMatchObject({ state: "up", crashes: 4, restarts: 4 });
        await h.supervisor.dispose();
    });

    it("gives up after maxFailedLoads failed reloads in a row: reports it, stops loading, refuses calls without a retry hint", async () => {
        const h = await harness({ maxFailedLoads: 3 });
        h.plan.push(new Error("no memory"), new Error("no memory"), new Error("no memory"), new Error("never tried"));
        h.backends[0]!.crash("SIGSEGV");
        for (let i = 0; i < 3; i++) await releaseWait(h);
        expect(h.supervisor.status()).toMatchObject({ state: "failed", failedLoads: 3 });
        const readiness = h.supervisor.readiness();
        expect(readiness.ready).toBe(false);
        expect(readiness).not.toHaveProperty("retryAfterSeconds");
        expect(readiness.ready === false && readiness.reason).toMatch(/signal SIGSEGV.*3 reloads in a row failed \(last: no memory\); gave up/);
        expect(h.gaveUp).toHaveLength(1);
        const refused = await h.supervisor.score([["q", "a"]]).catch((error: unknown) => error);
        expect(refused).toMatchObject({ code: "ERR_BACKEND_UNAVAILABLE", retryAfterSeconds: null });
        expect(httpErrorFor(refused, new AbortController().signal).headers).toEqual({});
        // Not spinning: no further wait or load was started.
        await settle();
        expect(h.waits).toHaveLength(0);
        expect(h.loads).toBe(4);
        await h.supervisor.dispose();
        expect(h.supervisor.status().state).toBe("disposed");
    });

    it("dispose while waiting to restart cancels the restart", async () => {
        const h = await harness();
        h.backends[0]!.crash();
        await settle();
        expect(h.waits).toHaveLength(1);
        await h.supervisor.dispose();
        expect(h.loads).toBe(1);
        expect(h.supervisor.readiness()).toMatchObject({ ready: false });
        await expect(h.supervisor.score([["q", "a"]])).rejects.toBeInstanceOf(DisposedError);
    });

    it("dispose while a reload is under way waits for it and disposes what it loaded: nothing outlives dispose()", async () => {
        const h = await harness();
        let finishLoad!: () => void;
        h.plan.push(new Promise<"ok">((resolve) => (finishLoad = () => resolve("ok"))));
        h.backends[0]!.crash();
        await releaseWait(h);
        expect(h.supervisor.status()).toMatchObject({ state: "restarting" });
        expect(h.supervisor.readiness()).toMatchObject({ reason: expect.stringMatching(/attempt 1, loading/) });
        let disposed = false;
        const disposing = h.supervisor.dispose().then(() => (disposed = true));
        await settle();
        expect(disposed).toBe(false);
        finishLoad();
        await disposing;
        expect(h.backends).toHaveLength(2);
        expect(h.backends.every((backend) => backend.disposed)).toBe(true);
        expect(h.supervisor.status().state).toBe("disposed");
    });

    it("an old backend's late exit report does not take the new one down", async () => {
        const h = await harness();
        const old = h.backends[0]!;
        old.crash();
        await releaseWait(h);
        old.crash(); // the first process's exit, reported again after the restart
        expect(h.supervisor.status()).toMatchObject({ state: "up", crashes: 1 });
        expect(await h.supervisor.score([["q", "a"]])).toEqual([2]);
        await h.supervisor.dispose();
    });

    it("the first load's failure is thrown, not retried", async () => {
        const load = SupervisedReranker.start(async () => {
            throw new Error("bad model");
        });
        await expect(load).rejects.toThrow("bad model");
    });
});
