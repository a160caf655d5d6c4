import { describe, expect, it } from "vitest";
import { ScoringEngine } from "../../../src/engine/ScoringEngine.js";
import type { ScoringGroup } from "../../../src/engine/ScoringGroup.js";
import { AbortedError, BackendCrashedError, DisposedError } from "../../../src/errors/errors.js";
import { MemoryEdit } from "../../../src/native/AddonTypes.js";
import { expectedRow, FakeContext } from "../fakes/FakeContext.js";
import { expectRowsOfAlone, sharedGroup, twoColumnHead } from "../fakes/engineFixtures.js";

// Fairness, cancellation, close and decode failures of the decoder engine, against the KV-cache
// simulator. Which job a decode served is read from its tokens: each job draws them from its own range.

function engineOver(context: FakeContext, slots: number, batchSize: number): ScoringEngine {
    return new ScoringEngine(context, { slots, batchSize, head: twoColumnHead });
}

/** Whether a decode call holds tokens of the job whose tokens start at `base` (ranges of 1000). */
const holdsJob = (tokens: Int32Array, base: number) => tokens.some((token) => token >= base && token < base + 1000);

/** `count` unshared sequences of `length` tokens, tokens from `base`. */
function plainGroup(base: number, count: number, length: number): ScoringGroup {
    return {
        prefixLength: 0,
        sequences: Array.from({ length: count }, (_, index) => ({ index, tokens: Int32Array.from({ length }, (_, i) => base + ((index * length + i) % 1000)) }))
    };
}

/** Lets every microtask run: the fake's decodes never wait for anything else, so a live engine finishes its work. */
const settle = () => new Promise(setImmediate);

describe("ScoringEngine scheduling (decoder, fake KV cache)", () => {
    it("starts a short call that arrives behind a long one at the next decode boundary", async () => {
        const context = new FakeContext({ sequences: 2, batchSize: 8 });
        const engine = engineOver(context, 2, 8);
        // 40 sequences of 4 tokens: two finish at every decode.
        const long = plainGroup(1000, 40, 4);
        const held = context.hold(0);
        let longFinished = 0;
        const longRun = engine.run([long], 40, { onResult: () => longFinished++ });
        await held.reached;
        const short = plainGroup(5000, 1, 3);
        let longFinishedWhenShortEnded = -1;
        const shortRun = engine.run([short], 1, { onResult: () => (longFinishedWhenShortEnded = longFinished) });
        held.release();
        const [{ rows: shortRows }, { rows: longRows }] = await Promise.all([shortRun, longRun]);
        expectRowsOfAlone(shortRows, short.sequences);
        expectRowsOfAlone(longRows, long.sequences);
        // Decode 0 was the long call's alone; decode 1, the first boundary after the short call came, holds it.
        expect(holdsJob(context.calls[0]!.tokens, 5000)).toBe(false);
        expect(holdsJob(context.calls[1]!.tokens, 5000)).toBe(true);
        // It ended with the second decode, in which the long call finished its third sequence.
        expect(longFinishedWhenShortEnded).toBe(3);
        expect(context.calls.length).toBe(21);
    });

    it("gives free slots to the job running the fewest sequences, then the oldest", async () => {
        const context = new FakeContext({ sequences: 4, batchSize: 64 });
        const engine = engineOver(context, 4, 64);
        // Both jobs queue behind a one-sequence call, so the slots are shared out at one boundary.
        const held = context.hold(0);
        const first = engine.run([plainGroup(5000, 1, 2)], 1);
        await held.reached;
        const jobs = [plainGroup(1000, 8, 3), plainGroup(2000, 8, 3)];
        const runs = jobs.map((group) => engine.run([group], 8));
        held.release();
        await first;
        const results = await Promise.all(runs);
        results.forEach(({ rows }, j) => expectRowsOfAlone(rows, jobs[j]!.sequences));
        // Slots alternate between the two jobs: two sequences each in every decode, oldest job first.
        for (const call of context.calls.slice(1)) {
            const perSlot = Array.from({ length: 4 }, (_, slot) => call.tokens[call.sequenceIds.indexOf(slot)]!);
            expect(perSlot.map((token) => (token < 2000 ? "old" : "new"))).toEqual(["old", "new", "old", "new"]);
        }
        expect(context.calls).toHaveLength(5);
    });

    it("stops an aborted call at the next boundary with AbortedError; the other call's rows are unchanged", async () => {
        const context = new FakeContext({ sequences: 3, batchSize: 6 });
        const engine = engineOver(context, 3, 6);
        const controller = new AbortController();
        const victim = sharedGroup(1000, 5, 12);
        const other = sharedGroup(3000, 4, 6);
        let abortedAfter = -1;
        const victimRun = engine.run([victim], 12, {
            signal: controller.signal,
            onProgress: () => {
                if (abortedAfter < 0) {
                    abortedAfter = context.calls.length;
                    controller.abort("stale query");
                }
            }
        });
        const otherRun = engine.run([other], 6);
        const error = await victimRun.catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(AbortedError);
        expect((error as AbortedError).cause).toBe("stale query");
        expectRowsOfAlone((await otherRun).rows, other.sequences);
        // No decode after the abort holds the victim's tokens, and its slots were emptied.
        expect(abortedAfter).toBeGreaterThan(0);
        for (const call of context.calls.slice(abortedAfter)) expect(holdsJob(call.tokens, 1000)).toBe(false);
        await settle();
        await engine.run([sharedGroup(6000, 0, 3)], 3);
        for (let slot = 0; slot < 3; slot++) expect(context.sequence(slot).every((cell) => cell.token >= 6000)).toBe(true);
    });

    it("rejects an already-aborted call before any decode, and a queued call aborted before it started", async () => {
        const context = new FakeContext({ sequences: 1, batchSize: 4 });
        const engine = engineOver(context, 1, 4);
        await expect(engine.run([plainGroup(1000, 1, 2)], 1, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
        expect(context.calls).toHaveLength(0);
        const held = context.hold(0);
        const first = engine.run([plainGroup(1000, 1, 8)], 1);
        await held.reached;
        const controller = new AbortController();
        const queued = engine.run([plainGroup(2000, 2, 2)], 2, { signal: controller.signal });
        controller.abort();
        held.release();
        await expect(queued).rejects.toBeInstanceOf(AbortedError);
        await first;
        expect(context.calls.some((call) => holdsJob(call.tokens, 2000))).toBe(false);
    });

    it("close() rejects queued and running calls with its error, lets the decode in flight end, then decodes nothing", async () => {
        const context = new FakeContext({ sequences: 2, batchSize: 4 });
        const engine = engineOver(context, 2, 4);
        const held = context.hold(1);
        const running = engine.run([plainGroup(1000, 6, 6)], 6);
        await held.reached;
        const queued = engine.run([plainGroup(2000, 2, 2)], 2);
        const reason = new DisposedError("this Reranker");
        let closed = false;
        const closing = engine.close(reason).then(() => (closed = true));
        await expect(running).rejects.toBe(reason);
        await expect(queued).rejects.toBe(reason);
        // The decode in flight still holds the context: close() has not resolved, and dispose is refused.
        await settle();
        expect(closed).toBe(false);
        await expect(context.dispose()).rejects.toThrow("in flight");
        held.release();
        await closing;
        expect(context.calls).toHaveLength(2);
        await context.dispose();
        await expect(engine.run([plainGroup(3000, 1, 2)], 1)).rejects.toBe(reason);
        expect(engine.pendingJobs).toBe(0);
    });

    it("after a failed decode fails the running calls, clears the cache, and goes on with the calls not started", async () => {
        const context = new FakeContext({ sequences: 2, batchSize: 8 });
        const engine = engineOver(context, 2, 8);
        const failure = new Error("llama_decode failed with status 1");
        context.fail(1, failure);
        const held = context.hold(0);
        // Two sequences that take both slots for several decodes.
        const a = engine.run([plainGroup(1000, 2, 12)], 2);
        await held.reached;
        // Arrives while both slots are taken: not started when decode 1 fails.
        const waiting = sharedGroup(3000, 3, 4);
        const b = engine.run([waiting], 4);
        held.release();
        await expect(a).rejects.toBe(failure);
        expectRowsOfAlone((await b).rows, waiting.sequences);
        // The decode after the failure clears the whole cache first; the fake left half a batch behind.
        expect(Array.from(context.calls[2]!.edits.subarray(0, 4))).toEqual([MemoryEdit.clear, 0, 0, 0]);
    });

    it("fails every call, queued ones too, when the isolated backend crashed", async () => {
        const context = new FakeContext({ sequences: 1, batchSize: 4 });
        const engine = engineOver(context, 1, 4);
        const crash = new BackendCrashedError(null, "SIGABRT");
        context.fail(0, crash);
        const held = context.hold(0);
        const running = engine.run([plainGroup(1000, 1, 6)], 1);
        await held.reached;
        const queued = engine.run([plainGroup(2000, 2, 2)], 2);
        held.release();
        await expect(running).rejects.toBe(crash);
        await expect(queued).rejects.toBe(crash);
        expect(context.calls).toHaveLength(1);
        expect(engine.pendingJobs).toBe(0);
    });

    it("reports each sequence's row at its boundary, then progress once per boundary", async () => {
        const context = new FakeContext({ sequences: 2, batchSize: 5 });
        const engine = engineOver(context, 2, 5);
        const group = sharedGroup(1000, 3, 5);
        const events: string[] = [];
        const { rows, stats } = await engine.run([group], 5, {
            onResult: (index, row) => {
                const { tokens } = group.sequences.find((sequence) => sequence.index === index)!;
                expect(Array.from(row)).toEqual(Array.from(expectedRow(tokens, twoColumnHead.outputTokenIds)));
                events.push(`r${index}@${context.calls.length}`);
            },
            onProgress: () => events.push(`p@${context.calls.length}`)
        });
        expectRowsOfAlone(rows, group.sequences);
        expect(events.filter((event) => event.startsWith("r"))).toHaveLength(5);
        // A progress event closes each boundary that finished sequences, after their results.
        const boundaries = new Set(events.map((event) => event.split("@")[1]));
        for (const boundary of boundaries) expect(events.filter((event) => event.endsWith(`@${boundary}`)).at(-1)).toBe(`p@${boundary}`);
        expect(stats.decodes).toBe(context.calls.length);
        expect(stats.sharedDecodes).toBe(0);
    });

    // Found by this tier: run() used to start the loop only when `pump` was unset, and `pump` was
    // cleared one microtask after the loop returned, so a call made in that window (a caller awaiting
    // engine.run directly and calling again at once) was queued with no loop to run it and never
    // settled. The loop now marks itself stopped in the same turn as its last settle.
    it("starts a call made right as the previous one resolves", async () => {
        const context = new FakeContext({ sequences: 1, batchSize: 8 });
        const engine = engineOver(context, 1, 8);
        await engine.run([plainGroup(1000, 1, 3)], 1);
        let settled = false;
        const next = engine.run([plainGroup(2000, 1, 3)], 1).finally(() => (settled = true));
        await settle();
        expect(settled).toBe(true);
        await next;
    });
});
