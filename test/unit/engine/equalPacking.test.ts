import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScoringEngine } from "../../../src/engine/ScoringEngine.js";
import type { ScoringGroup } from "../../../src/engine/ScoringGroup.js";
import { sharedPrefixLength } from "../../../src/engine/sharedPrefixLength.js";
import { FakeContext, type DecodeCall } from "../fakes/FakeContext.js";
import { allSequences, expectRowsOfAlone, twoColumnHead } from "../fakes/engineFixtures.js";

// Equal-span packing (packEqualBatch, the engine's equalSpans option): every decode is laid out so that
// llama.cpp runs it as one micro-batch on a cache with one KV stream per slot, finishing sequences
// padded with filler after their output token. Checked against the KV-cache simulator (every row
// equals its sequence decoded alone, every position continues its sequence, no slot overflows) and
// against a model of llama.cpp's micro-batch split written from llama-batch.cpp.

/**
 * llama.cpp's `split_equal(n_ubatch, sequential = true)`, which a cache with one stream per
 * sequence uses: each micro-batch takes a run of consecutive sequence ids (in batch order) and the
 * same number of tokens from each, at most n_ubatch in all. Returns each micro-batch's output count.
 */
function microBatches(call: DecodeCall, ubatchSize: number): number[] {
    const used = new Uint8Array(call.tokens.length);
    const bySequence = new Map<number, number[]>();
    call.sequenceIds.forEach((id, i) => bySequence.set(id, [...(bySequence.get(id) ?? []), i]));
    const outputs: number[] = [];
    for (;;) {
        const set: number[] = [];
        for (let i = 0; i < call.tokens.length; i++) {
            const id = call.sequenceIds[i]!;
            if (used[i] || set.includes(id)) continue;
            if (set.length === 0 || id === set[set.length - 1]! + 1) set.push(id);
        }
        if (set.length === 0) return outputs;
        const next = set.map((id) => bySequence.get(id)!.filter((i) => !used[i]));
        let taken = 0;
        let outputCount = 0;
        while (next.every((indices) => indices.length > taken)) {
            for (const indices of next) {
                used[indices[taken]!] = 1;
                outputCount += call.outputs[indices[taken]!]!;
            }
            taken++;
            if ((taken + 1) * set.length > ubatchSize) break;
        }
        outputs.push(outputCount);
    }
}

const tokensOf = (length: number, base: number) => Int32Array.from({ length }, (_, i) => base + (i % 7));

/** `jobs` concurrent calls, each one group of `perJob` sequences sharing a `prefix`-token prefix, suffixes of 3–12 tokens. */
function shortJobs(jobs: number, perJob: number, prefix: number): ScoringGroup[][] {
    return Array.from({ length: jobs }, (_, j) => {
        const sequences = Array.from({ length: perJob }, (_, k) => ({
            index: k,
            tokens: Int32Array.from([...tokensOf(prefix, 100 * j), ...tokensOf(3 + ((j * 5 + k * 7) % 10), 100 * j + 50 + k)])
        }));
        return [{ prefixLength: sharedPrefixLength(sequences), sequences }];
    });
}

describe("ScoringEngine equal-span packing (equalSpans)", () => {
    it("scores every sequence as decoded alone, never overflows a slot, and keeps filler within its budget", async () => {
        const jobArbitrary = fc.array(
            fc.record({
                prefix: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 10 }),
                suffixes: fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 14 }), { minLength: 1, maxLength: 6 })
            }),
            { minLength: 1, maxLength: 3 }
        );
        await fc.assert(
            fc.asyncProperty(
                fc.array(jobArbitrary, { minLength: 1, maxLength: 3 }),
                fc.integer({ min: 1, max: 6 }),
                fc.integer({ min: 1, max: 40 }),
                fc.integer({ min: 0, max: 40 }),
                fc.integer({ min: 0, max: 6 }),
                async (jobs, slots, batchSize, fillerBudget, spareCells) => {
                    const built = jobs.map((job, j) => {
                        let index = 0;
                        const groups = job.map(({ prefix, suffixes }) => {
                            const sequences = suffixes.map((suffix) => ({
                                index: index++,
                                tokens: Int32Array.from([...prefix, ...suffix], (t) => t + 10 * j)
                            }));
                            return { prefixLength: sharedPrefixLength(sequences), sequences };
                        });
                        return { groups, count: index };
                    });
                    const all = built.flatMap(({ groups }) => allSequences(groups));
                    const longest = Math.max(...all.map((sequence) => sequence.tokens.length));
                    // Slots barely larger than the longest sequence: filler must stop at the last cell.
                    const sequenceCells = longest + spareCells;
                    const context = new FakeContext({ sequences: slots, batchSize, sequenceContextSize: sequenceCells });
                    const engine = new ScoringEngine(context, { slots, batchSize, head: twoColumnHead, equalSpans: { fillerBudget, sequenceCells } });
                    const results = await Promise.all(built.map(({ groups, count }) => engine.run(groups, count)));
                    results.forEach(({ rows }, j) => expectRowsOfAlone(rows, allSequences(built[j]!.groups)));
                    // Filler: at most fillerBudget per finishing sequence, and all of it past the sequence's end.
                    expect(engine.totals.fillerTokens).toBeLessThanOrEqual(fillerBudget * all.length);
                    expect(engine.totals.tokensEvaluated + engine.totals.fillerTokens).toBe(context.tokensDecoded);
                }
            ),
            { numRuns: 200, seed: 23 }
        );
    });

    it("runs each run of consecutive slots in a decode as one micro-batch; start-order packing does not", async () => {
        const batchSize = 128;
        const run = async (fillerBudget: number | undefined) => {
            const context = new FakeContext({ sequences: 32, batchSize });
            const engine = new ScoringEngine(context, {
                slots: 32,
                batchSize,
                head: twoColumnHead,
                equalSpans: fillerBudget === undefined ? undefined : { fillerBudget, sequenceCells: 4096 }
            });
            const jobs = shortJobs(16, 3, 6);
            const results = await Promise.all(jobs.map((groups) => engine.run(groups, 3)));
            results.forEach(({ rows }, j) => expectRowsOfAlone(rows, allSequences(jobs[j]!)));
            return { calls: context.calls, engine };
        };
        // Slots that finished and were not refilled leave holes: each run of consecutive slots is a
        // micro-batch of its own (llama.cpp's rule), and that is the least any layout can do.
        const slotRuns = (call: DecodeCall) => {
            const slots = [...new Set(call.sequenceIds)];
            return slots.filter((slot, i) => i === 0 || slot !== slots[i - 1]! + 1).length;
        };
        const equal = await run(batchSize);
        expect(equal.calls.length).toBeGreaterThan(1);
        for (const call of equal.calls) expect(microBatches(call, batchSize)).toHaveLength(slotRuns(call));
        expect(equal.calls.filter((call) => slotRuns(call) === 1).length).toBeGreaterThan(equal.calls.length / 2);
        expect(equal.engine.totals.fillerTokens).toBeGreaterThan(0);
        // The same calls packed in start order without filler: some decode splits further.
        const plain = await run(undefined);
        expect(plain.calls.some((call) => microBatches(call, batchSize).length > slotRuns(call))).toBe(true);
    });

    it("gives no filler beyond the budget: with budget 0, a finishing sequence brings only its own tokens", async () => {
        const context = new FakeContext({ sequences: 2, batchSize: 64 });
        const engine = new ScoringEngine(context, { slots: 2, batchSize: 64, head: twoColumnHead, equalSpans: { fillerBudget: 0, sequenceCells: 4096 } });
        const sequences = [
            { index: 0, tokens: tokensOf(10, 1) },
            { index: 1, tokens: tokensOf(4, 40) }
        ];
        const { rows } = await engine.run([{ prefixLength: 0, sequences }], 2);
        expectRowsOfAlone(rows, sequences);
        expect(engine.totals.fillerTokens).toBe(0);
        expect(context.tokensDecoded).toBe(14);
    });

    it("does not put sequences of different 256-cell blocks in one decode; those of one block share decodes", async () => {
        const slotsPerDecode = async (lengths: number[]) => {
            const context = new FakeContext({ sequences: 3, batchSize: 96 });
            const engine = new ScoringEngine(context, { slots: 3, batchSize: 96, head: twoColumnHead, equalSpans: { fillerBudget: 96, sequenceCells: 4096 } });
            const sequences = lengths.map((length, index) => ({ index, tokens: tokensOf(length, 10 * index + 1) }));
            const { rows } = await engine.run([{ prefixLength: 0, sequences }], sequences.length);
            expectRowsOfAlone(rows, sequences);
            return context.calls.map((call) => new Set(call.sequenceIds).size);
        };
        // Blocks 2, 1 and 3 (of 256 cells): never two in one decode.
        expect(Math.max(...(await slotsPerDecode([300, 40, 530])))).toBe(1);
        // All in block 2: they share decodes.
        expect(Math.max(...(await slotsPerDecode([300, 290, 270])))).toBe(3);
    });
});
