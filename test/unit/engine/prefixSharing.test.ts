import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScoringEngine } from "../../../src/engine/ScoringEngine.js";
import type { ScoringGroup } from "../../../src/engine/ScoringGroup.js";
import { sharedPrefixLength } from "../../../src/engine/sharedPrefixLength.js";
import { MemoryEdit } from "../../../src/native/AddonTypes.js";
import { FakeContext } from "../fakes/FakeContext.js";
import { allSequences, expectRowsOfAlone, sharedGroup, totalTokens, twoColumnHead } from "../fakes/engineFixtures.js";

// The decoder engine's KV bookkeeping against a KV-cache simulator (test/unit/fakes/FakeContext.ts):
// every row is compared with the fake's row of the whole sequence decoded alone, so a wrong copy,
// reuse or removal, or a row at the wrong index, fails.

function engineOver(context: FakeContext, slots: number, batchSize: number): ScoringEngine {
    return new ScoringEngine(context, { slots, batchSize, head: twoColumnHead });
}

/** Quadruples of one decode call's edits. */
function editsOf(edits: Int32Array): number[][] {
    return Array.from({ length: edits.length / 4 }, (_, i) => Array.from(edits.subarray(i * 4, i * 4 + 4)));
}

/** Random jobs of groups whose sequences share a prefix drawn from a small alphabet (so suffixes sometimes extend it). */
const jobsArbitrary = fc.array(
    fc.array(
        fc.record({
            prefix: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 12 }),
            suffixes: fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 })
        }),
        { minLength: 1, maxLength: 3 }
    ),
    { minLength: 1, maxLength: 3 }
);

function toGroups(job: { prefix: number[]; suffixes: number[][] }[], jobNumber: number): { groups: ScoringGroup[]; count: number } {
    let index = 0;
    const groups = job.map(({ prefix, suffixes }) => {
        // Token values tell jobs apart; the group's prefixLength is what its sequences really share.
        const sequences = suffixes.map((suffix) => ({ index: index++, tokens: Int32Array.from([...prefix, ...suffix], (token) => token + jobNumber * 10) }));
        return { prefixLength: sharedPrefixLength(sequences), sequences };
    });
    return { groups, count: index };
}

describe("ScoringEngine prefix sharing (decoder, fake KV cache)", () => {
    it("scores every sequence as the fake scores it decoded alone, for any slots, batch size and concurrent jobs", async () => {
        await fc.assert(
            fc.asyncProperty(jobsArbitrary, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 24 }), async (jobs, slots, batchSize) => {
                const context = new FakeContext({ sequences: slots, batchSize });
                const engine = engineOver(context, slots, batchSize);
                const built = jobs.map(toGroups);
                const results = await Promise.all(built.map(({ groups, count }) => engine.run(groups, count)));
                results.forEach(({ rows }, j) => expectRowsOfAlone(rows, allSequences(built[j]!.groups)));
                // The same work without sharing gives the same rows, bit for bit.
                const plainContext = new FakeContext({ sequences: slots, batchSize });
                const plain = engineOver(plainContext, slots, batchSize);
                const unshared = await Promise.all(
                    built.map(({ groups, count }) =>
                        plain.run(
                            groups.map((group) => ({ ...group, prefixLength: 0 })),
                            count
                        )
                    )
                );
                unshared.forEach(({ rows }, j) => expect(Array.from(rows)).toEqual(Array.from(results[j]!.rows)));
                expect(context.tokensDecoded).toBeLessThanOrEqual(plainContext.tokensDecoded);
            }),
            { numRuns: 150, seed: 17 }
        );
    });

    it("evaluates exactly (P − 1) × prefix fewer tokens for a group of P, whatever the slots and batch size", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.integer({ min: 1, max: 20 }),
                fc.integer({ min: 2, max: 9 }),
                fc.integer({ min: 1, max: 5 }),
                fc.integer({ min: 1, max: 32 }),
                async (prefixLength, count, slots, batchSize) => {
                    const group = sharedGroup(100, prefixLength, count);
                    const context = new FakeContext({ sequences: slots, batchSize });
                    const engine = engineOver(context, slots, batchSize);
                    const { rows, stats } = await engine.run([group], count);
                    expectRowsOfAlone(rows, group.sequences);
                    const expected = totalTokens(group.sequences) - (count - 1) * prefixLength;
                    expect(stats.tokensEvaluated).toBe(expected);
                    expect(engine.totals.tokensEvaluated).toBe(expected);
                    expect(context.tokensDecoded).toBe(expected);
                    // The prefix's positions are decoded once each.
                    const prefixPositions = context.calls.reduce((sum, call) => sum + call.positions.filter((position) => position < prefixLength).length, 0);
                    expect(prefixPositions).toBe(prefixLength);
                }
            ),
            { numRuns: 150, seed: 7 }
        );
    });

    it("lets a carrier decode the prefix while the other slots wait, then copies it into them", async () => {
        const prefixLength = 10;
        const group = sharedGroup(100, prefixLength, 5);
        const context = new FakeContext({ sequences: 4, batchSize: 4 });
        const engine = engineOver(context, 4, 4);
        const { rows } = await engine.run([group], 5);
        expectRowsOfAlone(rows, group.sequences);
        // Until the carrier is past the prefix, each decode holds its tokens only.
        const carrier = context.calls[0]!.sequenceIds[0]!;
        const beforeCopy = context.calls.findIndex((call) => editsOf(call.edits).some((edit) => edit[0] === MemoryEdit.copy));
        expect(beforeCopy).toBe(Math.ceil(prefixLength / 4));
        for (const call of context.calls.slice(0, beforeCopy)) expect(new Set(call.sequenceIds)).toEqual(new Set([carrier]));
        // It finished there: its slot is cut back to the prefix (it reuses it) and each other slot gets a
        // copy of the carrier's cells, cut back to the prefix: all in the next decode's native call.
        const others = [0, 1, 2, 3].filter((slot) => slot !== carrier);
        expect(editsOf(context.calls[beforeCopy]!.edits)).toEqual([
            [MemoryEdit.remove, carrier, prefixLength, -1],
            ...others.flatMap((slot) => [
                [MemoryEdit.copy, carrier, slot, 0],
                [MemoryEdit.remove, slot, prefixLength, -1]
            ])
        ]);
        // The copies start at the prefix's end: none of them decodes a prefix position.
        const copied = context.calls[beforeCopy]!;
        for (let i = 0; i < copied.tokens.length; i++) {
            if (copied.sequenceIds[i] !== carrier) expect(copied.positions[i]).toBeGreaterThanOrEqual(prefixLength);
        }
    });

    it("reuses a slot that still holds the prefix: the sequence's suffix is cut, the next one starts after the prefix", async () => {
        const prefixLength = 6;
        const group = sharedGroup(100, prefixLength, 3);
        const context = new FakeContext({ sequences: 1, batchSize: 64 });
        const engine = engineOver(context, 1, 64);
        const { rows } = await engine.run([group], 3);
        expectRowsOfAlone(rows, group.sequences);
        expect(context.calls).toHaveLength(3);
        expect(context.calls.map((call) => call.positions[0])).toEqual([0, prefixLength, prefixLength]);
        expect(context.calls.slice(1).map((call) => editsOf(call.edits))).toEqual([
            [[MemoryEdit.remove, 0, prefixLength, -1]],
            [[MemoryEdit.remove, 0, prefixLength, -1]]
        ]);
    });

    it("decodes each concurrent job's prefix once, and forgets a finished group's prefix", async () => {
        const first = sharedGroup(100, 5, 3);
        const second = sharedGroup(300, 5, 3);
        const context = new FakeContext({ sequences: 2, batchSize: 64 });
        const engine = engineOver(context, 2, 64);
        const results = await Promise.all([engine.run([first], 3), engine.run([second], 3)]);
        expectRowsOfAlone(results[0]!.rows, first.sequences);
        expectRowsOfAlone(results[1]!.rows, second.sequences);
        // Neither prefix is overwritten before its group is done, so neither is decoded twice.
        expect(context.tokensDecoded).toBe(totalTokens([...first.sequences, ...second.sequences]) - 2 * 2 * 5);
        await new Promise(setImmediate);
        // Both groups are done: the next call's first decode empties both slots before its batch.
        const next = sharedGroup(700, 0, 2);
        expectRowsOfAlone((await engine.run([next], 2)).rows, next.sequences);
        const firstOfNext = editsOf(context.calls[context.calls.length - 1]!.edits);
        expect(firstOfNext).toEqual(
            expect.arrayContaining([
                [MemoryEdit.remove, 0, -1, -1],
                [MemoryEdit.remove, 1, -1, -1]
            ])
        );
    });

    // Found by this tier: within one job, a slot that held group B's prefix was given to group A (the
    // job's first open group) by copying A's prefix over it, so B's prefix was decoded a second time
    // (31 tokens here instead of 26). startableIn now prefers the group whose prefix the slot holds.
    it("decodes each group's prefix once when one job has several sharing groups", async () => {
        const first = sharedGroup(100, 5, 3, 0);
        const second = sharedGroup(300, 5, 3, 3);
        const context = new FakeContext({ sequences: 2, batchSize: 64 });
        const engine = engineOver(context, 2, 64);
        const { rows } = await engine.run([first, second], 6);
        expectRowsOfAlone(rows, [...first.sequences, ...second.sequences]);
        expect(context.tokensDecoded).toBe(totalTokens([...first.sequences, ...second.sequences]) - 2 * 2 * 5);
    });

    it("sends memory edits with the next decode, in the same native call, never on their own", async () => {
        const group = sharedGroup(100, 4, 2);
        const context = new FakeContext({ sequences: 2, batchSize: 64 });
        const engine = engineOver(context, 2, 64);
        await engine.run([group], 2);
        // A later caller (see "starts a call made right as the previous one resolves" for the same tick).
        await new Promise(setImmediate);
        const decodes = context.calls.length;
        // The finished sequences' removals are queued, not sent: the cache still holds them.
        expect(context.sequence(0).length + context.sequence(1).length).toBeGreaterThan(0);
        const next = sharedGroup(300, 3, 2);
        const { rows } = await engine.run([next], 2);
        expectRowsOfAlone(rows, next.sequences);
        const carrying = context.calls[decodes]!;
        expect(carrying.tokens.length).toBeGreaterThan(0);
        expect(editsOf(carrying.edits)).toContainEqual([MemoryEdit.remove, carrying.sequenceIds[0]!, -1, -1]);
        expect(context.calls.every((call) => call.tokens.length > 0)).toBe(true);
    });

    it("keeps each job's rows apart when several jobs share the slots and each decode", async () => {
        const jobs = [sharedGroup(100, 7, 5), sharedGroup(300, 3, 4), sharedGroup(500, 0, 3)];
        const context = new FakeContext({ sequences: 3, batchSize: 9 });
        const engine = engineOver(context, 3, 9);
        const results = await Promise.all(jobs.map((group) => engine.run([group], group.sequences.length)));
        results.forEach(({ rows, stats }, j) => {
            expectRowsOfAlone(rows, jobs[j]!.sequences);
            expect(stats.sharedDecodes).toBeGreaterThan(0);
            expect(stats.sharedDecodes).toBeLessThanOrEqual(stats.decodes);
        });
        expect(engine.totals.decodes).toBe(context.calls.length);
        expect(results.reduce((sum, { stats }) => sum + stats.tokensEvaluated, 0)).toBe(context.tokensDecoded);
    });

    it("leaves NaN rows for indices no sequence has, and resolves an empty call without a decode", async () => {
        const context = new FakeContext({ sequences: 2, batchSize: 16 });
        const engine = engineOver(context, 2, 16);
        const empty = await engine.run([{ prefixLength: 0, sequences: [] }], 2);
        expect(Array.from(empty.rows).every(Number.isNaN)).toBe(true);
        expect(context.calls).toHaveLength(0);
        const group = { prefixLength: 0, sequences: [{ index: 2, tokens: Int32Array.of(1, 2, 3) }] };
        const { rows } = await engine.run([group], 4);
        expectRowsOfAlone(rows, group.sequences);
        for (const index of [0, 1, 3]) expect(Array.from(rows.subarray(index * 2, index * 2 + 2)).every(Number.isNaN)).toBe(true);
    });
});
