import { setTimeout as sleepFor } from "node:timers/promises";
import { BackendCrashedError } from "../errors/BackendCrashedError.js";
import { BackendUnavailableError } from "../errors/BackendUnavailableError.js";
import { isRerankError } from "../errors/errorTransport.js";
import { DisposedError, InvalidArgumentError } from "../errors/errors.js";
import { forkIsolationProcess } from "../isolation/IsolationChannel.js";
import { Reranker } from "../Reranker.js";
import type { RerankerLoadOptions, RerankOptions, RerankResult, ScoreOptions, StreamedScore } from "../RerankerOptions.js";
import type { Scorer, ScorerReadiness } from "../Scorer.js";
import type { ModelHealthReport } from "../health/ModelHealth.js";

/** How a backend's process ended. */
export type BackendExit = { exitCode: number | null; signal: string | null };

/**
 * Starts one backend. `exited` is to be called if its process dies afterwards (the supervisor
 * ignores calls about a backend it no longer serves with, so a deliberate dispose is harmless).
 */
export type BackendLoader<S extends Scorer> = (exited: (exit: BackendExit) => void) => Promise<S>;

export type SupervisionOptions = {
    /**
     * The wait before restart attempt n (1-based) of a streak. Default: 250 ms doubling per attempt,
     * capped at 30 s: 0.25, 0.5, 1, 2, 4, 8, 16, 30, 30, ... s.
     */
    backoffMs?: (attempt: number) => number;
    /** Consecutive failed loads after which the supervisor gives up (state "failed"). Default 10. */
    maxFailedLoads?: number;
    /**
     * A backend that served this long before dying starts a new streak (attempt 1, shortest wait);
     * one that died sooner continues the streak, so a crash loop backs off. Default 60 s.
     */
    stableMs?: number;
    /** Where crashes, restarts and failed loads are reported. Default: nowhere. */
    log?: (line: string) => void;
    /** Called once when the supervisor gives up (maxFailedLoads failed loads in a row). */
    onGiveUp?: (reason: string) => void;
    /** Seams for tests: the wait (must reject or resolve early when the signal fires) and the clock. */
    sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
    now?: () => number;
};

export type SupervisorState = "up" | "restarting" | "failed" | "disposed";

export type SupervisorStatus = {
    state: SupervisorState;
    /** Why calls are refused now (null while up). */
    reason: string | null;
    /** Backend deaths seen since start. */
    crashes: number;
    /** Successful reloads since start. */
    restarts: number;
    /** Loads that failed in a row (reset by a successful one). */
    failedLoads: number;
    /** The restart attempt of the current streak (0 before any crash). */
    attempt: number;
};

/** The default backoff: 250 ms doubling per attempt, capped at 30 s. */
export const defaultBackoffMs = (attempt: number): number => Math.min(30_000, 250 * 2 ** Math.max(0, attempt - 1));

type Generation<S> = { scorer: S; upSince: number; crash?: BackendCrashedError };

type Phase = { kind: "waiting"; attempt: number; until: number } | { kind: "loading"; attempt: number };

/**
 * A Scorer that keeps a backend (a Reranker with isolation "process") alive: when its llama.cpp
 * process dies, the calls in flight fail with BackendCrashedError, calls made while it is down fail
 * at once with BackendUnavailableError (reason and retry hint), readiness() says why, and a new
 * backend is loaded after a backoff. A load that keeps failing ends in state "failed" (reported by
 * readiness() and onGiveUp) instead of retrying forever. RerankServer maps both errors to 503.
 */
export class SupervisedReranker<S extends Scorer = Reranker> implements Scorer {
    private readonly loader: BackendLoader<S>;
    private readonly backoffMs: (attempt: number) => number;
    private readonly maxFailedLoads: number;
    private readonly stableMs: number;
    private readonly log: (line: string) => void;
    private readonly onGiveUp: (reason: string) => void;
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    private readonly now: () => number;
    private readonly stop = new AbortController();
    private state: SupervisorState = "up";
    private current: Generation<S> | undefined;
    private lastDescription: ReturnType<S["describe"]> | undefined;
    private lastHealth: ModelHealthReport | null = null;
    private phase: Phase | undefined;
    /** What took the backend down, and what went wrong since (the reason's first part). */
    private cause = "";
    private failure = "";
    private crashes = 0;
    private restarts = 0;
    private failedLoads = 0;
    private streak = 0;
    private lastLoadMs = 1000;
    private restarting: Promise<void> | undefined;
    private readonly retiring = new Set<Promise<void>>();
    private disposing: Promise<void> | undefined;

    private constructor(loader: BackendLoader<S>, options: SupervisionOptions) {
        this.loader = loader;
        this.backoffMs = options.backoffMs ?? defaultBackoffMs;
        this.maxFailedLoads = options.maxFailedLoads ?? 10;
        this.stableMs = options.stableMs ?? 60_000;
        this.log = options.log ?? (() => undefined);
        this.onGiveUp = options.onGiveUp ?? (() => undefined);
        this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
        this.now = options.now ?? Date.now;
    }

    /**
     * Loads a Reranker with isolation "process" and supervises it. The first load's failure is
     * thrown (a model that never loads is the caller's to fix); later ones are retried.
     */
    static load(options: RerankerLoadOptions, supervision: SupervisionOptions = {}): Promise<SupervisedReranker<Reranker>> {
        if (options.isolation !== undefined && options.isolation !== "process") {
            throw new InvalidArgumentError(
                `a supervised Reranker runs llama.cpp in a child process: isolation must be "process", got ${JSON.stringify(options.isolation)}`
            );
        }
        const spawn = options.isolationProcess ?? forkIsolationProcess;
        return SupervisedReranker.start<Reranker>(
            (exited) =>
                Reranker.load({
                    ...options,
                    isolation: "process",
                    isolationProcess: (entryPoint) => {
                        const child = spawn(entryPoint);
                        child.on("exit", (exitCode, signal) => exited({ exitCode, signal: signal ?? null }));
                        return child;
                    }
                }),
            supervision
        );
    }

    /** Supervises whatever `loader` starts (tests pass a fake); the first load's failure is thrown. */
    static async start<S extends Scorer>(loader: BackendLoader<S>, supervision: SupervisionOptions = {}): Promise<SupervisedReranker<S>> {
        const supervisor = new SupervisedReranker(loader, supervision);
        await supervisor.loadBackend();
        return supervisor;
    }

    status(): SupervisorStatus {
        const readiness = this.readiness();
        return {
            state: this.state,
            reason: readiness.ready ? null : readiness.reason,
            crashes: this.crashes,
            restarts: this.restarts,
            failedLoads: this.failedLoads,
            attempt: this.phase?.attempt ?? this.streak
        };
    }

    readiness(): ScorerReadiness {
        switch (this.state) {
            case "up":
                return { ready: true };
            case "disposed":
                return { ready: false, reason: "the scorer was disposed" };
            case "failed":
                return { ready: false, reason: this.failure };
            case "restarting": {
                const phase = this.phase!;
                const failures =
                    this.failedLoads > 0 ? `, then ${this.failedLoads} reload${this.failedLoads === 1 ? "" : "s"} failed (last: ${this.failure})` : "";
                const waitMs = phase.kind === "waiting" ? Math.max(0, phase.until - this.now()) : 0;
                const doing =
                    phase.kind === "waiting" ? `attempt ${phase.attempt} in ${Number((waitMs / 1000).toFixed(2))} s` : `attempt ${phase.attempt}, loading`;
                return {
                    ready: false,
                    reason: `${this.cause}${failures}; restarting (${doing})`,
                    retryAfterSeconds: Math.max(1, Math.ceil((waitMs + this.lastLoadMs) / 1000))
                };
            }
        }
    }

    /** The health check of the backend in use (of the last one while down); null when it ran none. */
    modelHealth(): ModelHealthReport | null {
        return this.lastHealth;
    }

    /** The backend's description (the last one while down) and the supervisor's status. */
    describe(): ReturnType<S["describe"]> & { supervisor: SupervisorStatus } {
        const description = this.state === "up" ? (this.current!.scorer.describe() as ReturnType<S["describe"]>) : this.lastDescription!;
        return { ...description, supervisor: this.status() };
    }

    score(pairs: [string, string][], options?: ScoreOptions): Promise<number[]> {
        return this.call((scorer) => scorer.score(pairs, options));
    }

    rerank(query: string, passages: string[], options?: RerankOptions): Promise<RerankResult[]> {
        return this.call((scorer) => scorer.rerank(query, passages, options));
    }

    async *scoreStream(pairs: [string, string][], options?: ScoreOptions): AsyncIterable<StreamedScore> {
        const generation = this.live();
        try {
            for await (const item of generation.scorer.scoreStream(pairs, options)) yield item;
        } catch (error) {
            throw this.failureOf(generation, error);
        }
    }

    /**
     * Stops supervising: a pending restart is cancelled, a load in progress is awaited and its
     * backend disposed, the live backend is disposed (its calls reject with DisposedError). No
     * child process outlives the returned promise. Safe to call twice.
     */
    dispose(): Promise<void> {
        this.disposing ??= (async () => {
            this.state = "disposed";
            this.phase = undefined;
            this.stop.abort();
            await this.restarting;
            const generation = this.current;
            this.current = undefined;
            if (generation) await generation.scorer.dispose();
            while (this.retiring.size > 0) await Promise.all(this.retiring);
        })();
        return this.disposing;
    }

    [Symbol.asyncDispose](): Promise<void> {
        return this.dispose();
    }

    private async call<T>(work: (scorer: S) => Promise<T>): Promise<T> {
        const generation = this.live();
        try {
            return await work(generation.scorer);
        } catch (error) {
            throw this.failureOf(generation, error);
        }
    }

    private live(): Generation<S> {
        if (this.state === "up") return this.current!;
        if (this.state === "disposed") throw new DisposedError("this supervised Reranker");
        const readiness = this.readiness() as { reason: string; retryAfterSeconds?: number };
        throw new BackendUnavailableError(readiness.reason, readiness.retryAfterSeconds ?? null);
    }

    /** A call's error: a crash takes the backend down; any error of a crashed backend is that crash. */
    private failureOf(generation: Generation<S>, error: unknown): unknown {
        if (isRerankError(error, "ERR_BACKEND_CRASHED")) {
            this.crashed(generation, error as BackendCrashedError);
            return error;
        }
        return generation.crash ?? error;
    }

    /** Loads a backend and makes it current; throws what the load threw. */
    private async loadBackend(): Promise<void> {
        const generation: Partial<Generation<S>> = {};
        const started = this.now();
        const scorer = await this.loader((exit) => {
            if (generation.scorer !== undefined) this.crashed(generation as Generation<S>, new BackendCrashedError(exit.exitCode, exit.signal));
        });
        this.lastLoadMs = this.now() - started;
        if (this.state === "disposed") {
            await scorer.dispose();
            return;
        }
        generation.scorer = scorer;
        generation.upSince = this.now();
        this.current = generation as Generation<S>;
        this.lastDescription = scorer.describe() as ReturnType<S["describe"]>;
        this.lastHealth = scorer.modelHealth?.() ?? null;
        this.state = "up";
        this.phase = undefined;
    }

    private crashed(generation: Generation<S>, crash: BackendCrashedError): void {
        generation.crash ??= crash;
        if (this.state !== "up" || this.current !== generation) return;
        this.crashes++;
        this.current = undefined;
        this.state = "restarting";
        this.cause = `the llama.cpp process exited (${crash.signal ? `signal ${crash.signal}` : `exit code ${crash.exitCode}`})`;
        this.failedLoads = 0;
        // A backend that served a while before dying starts a new streak; one that died young continues it.
        if (this.now() - generation.upSince >= this.stableMs) this.streak = 0;
        const retired = generation.scorer.dispose().catch(() => undefined);
        this.retiring.add(retired);
        void retired.finally(() => this.retiring.delete(retired));
        this.restarting = this.restart();
    }

    private async restart(): Promise<void> {
        while (this.state === "restarting") {
            const attempt = ++this.streak;
            const waitMs = this.backoffMs(attempt);
            this.phase = { kind: "waiting", attempt, until: this.now() + waitMs };
            this.log(this.status().reason ?? "");
            try {
                await this.sleep(waitMs, this.stop.signal);
            } catch {
                return; // disposed while waiting
            }
            if (this.state !== "restarting") return;
            this.phase = { kind: "loading", attempt };
            try {
                await this.loadBackend();
            } catch (error) {
                if (this.state !== "restarting") return;
                this.failedLoads++;
                this.failure = error instanceof Error ? error.message : String(error);
                this.log(`llama.cpp reload attempt ${attempt} failed: ${this.failure}`);
                if (this.failedLoads >= this.maxFailedLoads) {
                    this.state = "failed";
                    this.phase = undefined;
                    this.failure = `${this.cause}, then ${this.failedLoads} reloads in a row failed (last: ${this.failure}); gave up: restart the server`;
                    this.log(this.failure);
                    this.onGiveUp(this.failure);
                    return;
                }
                continue;
            }
            if ((this.state as SupervisorState) === "up") {
                this.restarts++;
                this.failedLoads = 0;
                const pid = (this.lastDescription as { backend?: { childPid?: number } }).backend?.childPid;
                this.log(`llama.cpp restarted (attempt ${attempt}${pid !== undefined ? `, process ${pid}` : ""}); serving again`);
            }
            return;
        }
    }
}
