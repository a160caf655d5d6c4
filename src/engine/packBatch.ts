import type { AddonBatch } from "../native/AddonTypes.js";
import type { ScoringSequence } from "./ScoringGroup.js";

/** A sequence in a KV slot, evaluated up to (not including) token `cursor`. */
export type RunningSequence = {
    slot: number;
    sequence: ScoringSequence;
    cursor: number;
    /** Order in which sequences were started: packing follows it, so sequences finish in order. */
    startOrder: number;
};

/**
 * Packs up to batchSize tokens from the running sequences, in the given order, into one batch.
 * A sequence longer than the room left continues in the next batch. Outputs are requested only at
 * a sequence's last token; `finished` lists those sequences in batch order, which is the order of
 * the rows decode() returns. Advances each packed sequence's cursor.
 *
 * With `whole` (an encoder without KV memory, where each decode stands alone) a sequence is
 * packed entirely or not at all: one that does not fit the room left waits for the next batch, so
 * every packed sequence finishes in this one. The caller keeps every sequence within batchSize.
 */
export function packBatch(running: RunningSequence[], batchSize: number, whole = false) {
    let total = 0;
    for (const entry of running) total += entry.sequence.tokens.length - entry.cursor;
    const size = Math.min(total, batchSize);
    const arrays: AddonBatch = {
        tokens: new Int32Array(size),
        positions: new Int32Array(size),
        sequenceIds: new Int32Array(size),
        outputs: new Uint8Array(size)
    };
    const finished: RunningSequence[] = [];
    const tokensPerSlot = new Map<number, number>();
    let filled = 0;
    for (const entry of running) {
        const room = size - filled;
        if (room <= 0) break;
        const tokens = entry.sequence.tokens;
        if (whole && tokens.length - entry.cursor > room) continue;
        const end = Math.min(tokens.length, entry.cursor + room);
        if (end === entry.cursor) continue;
        arrays.tokens.set(tokens.subarray(entry.cursor, end), filled);
        arrays.sequenceIds.fill(entry.slot, filled, filled + end - entry.cursor);
        for (let i = entry.cursor; i < end; i++) arrays.positions[filled + i - entry.cursor] = i;
        filled += end - entry.cursor;
        tokensPerSlot.set(entry.slot, end - entry.cursor);
        entry.cursor = end;
        if (end === tokens.length) {
            arrays.outputs[filled - 1] = 1;
            finished.push(entry);
        }
    }
    // Whole packing can leave room unused: the batch holds only what was packed.
    if (filled < size) {
        arrays.tokens = arrays.tokens.slice(0, filled);
        arrays.positions = arrays.positions.slice(0, filled);
        arrays.sequenceIds = arrays.sequenceIds.slice(0, filled);
        arrays.outputs = arrays.outputs.slice(0, filled);
    }
    return { arrays, finished, tokensPerSlot };
}
