import { hfEncode } from "../qwen3/modelCardInput.js";

// zerank's reference input, written from huggingface.co/zeroentropy/zerank-1-small,
// modeling_zeranker.py, step by step and apart from the library's code:
//   predict():                    (query[:2_000], document[:10_000])   Python slices: code points
//   format_pointwise_datapoints:  f"\n{query}\n".strip(), f"\n{document}\n".strip()
//                                 apply_chat_template([system: query, user: document], add_generation_prompt=True)
//                                 tokenizer(texts)   (Qwen's tokenizer adds no BOS)

/** Python's str.isspace(): JavaScript's \s without U+FEFF, with U+001C–U+001F and U+0085. */
const pythonSpace = "(?:[^\\S\\ufeff]|[\\x1c-\\x1f\\x85])";
const strip = (text: string) => text.replace(new RegExp(`^${pythonSpace}+|${pythonSpace}+$`, "g"), "");
const slice = (text: string, count: number) => Array.from(text).slice(0, count).join("");

export const zerankTemplate = {
    system: (query: string) => `<|im_start|>system\n${query}<|im_end|>\n<|im_start|>`,
    user: (document: string) => `user\n${document}`,
    end: "<|im_end|>\n<|im_start|>assistant\n"
} as const;

/** The query and document as format_pointwise_datapoints puts them in the template. */
export function zerankTexts(query: string, document: string): [string, string] {
    return [strip(slice(query, 2000)), strip(slice(document, 10000))];
}

/**
 * The reference's token ids for a pair. The reference has no token limit; where its input is
 * longer than maxLength the library cuts the user turn's text from its end (docs/profiles.md),
 * which this spells out on HF's ids: the text between control tokens tokenizes on its own.
 */
export function zerankReferenceInput(query: string, document: string, maxLength = Infinity): number[] {
    const [q, d] = zerankTexts(query, document);
    const whole = hfEncode(zerankTemplate.system(q) + zerankTemplate.user(d) + zerankTemplate.end);
    if (whole.length <= maxLength) return whole;
    const system = hfEncode(zerankTemplate.system(q));
    const end = hfEncode(zerankTemplate.end);
    const user = hfEncode(zerankTemplate.user(d));
    return [...system, ...user.slice(0, maxLength - system.length - end.length), ...end];
}
