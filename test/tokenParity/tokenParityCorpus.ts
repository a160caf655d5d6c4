import { readFileSync } from "node:fs";

export type CorpusText = { category: string; text: string };

export const corpusTexts: readonly CorpusText[] = (
    JSON.parse(readFileSync(new URL("../fixtures/tokenParityCorpus.json", import.meta.url), "utf8")) as { texts: CorpusText[] }
).texts;

/**
 * Text forms of the added tokens that llama.cpp types CONTROL in a Gemma GGUF, so that it reads them
 * as plain characters with special-token parsing off, while HF's tokenizer maps them to their ids:
 * - special in tokenizer_config.json: <pad> <eos> <bos> <unk> <start_of_turn> <end_of_turn>;
 * - named like control tokens by convert_hf_to_gguf.py's does_token_look_special, although HF marks
 *   them special: false: <mask> <2mass> [@BOS@] <unused0>…<unused98>.
 * Not "</s>": llama.cpp's loader flags it control, but the GGUF types it USER_DEFINED and HF treats
 * it as the HTML tag it is, so the library matches it in user text as HF does (see
 * controlTokenLiterals.test.ts).
 */
export const controlTokenLiterals: readonly string[] = [
    "<pad>",
    "<eos>",
    "<bos>",
    "<unk>",
    "<mask>",
    "<2mass>",
    "[@BOS@]",
    ...Array.from({ length: 99 }, (_, i) => `<unused${i}>`),
    "<start_of_turn>",
    "<end_of_turn>"
];

export function containsControlTokenLiteral(text: string): boolean {
    return controlTokenLiterals.some((literal) => text.includes(literal));
}

// Both pieces carry a prefix ending in one space ("A: ", "B: "), which joins a leading run.
const piecePrefix = "A: ";

/**
 * HF matches the "▁▁"…"▁"×31 added tokens against the raw text, before its normalizer turns spaces
 * into "▁"; the GGUF stores those tokens as spaces, so llama.cpp never produces them from a literal
 * "▁" (U+2581). A lone "▁" between other characters is a space to both.
 */
export function containsLowerBlockRun(text: string): boolean {
    return (piecePrefix + text).match(/[ \u2581]+/g)?.some((run) => run.length >= 2 && run.includes("\u2581")) ?? false;
}

/** Each known divergence and the corpus category that holds exactly the texts it affects. */
export const knownDivergences = [
    { category: "control-token-literals", affects: containsControlTokenLiteral },
    { category: "lower-block-runs", affects: containsLowerBlockRun }
] as const;

export function hasKnownDivergence(text: string): boolean {
    return knownDivergences.some(({ affects }) => affects(text));
}
