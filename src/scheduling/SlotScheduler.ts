import { AbortedError } from "../errors/AbortedError.js";
import { SequenceTooLongError } from "../errors/SequenceTooLongError.js";
import type { AddonContext } from "../native/AddonTypes.js";
import type { SchedulerStats, ScoringGroup, ScoringSequence } from "./ScoringGroup.js";

type ActiveSlot = {
    slot: number;
    sequence: ScoringSequence;
    /** Next token of sequence.tokens to evaluate. */
    cursor: number;
};

export type SlotSchedulerOptions = {
    slots: number;
    batchSize: number;
    scoreTokenIds: Int32Array;
    signal?: AbortSignal;
    /** Floats decode() returns per output. Default scoreTokenIds.length (a rank head returns its own width). */
    outputWidth?: number;
    /**
     * An encoder-only model (bert): no KV memory to clear, copy or trim, no prefix sharing, and
     * every sequence whole within one decode (each call is an independent encode). A sequence longer
     * than batchSize is refused, never split.
     */
    encoder?: boolean;
};

/**
 * Fills the context's KV slots with sequences and packs up to batchSize tokens from as many slots
 * as fit into each llama_decode. Long sequences span several decodes; a slot is refilled as soon as
 * its sequence's last token has been evaluated. Logits are requested only at last tokens.
 *
 * Scores for each sequence are written to results[index * scoreTokenIds.length + k].
 */
export class SlotScheduler {
    private readonly context: AddonContext;
    private readonly options: SlotSchedulerOptions;
    readonly stats: SchedulerStats = { decodes: 0, tokensEvaluated: 0 };

    constructor(context: AddonContext, options: SlotSchedulerOptions) {
        this.context = context;
        this.options = options;
    }

    async run(groups: ScoringGroup[], results: Float32Array): Promise<void> {
        // Whatever an earlier, failed run left in the cache is dropped here, so an error never
        // poisons the next call.
        if (!this.options.encoder) this.context.clear();
        const sharing = (group: ScoringGroup) => !this.options.encoder && group.prefixLength > 0 && group.sequences.length > 1;
        // Sequences that share nothing are packed together, whatever group they came from: many
        // distinct queries of one pair each must still fill the slots.
        const unshared = groups.filter((group) => !sharing(group)).flatMap((group) => group.sequences);
        if (unshared.length > 0) await this.runSequences(longestFirst(unshared), 0, results);
        for (const group of groups.filter(sharing)) await this.runSharedPrefixGroup(group, results);
    }

    private async runSharedPrefixGroup(group: ScoringGroup, results: Float32Array): Promise<void> {
        const prefix = group.sequences[0]!.tokens.subarray(0, group.prefixLength);
        const usedSlots = Math.min(this.options.slots, group.sequences.length);
        // The cache is empty here: run() clears it first, and each group clears it when done.
        // The prefix's last token needs no logits: every sequence continues past it.
        await this.runSequences([{ index: -1, tokens: prefix }], 0, results, false);
        for (let slot = 1; slot < usedSlots; slot++) this.context.copySequence(0, slot);
        await this.runSequences(group.sequences, group.prefixLength, results, true, usedSlots);
        this.context.clear();
    }

    /**
     * Evaluates sequences from token `start` on (the tokens before it are already in every slot's
     * cache). With start > 0, a finished slot keeps its first `start` cells for the next sequence.
     */
    private async runSequences(
        sequences: ScoringSequence[],
        start: number,
        results: Float32Array,
        wantOutputs = true,
        slotCount = this.options.slots
    ): Promise<void> {
        const { scoreTokenIds, encoder = false } = this.options;
        const width = this.options.outputWidth ?? scoreTokenIds.length;
        if (encoder) {
            const tooLong = sequences.find((sequence) => sequence.tokens.length > this.options.batchSize);
            if (tooLong) throw new SequenceTooLongError(tooLong.index, tooLong.tokens.length, this.options.batchSize);
        }
        const pending = [...sequences].reverse();
        const freeSlots = Array.from({ length: slotCount }, (_, slot) => slotCount - 1 - slot);
        const active: ActiveSlot[] = [];

        while (pending.length > 0 || active.length > 0) {
            while (freeSlots.length > 0 && pending.length > 0) {
                active.push({ slot: freeSlots.pop()!, sequence: pending.pop()!, cursor: start });
            }
            if (this.options.signal?.aborted) throw new AbortedError(this.options.signal.reason);
            const batch = this.packBatch(active, wantOutputs);
            const scores = await this.context.decode(batch.arrays, scoreTokenIds);
            this.stats.decodes++;
            this.stats.tokensEvaluated += batch.arrays.tokens.length;

            let outputRow = 0;
            for (const finished of batch.finished) {
                if (wantOutputs) {
                    results.set(scores.subarray(outputRow * width, (outputRow + 1) * width), finished.sequence.index * width);
                    outputRow++;
                    if (!encoder) this.context.removeTokens(finished.slot, start > 0 ? start : -1, -1);
                }
                active.splice(active.indexOf(finished), 1);
                freeSlots.push(finished.slot);
            }
        }
    }

    private packBatch(active: ActiveSlot[], wantOutputs: boolean) {
        const { batchSize } = this.options;
        const tokens: number[] = [];
        const positions: number[] = [];
        const sequenceIds: number[] = [];
        const outputs: number[] = [];
        const finished: ActiveSlot[] = [];
        for (const entry of active) {
            const room = batchSize - tokens.length;
            if (room <= 0) break;
            // An encoder sees each call on its own: a sequence goes in whole or waits for the next call.
            if (this.options.encoder && entry.sequence.tokens.length - entry.cursor > room) continue;
            const end = Math.min(entry.sequence.tokens.length, entry.cursor + room);
            for (let i = entry.cursor; i < end; i++) {
                tokens.push(entry.sequence.tokens[i]!);
                positions.push(i);
                sequenceIds.push(entry.slot);
                outputs.push(wantOutputs && i === entry.sequence.tokens.length - 1 ? 1 : 0);
            }
            entry.cursor = end;
            if (end === entry.sequence.tokens.length) finished.push(entry);
        }
        // finished is in batch order, which is the order of the output rows decode() returns.
        return {
            arrays: {
                tokens: Int32Array.from(tokens),
                positions: Int32Array.from(positions),
                sequenceIds: Int32Array.from(sequenceIds),
                outputs: Uint8Array.from(outputs)
            },
            finished
        };
    }
}

// Longest first, as FlagEmbedding orders its batches: long sequences start early and short ones
// fill the gaps they leave in the last decodes.
export function longestFirst(sequences: ScoringSequence[]): ScoringSequence[] {
    return [...sequences].sort((a, b) => b.tokens.length - a.tokens.length || a.index - b.index);
}
