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
    const arrays = emptyBatch(size);
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

function emptyBatch(size: number): AddonBatch {
    return { tokens: new Int32Array(size), positions: new Int32Array(size), sequenceIds: new Int32Array(size), outputs: new Uint8Array(size) };
}

/** llama.cpp sizes a micro-batch's KV view in multiples of this many cells. */
const kvBlockCells = 256;

export type EqualPackOptions = {
    batchSize: number;
    /** KV cells one sequence may fill (llama_n_ctx_seq): a filler token must stay below it. */
    sequenceCells: number;
    /** The most filler tokens one finishing sequence may get (0: none). */
    fillerBudget: number;
};

/**
 * Packs a batch that llama.cpp runs as one micro-batch on a cache with one KV stream per sequence.
 *
 * There, llama.cpp splits a batch (`split_equal`, sequential) into micro-batches that each take a
 * run of consecutive sequence ids and the same number of tokens from each; every micro-batch that
 * holds an output multiplies by the whole output matrix (Gemma's 256,000 rows) and every one reads
 * all the layer weights. A batch whose sequences sit in ascending slot order and each bring the same
 * number of tokens runs as one.
 *
 * So each packed sequence brings `span` tokens: `span` = min(longest remaining, batchSize ÷ count).
 * A sequence with more left brings that many and continues; one with fewer finishes, and its last
 * token is followed by filler (its last token again, at the next positions) up to `span`. Filler
 * changes no score: the output is read at the sequence's own last token, and causal attention
 * there sees no later position. A finishing sequence gets filler only within `fillerBudget` and
 * its slot's cells; otherwise it brings only its own tokens (one more micro-batch).
 *
 * Which sequences take part follows `running`'s order (the engine's start order: fairness); the
 * batch lays them out by slot id. Returns as packBatch does, plus the filler per slot and in all.
 */
export function packEqualBatch(running: RunningSequence[], options: EqualPackOptions) {
    const { batchSize, sequenceCells, fillerBudget } = options;
    // llama.cpp computes each micro-batch's attention over as many cells as its widest stream holds
    // (in blocks of 256): a 150-token chunk beside a 1,000-token one would attend over 1,024 cells.
    // So a decode takes only sequences whose length falls in the oldest one's 256-cell block.
    const block = (entry: RunningSequence) => Math.ceil(entry.sequence.tokens.length / kvBlockCells);
    const oldest = running.find((entry) => entry.sequence.tokens.length > entry.cursor);
    const chosen = running.filter((entry) => entry.sequence.tokens.length > entry.cursor && block(entry) === block(oldest!)).slice(0, batchSize);
    const remaining = (entry: RunningSequence) => entry.sequence.tokens.length - entry.cursor;
    const span = Math.min(Math.max(0, ...chosen.map(remaining)), Math.floor(batchSize / Math.max(1, chosen.length)));
    const plans = chosen
        .map((entry) => {
            const real = Math.min(remaining(entry), span);
            const finishing = entry.cursor + real === entry.sequence.tokens.length;
            const filler = finishing && span - real <= fillerBudget && entry.cursor + span <= sequenceCells ? span - real : 0;
            return { entry, real, filler, finishing };
        })
        .sort((a, b) => a.entry.slot - b.entry.slot);
    const size = plans.reduce((sum, plan) => sum + plan.real + plan.filler, 0);
    const arrays = emptyBatch(size);
    const finished: RunningSequence[] = [];
    const tokensPerSlot = new Map<number, number>();
    let filled = 0;
    let fillerTokens = 0;
    const fillerPerSlot = new Map<number, number>();
    for (const { entry, real, filler, finishing } of plans) {
        const tokens = entry.sequence.tokens;
        const end = entry.cursor + real;
        const count = real + filler;
        arrays.tokens.set(tokens.subarray(entry.cursor, end), filled);
        arrays.tokens.fill(tokens[end - 1]!, filled + real, filled + count);
        arrays.sequenceIds.fill(entry.slot, filled, filled + count);
        for (let i = 0; i < count; i++) arrays.positions[filled + i] = entry.cursor + i;
        if (finishing) {
            arrays.outputs[filled + real - 1] = 1;
            finished.push(entry);
        }
        filled += count;
        fillerTokens += filler;
        tokensPerSlot.set(entry.slot, real);
        if (filler > 0) fillerPerSlot.set(entry.slot, filler);
        entry.cursor = end;
    }
    return { arrays, finished, tokensPerSlot, fillerPerSlot, fillerTokens };
}
