import { describe, expect, it } from "vitest";
import { ScoringEngine } from "../../../src/engine/ScoringEngine.js";
import { SequenceTooLongError } from "../../../src/errors/errors.js";
import { RankPoolingHead } from "../../../src/heads/RankPoolingHead.js";
import type { AddonBatch, AddonContext, AddonContextDescription } from "../../../src/native/AddonTypes.js";

// The engine's encoder mode (bert: no KV memory) against a recording context that checks what an
// encoder's llama_decode needs: every sequence of a batch whole, from position 0, with one output
// at its last token, and no memory edits (there is no memory to edit). Its row for a sequence is
// the sum of the sequence's token ids, so each score can be checked against its own input.
class RecordingEncoderContext implements AddonContext {
    readonly batches: AddonBatch[] = [];
    readonly edits: Int32Array[] = [];
    failAt = -1;

    async decode(batch: AddonBatch, _scoreTokenIds: Int32Array, memoryEdits: Int32Array): Promise<Float32Array> {
        this.edits.push(memoryEdits);
        this.batches.push(batch);
        if (this.batches.length - 1 === this.failAt) throw new Error("decode failed");
        const rows: number[] = [];
        let sum = 0;
        for (let i = 0; i < batch.tokens.length; i++) {
            const startsSequence = i === 0 || batch.sequenceIds[i] !== batch.sequenceIds[i - 1];
            if (startsSequence) {
                expect(batch.positions[i]).toBe(0);
                sum = 0;
            } else expect(batch.positions[i]).toBe(batch.positions[i - 1]! + 1);
            sum += batch.tokens[i]!;
            const endsSequence = i === batch.tokens.length - 1 || batch.sequenceIds[i + 1] !== batch.sequenceIds[i];
            expect(batch.outputs[i]).toBe(endsSequence ? 1 : 0);
            if (endsSequence) rows.push(sum);
        }
        return Float32Array.from(rows);
    }

    describe(): AddonContextDescription {
        return { contextSize: 0, sequenceContextSize: 0, batchSize: 16, ubatchSize: 16, sequences: 4 };
    }

    async dispose(): Promise<void> {}
}

const sequence = (index: number, length: number) => ({ index, tokens: Int32Array.from({ length }, (_, i) => index * 100 + i + 1) });
const sumOf = (tokens: Int32Array) => tokens.reduce((sum, token) => sum + token, 0);

describe("ScoringEngine in encoder mode (no KV memory)", () => {
    it("packs sequences whole, never splits one across decodes, and sends no memory edit", async () => {
        const context = new RecordingEncoderContext();
        const engine = new ScoringEngine(context, { slots: 4, batchSize: 16, head: new RankPoolingHead(1, 0), encoder: true });
        // 10 + 9 cannot share a 16-token batch: without whole packing the 9 would be split.
        const sequences = [sequence(0, 10), sequence(1, 9), sequence(2, 5), sequence(3, 16), sequence(4, 1)];
        // A shared prefix is ignored: an encoder has no cells to share.
        const { rows } = await engine.run([{ prefixLength: 3, sequences }], sequences.length);
        sequences.forEach((entry) => expect(rows[entry.index]).toBe(sumOf(entry.tokens)));
        expect(context.edits.every((edits) => edits.length === 0)).toBe(true);
        expect(context.batches.every((batch) => batch.tokens.length <= 16)).toBe(true);
        const packed = context.batches.reduce((total, batch) => total + batch.tokens.length, 0);
        expect(packed).toBe(sequences.reduce((total, entry) => total + entry.tokens.length, 0));
    });

    it("refuses a sequence longer than the batch before any decode", async () => {
        const context = new RecordingEncoderContext();
        const engine = new ScoringEngine(context, { slots: 4, batchSize: 16, head: new RankPoolingHead(1, 0), encoder: true });
        await expect(engine.run([{ prefixLength: 0, sequences: [sequence(0, 4), sequence(1, 17)] }], 2)).rejects.toBeInstanceOf(SequenceTooLongError);
        expect(context.batches).toHaveLength(0);
    });

    it("after a failed decode fails the running call and clears nothing, then scores the next call", async () => {
        const context = new RecordingEncoderContext();
        context.failAt = 0;
        const engine = new ScoringEngine(context, { slots: 2, batchSize: 16, head: new RankPoolingHead(1, 0), encoder: true });
        await expect(engine.run([{ prefixLength: 0, sequences: [sequence(0, 6), sequence(1, 6)] }], 2)).rejects.toThrow("decode failed");
        const next = [sequence(0, 7), sequence(1, 8)];
        const { rows } = await engine.run([{ prefixLength: 0, sequences: next }], 2);
        next.forEach((entry) => expect(rows[entry.index]).toBe(sumOf(entry.tokens)));
        expect(context.edits.every((edits) => edits.length === 0)).toBe(true);
    });
});
