import { performance } from "node:perf_hooks";
import type { AddonBatch, AddonContext, AddonContextDescription, AddonContextOptions, AddonModel } from "../native/AddonTypes.js";

/** One call the scheduler made on its context, kept for replaying against another context. */
export type RecordedOperation = { kind: "decode"; batch: AddonBatch; scoreTokenIds: Int32Array; memoryEdits: Int32Array; scores: Float32Array };

/** What the decodes of one stretch of work contained: enough to count its FLOPs exactly. */
export type DecodeTally = {
    decodes: number;
    tokens: number;
    /** Σ (position + 1) over evaluated tokens: the keys each token attends to, causally. */
    attendedKeys: number;
    outputs: number;
    /** Time inside decode(): from the call until its promise settled. */
    decodeMs: number;
};

export function emptyTally(): DecodeTally {
    return { decodes: 0, tokens: 0, attendedKeys: 0, outputs: 0, decodeMs: 0 };
}

/**
 * An AddonContext that forwards every call to the real one and tallies what the decodes held.
 * With keepOperations on, it also keeps the calls themselves, grouped in segments (one per
 * score call), so the exact work can be replayed straight to the addon.
 */
export class RecordingContext implements AddonContext {
    readonly inner: AddonContext;
    readonly model: AddonModel;
    readonly options: AddonContextOptions;
    keepOperations = false;
    readonly segments: RecordedOperation[][] = [];
    private tally: DecodeTally = emptyTally();

    constructor(inner: AddonContext, model: AddonModel, options: AddonContextOptions) {
        this.inner = inner;
        this.model = model;
        this.options = options;
    }

    /** Starts a new segment of kept operations; the next calls belong to it. */
    beginSegment(): void {
        if (this.keepOperations) this.segments.push([]);
    }

    /** The tally since the last call, and a fresh one from here on. */
    takeTally(): DecodeTally {
        const tally = this.tally;
        this.tally = emptyTally();
        return tally;
    }

    async decode(batch: AddonBatch, scoreTokenIds: Int32Array, memoryEdits: Int32Array): Promise<Float32Array> {
        const started = performance.now();
        const scores = await this.inner.decode(batch, scoreTokenIds, memoryEdits);
        this.tally.decodeMs += performance.now() - started;
        this.tally.decodes++;
        this.tally.tokens += batch.tokens.length;
        for (let i = 0; i < batch.positions.length; i++) {
            this.tally.attendedKeys += batch.positions[i]! + 1;
            this.tally.outputs += batch.outputs[i]!;
        }
        this.keep({ kind: "decode", batch, scoreTokenIds, memoryEdits, scores });
        return scores;
    }

    describe(): AddonContextDescription {
        return this.inner.describe();
    }

    dispose(): Promise<void> {
        return this.inner.dispose();
    }

    private keep(operation: RecordedOperation): void {
        if (!this.keepOperations) return;
        if (this.segments.length === 0) this.segments.push([]);
        this.segments[this.segments.length - 1]!.push(operation);
    }
}
