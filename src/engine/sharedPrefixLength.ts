import type { ScoringSequence } from "./ScoringGroup.js";

/** Tokens every sequence of a group starts with, leaving each at least its last token to decode. */
export function sharedPrefixLength(sequences: ScoringSequence[]): number {
    if (sequences.length < 2) return 0;
    let length = Math.min(...sequences.map((sequence) => sequence.tokens.length)) - 1;
    const first = sequences[0]!.tokens;
    for (const { tokens } of sequences) {
        let i = 0;
        while (i < length && tokens[i] === first[i]) i++;
        length = i;
    }
    return length;
}
