import { expect } from "vitest";
import type { ScoringGroup, ScoringSequence } from "../../../src/engine/ScoringGroup.js";
import type { ScoreHead } from "../../../src/heads/ScoreHead.js";
import { expectedRow } from "./FakeContext.js";

/** Two logit columns, so a row placed at the wrong offset or half-copied shows. */
export const twoColumnHead: ScoreHead = { kind: "logits", outputTokenIds: Int32Array.of(5, 17), width: 2, score: (row) => row[0]! };

/** Sequence `index`: the shared prefix, then a suffix of its own. */
export function sequenceOf(index: number, prefix: readonly number[], suffix: readonly number[]): ScoringSequence {
    return { index, tokens: Int32Array.from([...prefix, ...suffix]) };
}

/**
 * A group of `count` sequences sharing `prefixLength` tokens; tokens are drawn from `base` upward
 * so each job's tokens can be told apart in the decode log. Suffix lengths vary from 1 to 4.
 */
export function sharedGroup(base: number, prefixLength: number, count: number, firstIndex = 0): ScoringGroup {
    const prefix = Array.from({ length: prefixLength }, (_, i) => base + i);
    const sequences = Array.from({ length: count }, (_, k) =>
        sequenceOf(
            firstIndex + k,
            prefix,
            Array.from({ length: 1 + ((k * 3) % 4) }, (_, i) => base + 500 + k * 10 + i)
        )
    );
    return { prefixLength, sequences };
}

/** Every sequence's row equals the fake's row of its whole token sequence, decoded alone. */
export function expectRowsOfAlone(rows: Float32Array, sequences: readonly ScoringSequence[], head: ScoreHead = twoColumnHead): void {
    for (const { index, tokens } of sequences) {
        expect(Array.from(rows.subarray(index * head.width, (index + 1) * head.width)), `sequence ${index}`).toEqual(
            Array.from(expectedRow(tokens, head.outputTokenIds))
        );
    }
}

export const allSequences = (groups: readonly ScoringGroup[]) => groups.flatMap((group) => group.sequences);

export const totalTokens = (sequences: readonly ScoringSequence[]) => sequences.reduce((sum, sequence) => sum + sequence.tokens.length, 0);
