import { isRerankError } from "../errors/errorTransport.js";
import { AbortedError } from "../errors/AbortedError.js";
import { SequenceTooLongError } from "../errors/SequenceTooLongError.js";
import type { ScoreHead } from "../heads/ScoreHead.js";
import { MemoryEdit, type AddonContext } from "../native/AddonTypes.js";
import { emptySchedulerStats, type SchedulerStats, type ScoringGroup, type ScoringSequence } from "./ScoringGroup.js";
import { packBatch, packEqualBatch, type EqualPackOptions, type RunningSequence } from "./packBatch.js";

export type EngineJobOptions = {
    signal?: AbortSignal;
    /** Called at decode boundaries with each sequence's head row as soon as it is scored. */
    onResult?: (index: number, row: Float32Array) => void;
    /** Called once per decode boundary at which this job finished sequences, after their onResult calls. */
    onProgress?: () => void;
    /** Counted into as the job runs, whether it then succeeds or fails (default: a fresh object). */
    stats?: SchedulerStats;
};

export type EngineJobResult = {
    /** Row of sequence i at [i * head.width, (i + 1) * head.width); NaN where no sequence had index i. */
    rows: Float32Array;
    stats: SchedulerStats;
};

export type ScoringEngineOptions = {
    slots: number;
    batchSize: number;
    head: ScoreHead;
    /**
     * An encoder-only model (bert) without KV memory: each decode is an independent encode, so a
     * sequence is packed whole or waits for the next decode (one longer than batchSize is refused
     * at admission), every packed sequence finishes in its decode, groups share no prefix, and no
     * memory edit is ever sent.
     */
    encoder?: boolean;
    /**
     * Pack every decode so that llama.cpp runs it as one micro-batch (packEqualBatch): each sequence
     * brings the same number of tokens, finishing ones padded with filler within the budget. Only
     * for a logits head on a cache with one KV stream per slot (filler after the output token
     * changes nothing there); unset: packBatch, sequences in start order, no filler.
     */
    equalSpans?: Omit<EqualPackOptions, "batchSize">;
};

/** A group of one call, with the sequences not yet started. */
type GroupState = {
    job: Job;
    /** > 0 only when the group's sequences share their first prefixLength tokens. */
    prefixLength: number;
    pending: ScoringSequence[];
    next: number;
};

type Job = {
    order: number;
    groups: GroupState[];
    /** Groups before this one have started all their sequences. */
    firstOpenGroup: number;
    rows: Float32Array;
    remaining: number;
    running: number;
    stats: SchedulerStats;
    options: EngineJobOptions;
    resolve: (result: EngineJobResult) => void;
    reject: (error: unknown) => void;
    settled: boolean;
    /** performance.now() at run(), and at the job's first decode. */
    submittedAt: number;
    firstDecodeAt: number | undefined;
};

/** One KV sequence of the context. */
type Slot = {
    id: number;
    /** The sharing group whose first `holding` cells this slot's cache holds, if any. */
    group: GroupState | undefined;
    holding: number;
    running: (RunningSequence & { job: Job; group: GroupState }) | undefined;
};

/**
 * The scheduler under a Reranker. Every score call becomes a job; one loop feeds the context's
 * KV slots from all pending jobs at once (continuous batching), so concurrent calls share each
 * decode instead of queueing behind each other.
 *
 * - Fair: a free slot goes to the job running the fewest sequences (then the oldest), so a short
 *   call that arrives behind a 10,000-pair call starts at the next decode boundary.
 * - Prefix sharing: within a group, the first sequence decodes the shared prefix as part of its
 *   own tokens; later sequences copy those cells into their slot, or reuse a slot that still
 *   holds them. No decode is spent on the prefix alone.
 * - Cancellation: an aborted job, or every job on close(), stops at the next decode boundary and
 *   its slots are freed; the other jobs go on.
 * - Memory edits (removals, copies) travel with the next decode, in one native call.
 */
export class ScoringEngine {
    private readonly context: AddonContext;
    private readonly options: ScoringEngineOptions;
    private readonly slots: Slot[];
    private jobs: Job[] = [];
    private edits: number[] = [];
    private jobCount = 0;
    private startCount = 0;
    private pump: Promise<void> | undefined;
    private looping = false;
    private closedWith: Error | undefined;
    /** Counters over the engine's life: every decode, whichever calls shared it. */
    readonly totals = { decodes: 0, tokensEvaluated: 0, fillerTokens: 0, calls: 0 };

    constructor(context: AddonContext, options: ScoringEngineOptions) {
        this.context = context;
        this.options = options;
        this.slots = Array.from({ length: options.slots }, (_, id) => ({ id, group: undefined, holding: 0, running: undefined }));
    }

    /** Jobs accepted and not yet settled. */
    get pendingJobs(): number {
        return this.jobs.length;
    }

    /** Scores the groups' sequences; `count` is one more than the largest sequence index. */
    run(groups: ScoringGroup[], count: number, options: EngineJobOptions = {}): Promise<EngineJobResult> {
        if (this.closedWith) return Promise.reject(this.closedWith);
        if (options.signal?.aborted) return Promise.reject(new AbortedError(options.signal.reason));
        const encoder = this.options.encoder === true;
        if (encoder) {
            for (const group of groups) {
                const tooLong = group.sequences.find((sequence) => sequence.tokens.length > this.options.batchSize);
                if (tooLong) return Promise.reject(new SequenceTooLongError(tooLong.index, tooLong.tokens.length, this.options.batchSize));
            }
        }
        const width = this.options.head.width;
        return new Promise((resolve, reject) => {
            const job: Job = {
                order: this.jobCount++,
                groups: [],
                firstOpenGroup: 0,
                rows: new Float32Array(count * width).fill(Number.NaN),
                remaining: 0,
                running: 0,
                stats: options.stats ?? emptySchedulerStats(),
                options,
                resolve,
                reject,
                settled: false,
                submittedAt: performance.now(),
                firstDecodeAt: undefined
            };
            for (const group of groups) {
                if (group.sequences.length === 0) continue;
                const sharing = !encoder && group.prefixLength > 0 && group.sequences.length > 1;
                job.groups.push({ job, prefixLength: sharing ? group.prefixLength : 0, pending: group.sequences, next: 0 });
                job.remaining += group.sequences.length;
            }
            if (job.remaining === 0) {
                resolve({ rows: job.rows, stats: job.stats });
                return;
            }
            this.jobs.push(job);
            this.totals.calls++;
            this.startLoop();
        });
    }

    /**
     * Rejects every queued and running job with `reason` (running ones stop at the next decode
     * boundary), refuses new ones, and resolves once no decode is in flight.
     */
    async close(reason: Error): Promise<void> {
        this.closedWith ??= reason;
        for (const job of this.jobs) this.settle(job, reason);
        await this.pump;
    }

    /**
     * Runs the loop unless it runs already. The loop marks itself stopped in the same turn as its last
     * settle, so a call made by a caller resuming from that settle (before any promise callback of
     * the loop's own could run) starts a new loop instead of waiting for one that has ended.
     */
    private startLoop(): void {
        if (this.looping) return;
        this.looping = true;
        const pump = this.loop().finally(() => {
            if (this.pump === pump) this.pump = undefined;
        });
        this.pump = pump;
    }

    /**
     * Decodes while jobs are pending. The finally runs in the same turn as the loop ends (the
     * last settle), before any caller resumed by that settle can call run(): see startLoop.
     */
    private async loop(): Promise<void> {
        try {
            while (this.jobs.length > 0 && !this.closedWith) {
                this.dropCancelledJobs();
                this.assignFreeSlots();
                const running = this.slots.filter((slot) => slot.running).map((slot) => slot.running!);
                if (running.length === 0) {
                    // Unreachable while every job has a startable or running sequence; never spin.
                    for (const job of this.jobs) this.settle(job, new Error("internal: the scoring engine found nothing to run"));
                    this.jobs = [];
                    break;
                }
                running.sort((a, b) => a.startOrder - b.startOrder);
                const batch = this.pack(running);
                const edits = Int32Array.from(this.edits);
                this.edits = [];
                let rows: Float32Array;
                const decodeStartedAt = performance.now();
                try {
                    rows = await this.context.decode(batch.arrays, this.options.head.outputTokenIds, edits);
                } catch (error) {
                    this.failRunning(error);
                    continue;
                }
                this.totals.decodes++;
                this.totals.tokensEvaluated += batch.arrays.tokens.length - batch.fillerTokens;
                this.totals.fillerTokens += batch.fillerTokens;
                this.account(batch.tokensPerSlot, batch.fillerPerSlot, decodeStartedAt);
                this.collect(batch.finished, rows);
            }
        } finally {
            this.looping = false;
        }
    }

    private pack(running: RunningSequence[]): ReturnType<typeof packEqualBatch> {
        const { batchSize, equalSpans, encoder } = this.options;
        if (equalSpans && !encoder) return packEqualBatch(running, { batchSize, ...equalSpans });
        return { ...packBatch(running, batchSize, encoder === true), fillerPerSlot: new Map<number, number>(), fillerTokens: 0 };
    }

    private dropCancelledJobs(): void {
        for (const job of this.jobs) {
            const signal = job.options.signal;
            if (!job.settled && signal?.aborted) this.settle(job, new AbortedError(signal.reason));
        }
        for (const slot of this.slots) {
            if (slot.running?.job.settled) this.freeSlot(slot, false);
            if (slot.group?.job.settled && !slot.running) this.forgetPrefix(slot);
        }
        this.jobs = this.jobs.filter((job) => !job.settled);
    }

    private assignFreeSlots(): void {
        for (const slot of this.slots) {
            if (slot.running) continue;
            const candidates = this.jobs
                .map((job) => ({ job, start: this.startableIn(job, slot) }))
                .filter((candidate) => candidate.start !== undefined)
                // Fewest running first; among equals, the job whose prefix this slot holds, then the oldest.
                .sort(
                    (a, b) =>
                        a.job.running - b.job.running ||
                        Number(b.start!.group === slot.group) - Number(a.start!.group === slot.group) ||
                        a.job.order - b.job.order
                );
            const chosen = candidates[0];
            if (chosen) this.start(slot, chosen.start!);
        }
    }

    /** The first group of the job with a sequence that can start now, and how. */
    private startableIn(job: Job, slot: Slot): { group: GroupState; from: "reuse" | "copy" | "carrier" | "plain"; holder?: Slot } | undefined {
        while (job.firstOpenGroup < job.groups.length && job.groups[job.firstOpenGroup]!.next >= job.groups[job.firstOpenGroup]!.pending.length) {
            job.firstOpenGroup++;
        }
        // The group whose prefix this slot already holds first: taking another group's would copy
        // over cells that must then be decoded again.
        const held = slot.group;
        if (held && held.job === job && held.prefixLength > 0 && held.next < held.pending.length && slot.holding >= held.prefixLength) {
            return { group: held, from: "reuse" };
        }
        for (let g = job.firstOpenGroup; g < job.groups.length; g++) {
            const group = job.groups[g]!;
            if (group.next >= group.pending.length) continue;
            if (group.prefixLength === 0) return { group, from: "plain" };
            if (slot.group === group && slot.holding >= group.prefixLength) return { group, from: "reuse" };
            const holder = this.slots.find((other) => other.group === group && other.holding >= group.prefixLength);
            if (holder) return { group, from: "copy", holder };
            // The prefix is being decoded by its carrier: wait for it rather than decode it twice.
            if (this.slots.some((other) => other.group === group)) continue;
            return { group, from: "carrier" };
        }
        return undefined;
    }

    private start(slot: Slot, start: { group: GroupState; from: "reuse" | "copy" | "carrier" | "plain"; holder?: Slot }): void {
        const { group } = start;
        const sequence = group.pending[group.next++]!;
        let cursor = 0;
        if (start.from === "reuse") {
            cursor = group.prefixLength;
        } else if (start.from === "copy") {
            // llama.cpp copies whole KV streams only; the holder's own suffix is cut off again.
            this.edit(MemoryEdit.copy, start.holder!.id, slot.id, 0, MemoryEdit.remove, slot.id, group.prefixLength, -1);
            slot.group = group;
            slot.holding = group.prefixLength;
            cursor = group.prefixLength;
        } else {
            if (slot.holding > 0) this.edit(MemoryEdit.remove, slot.id, -1, -1);
            slot.group = start.from === "carrier" ? group : undefined;
            slot.holding = 0;
        }
        slot.running = { slot: slot.id, sequence, cursor, startOrder: this.startCount++, job: group.job, group };
        group.job.running++;
    }

    private account(tokensPerSlot: Map<number, number>, fillerPerSlot: Map<number, number>, decodeStartedAt: number): void {
        const counted = new Set<Job>();
        for (const [slotId, tokens] of tokensPerSlot) {
            const slot = this.slots[slotId]!;
            const running = slot.running!;
            running.job.stats.tokensEvaluated += tokens;
            running.job.stats.fillerTokens += fillerPerSlot.get(slotId) ?? 0;
            if (!counted.has(running.job)) running.job.stats.decodes++;
            counted.add(running.job);
            if (slot.group === running.group) slot.holding = running.cursor;
        }
        for (const job of counted) {
            if (counted.size > 1) job.stats.sharedDecodes++;
            job.firstDecodeAt ??= decodeStartedAt;
        }
    }

    private collect(finished: RunningSequence[], rows: Float32Array): void {
        const width = this.options.head.width;
        const progressed = new Set<Job>();
        finished.forEach((entry, outputRow) => {
            const slot = this.slots[entry.slot]!;
            const { job, sequence } = slot.running!;
            this.freeSlot(slot, true);
            if (job.settled) return;
            const row = rows.subarray(outputRow * width, (outputRow + 1) * width);
            job.rows.set(row, sequence.index * width);
            job.remaining--;
            progressed.add(job);
            job.options.onResult?.(sequence.index, job.rows.subarray(sequence.index * width, (sequence.index + 1) * width));
        });
        for (const job of progressed) {
            job.options.onProgress?.();
            if (job.remaining === 0) this.settle(job);
        }
        this.jobs = this.jobs.filter((job) => !job.settled);
    }

    /** Ends the slot's sequence; keeps the shared prefix while its group has sequences to start. */
    private freeSlot(slot: Slot, finished: boolean): void {
        const running = slot.running!;
        slot.running = undefined;
        running.job.running--;
        const group = slot.group;
        if (finished && group && !group.job.settled && group.next < group.pending.length && slot.holding >= group.prefixLength) {
            this.edit(MemoryEdit.remove, slot.id, group.prefixLength, -1);
            slot.holding = group.prefixLength;
        } else {
            this.edit(MemoryEdit.remove, slot.id, -1, -1);
            slot.group = undefined;
            slot.holding = 0;
        }
    }

    private forgetPrefix(slot: Slot): void {
        this.edit(MemoryEdit.remove, slot.id, -1, -1);
        slot.group = undefined;
        slot.holding = 0;
    }

    /**
     * After a failed decode the cache's state is unknown: every running job fails with the error,
     * the cache is cleared, and the jobs that had not started go on.
     */
    private failRunning(error: unknown): void {
        for (const slot of this.slots) {
            if (slot.running) this.settle(slot.running.job, error);
            if (slot.running) slot.running.job.running--;
            slot.running = undefined;
            slot.group = undefined;
            slot.holding = 0;
        }
        this.edits = [];
        this.edit(MemoryEdit.clear, 0, 0, 0);
        if (isFatal(error)) for (const job of this.jobs) this.settle(job, error);
        this.jobs = this.jobs.filter((job) => !job.settled);
    }

    /** Queues memory edits for the next decode; an encoder has no memory to edit. */
    private edit(...quadruples: number[]): void {
        if (!this.options.encoder) this.edits.push(...quadruples);
    }

    private settle(job: Job, error?: unknown): void {
        if (job.settled) return;
        job.settled = true;
        const now = performance.now();
        job.stats.queueMs = (job.firstDecodeAt ?? now) - job.submittedAt;
        job.stats.computeMs = job.firstDecodeAt === undefined ? 0 : now - job.firstDecodeAt;
        if (error === undefined) job.resolve({ rows: job.rows, stats: job.stats });
        else job.reject(error);
    }
}

/** Errors after which no later decode can succeed (the isolated child is gone). */
function isFatal(error: unknown): boolean {
    return isRerankError(error, "ERR_BACKEND_CRASHED");
}
