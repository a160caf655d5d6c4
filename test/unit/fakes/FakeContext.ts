import { MemoryEdit, type AddonBatch, type AddonContext, type AddonContextDescription } from "../../../src/native/AddonTypes.js";

/** One KV cell: a token stored at a position of a sequence. */
export type Cell = { position: number; token: number };

/** What one decode() call received, and what it did. */
export type DecodeCall = {
    tokens: Int32Array;
    positions: Int32Array;
    sequenceIds: Int32Array;
    outputs: Uint8Array;
    edits: Int32Array;
    /** Set when the call was made to fail (injected) or was refused. */
    error?: unknown;
};

export type FakeContextOptions = {
    sequences: number;
    batchSize: number;
    /** KV cells each sequence can hold (llama_n_ctx_seq); default 4096. */
    sequenceContextSize?: number;
    /** Token ids must lie in [0, vocabularySize); default 1 << 20. */
    vocabularySize?: number;
    /** Rank pooling: each output is this many floats, whatever scoreTokenIds holds. */
    classifierOutputs?: number;
};

/** A deterministic pseudo-logit of a whole token history, exact in float32 (an integer below 2^24). */
export function historyLogit(cells: readonly Cell[], column: number): number {
    // FNV-1a over every (position, token) cell, then the column: any missing, extra, shifted or
    // swapped cell changes it.
    let hash = 0x811c9dc5;
    const mix = (value: number) => {
        for (let shift = 0; shift < 32; shift += 8) {
            hash ^= (value >>> shift) & 0xff;
            hash = Math.imul(hash, 0x01000193) >>> 0;
        }
    };
    for (const cell of cells) {
        mix(cell.position);
        mix(cell.token);
    }
    mix(0x7fffffff);
    mix(column);
    return hash >>> 8;
}

/**
 * The row a sequence of `tokens` gets when decoded alone from an empty cache: the independent
 * computation every engine result is compared against.
 */
export function expectedRow(tokens: ArrayLike<number>, columns: ArrayLike<number>): Float32Array {
    const cells = Array.from(tokens, (token, position) => ({ position, token }));
    return Float32Array.from(columns, (column) => historyLogit(cells, column));
}

/**
 * A KV-cache simulator with the addon's AddonContext surface. Per sequence it keeps its cells;
 * memory edits are applied in order before the batch, as the addon applies them; each batch token
 * must come at the position after its sequence's last cell (llama.cpp's consistency rule for
 * causal attention: an empty sequence starts at 0); and what llama.cpp or the addon would refuse
 * (a sequence id out of range, a batch over n_batch, a full sequence, a token outside the
 * vocabulary, overlapping decodes, use after dispose) is refused. Each output's row is a hash of
 * the whole history its sequence holds at that position, so a wrong copy, reuse or removal gives
 * a wrong score.
 *
 * Tests steer it with hooks: `hold` pauses a decode until released, `fail` makes one throw after
 * its edits were applied and part of its batch was written (as a failing llama_decode can leave it).
 */
export class FakeContext implements AddonContext {
    readonly calls: DecodeCall[] = [];
    private readonly cells: Cell[][];
    private readonly options: Required<Omit<FakeContextOptions, "classifierOutputs">> & { classifierOutputs?: number };
    private inFlight = false;
    private disposed = false;
    private readonly holds = new Map<number, { reached: () => void; released: Promise<void> }>();
    private readonly failures = new Map<number, unknown>();
    /** Rows to answer with NaN: a sequence whose history holds this token. */
    poisonToken: number | undefined;

    constructor(options: FakeContextOptions) {
        this.options = { sequenceContextSize: 4096, vocabularySize: 1 << 20, ...options };
        this.cells = Array.from({ length: options.sequences }, () => []);
    }

    /** Tokens of all decodes that reached the batch (not refused before it). */
    get tokensDecoded(): number {
        return this.calls.reduce((sum, call) => sum + (call.error === undefined ? call.tokens.length : 0), 0);
    }

    /** A copy of sequence `id`'s cells. */
    sequence(id: number): Cell[] {
        return this.cells[id]!.map((cell) => ({ ...cell }));
    }

    /**
     * Pauses decode number `index` (0-based) before it returns: `reached` resolves when it is in
     * flight, and it completes once `release()` is called.
     */
    hold(index: number): { reached: Promise<void>; release: () => void } {
        let release!: () => void;
        let reached!: () => void;
        const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
        const released = new Promise<void>((resolve) => (release = resolve));
        this.holds.set(index, { reached, released });
        return { reached: reachedPromise, release };
    }

    /** Makes decode number `index` (0-based) reject with `error`. */
    fail(index: number, error: unknown): void {
        this.failures.set(index, error);
    }

    async decode(batch: AddonBatch, scoreTokenIds: Int32Array, memoryEdits: Int32Array): Promise<Float32Array> {
        if (this.disposed) throw new Error("fake context: decode after dispose");
        if (this.inFlight) throw new Error("fake context: a decode is already in flight");
        const index = this.calls.length;
        const call: DecodeCall = {
            tokens: batch.tokens.slice(),
            positions: batch.positions.slice(),
            sequenceIds: batch.sequenceIds.slice(),
            outputs: batch.outputs.slice(),
            edits: memoryEdits.slice()
        };
        this.calls.push(call);
        this.inFlight = true;
        try {
            // Off the main thread in the addon: never synchronous.
            await Promise.resolve();
            const hold = this.holds.get(index);
            if (hold) {
                hold.reached();
                await hold.released;
            }
            try {
                this.applyEdits(memoryEdits);
                const failure = this.failures.get(index);
                if (failure !== undefined) {
                    this.writePartially(batch);
                    throw failure;
                }
                return this.evaluate(batch, scoreTokenIds);
            } catch (error) {
                call.error = error;
                throw error;
            }
        } finally {
            this.inFlight = false;
        }
    }

    describe(): AddonContextDescription {
        const { sequences, batchSize, sequenceContextSize } = this.options;
        return { contextSize: sequences * sequenceContextSize, sequenceContextSize, batchSize, ubatchSize: batchSize, sequences };
    }

    async dispose(): Promise<void> {
        if (this.inFlight) throw new Error("fake context: dispose while a decode is in flight");
        this.disposed = true;
    }

    private checkSequence(id: number, what: string): void {
        if (!Number.isInteger(id) || id < 0 || id >= this.options.sequences) throw new Error(`fake context: ${what}: sequence ${id} out of range`);
    }

    private applyEdits(edits: Int32Array): void {
        if (edits.length % 4 !== 0) throw new Error(`fake context: ${edits.length} edit values are not quadruples`);
        for (let i = 0; i < edits.length; i += 4) {
            const [kind, a, b, c] = [edits[i]!, edits[i + 1]!, edits[i + 2]!, edits[i + 3]!];
            if (kind === MemoryEdit.clear) {
                for (const cells of this.cells) cells.length = 0;
            } else if (kind === MemoryEdit.remove) {
                this.checkSequence(a, "remove");
                const from = b < 0 ? 0 : b;
                const to = c < 0 ? Number.POSITIVE_INFINITY : c;
                this.cells[a] = this.cells[a]!.filter((cell) => cell.position < from || cell.position >= to);
            } else if (kind === MemoryEdit.copy) {
                this.checkSequence(a, "copy");
                this.checkSequence(b, "copy");
                // Non-unified KV: the destination stream becomes a copy of the source's cells.
                if (a !== b) this.cells[b] = this.cells[a]!.map((cell) => ({ ...cell }));
            } else {
                throw new Error(`fake context: unknown memory edit kind ${kind}`);
            }
        }
    }

    /** Checks the batch as llama_decode (and the addon before it) would, without writing. */
    private check(batch: AddonBatch): void {
        const count = batch.tokens.length;
        for (const array of [batch.positions, batch.sequenceIds, batch.outputs]) {
            if (array.length !== count) throw new Error("fake context: batch arrays of different lengths");
        }
        if (count > this.options.batchSize) throw new Error(`fake context: ${count} tokens exceed n_batch ${this.options.batchSize}`);
        const next = this.cells.map((cells) => (cells.length === 0 ? 0 : cells[cells.length - 1]!.position + 1));
        const added = this.cells.map(() => 0);
        for (let i = 0; i < count; i++) {
            const id = batch.sequenceIds[i]!;
            this.checkSequence(id, "batch");
            const token = batch.tokens[i]!;
            if (!Number.isInteger(token) || token < 0 || token >= this.options.vocabularySize)
                throw new Error(`fake context: token ${token} outside the vocabulary`);
            if (batch.positions[i] !== next[id]) {
                throw new Error(`fake context: sequence ${id} holds up to position ${next[id]! - 1}, batch token ${i} is at position ${batch.positions[i]}`);
            }
            next[id]!++;
            added[id]!++;
            if (this.cells[id]!.length + added[id]! > this.options.sequenceContextSize) throw new Error(`fake context: sequence ${id} is full`);
        }
    }

    private write(batch: AddonBatch, count: number): void {
        for (let i = 0; i < count; i++) this.cells[batch.sequenceIds[i]!]!.push({ position: batch.positions[i]!, token: batch.tokens[i]! });
    }

    /** A failing llama_decode may have stored some ubatches: leave half the batch behind. */
    private writePartially(batch: AddonBatch): void {
        this.check(batch);
        this.write(batch, Math.floor(batch.tokens.length / 2));
    }

    private evaluate(batch: AddonBatch, scoreTokenIds: Int32Array): Float32Array {
        this.check(batch);
        this.write(batch, batch.tokens.length);
        const columns =
            this.options.classifierOutputs === undefined ? Array.from(scoreTokenIds) : Array.from({ length: this.options.classifierOutputs }, (_, i) => i);
        const rows: number[] = [];
        for (let i = 0; i < batch.tokens.length; i++) {
            if (batch.outputs[i] === 0) continue;
            // Causal attention: the position sees its sequence's cells up to itself.
            const history = this.cells[batch.sequenceIds[i]!]!.filter((cell) => cell.position <= batch.positions[i]!);
            const poisoned = this.poisonToken !== undefined && history.some((cell) => cell.token === this.poisonToken);
            for (const column of columns) rows.push(poisoned ? Number.NaN : historyLogit(history, column));
        }
        return Float32Array.from(rows);
    }
}
