import type { HfTokenizer } from "../bert/bertTestModel.js";

/**
 * `tokenizer(query, passage, truncation=True, max_length=maxLength)["input_ids"]` of an XLM-R fast
 * tokenizer, as jina-reranker-v2's compute_score calls it, written from the Rust tokenizers
 * (tokenizers/src/tokenizer/mod.rs post_process: the budget is max_length less the pair's added
 * tokens; utils/truncation.rs truncate_encodings, TruncationStrategy::LongestFirst) and the
 * post-processor's pair template. Shares nothing with src/. @lenml/tokenizers gives each text's ids
 * (a pair's texts are tokenized apart) and the untruncated layout; its own truncation cuts the
 * joined pair from the end, which is not HF's, so it is not used.
 */
export function longestFirstPairInput(hf: HfTokenizer, query: string, passage: string, maxLength: number, layout: PairLayout = xlmRobertaPair): number[] {
    let first = encode(hf, query);
    let second = encode(hf, passage);
    const addedTokens = 2 + layout.separator.length; // <s> A </s> </s> B </s>, [CLS] A [SEP] B [SEP]
    const maxLen = maxLength - addedTokens;
    const total = first.length + second.length;
    if (total > maxLen) {
        let n1 = first.length;
        let n2 = second.length;
        const swap = n1 > n2;
        if (swap) [n1, n2] = [n2, n1];
        n2 = n1 > maxLen ? n1 : Math.max(n1, maxLen - n1);
        if (n1 + n2 > maxLen) {
            n1 = Math.floor(maxLen / 2);
            n2 = n1 + (maxLen % 2);
        }
        if (swap) [n1, n2] = [n2, n1];
        first = first.slice(0, n1);
        second = second.slice(0, n2);
    }
    const id = (content: string) => specialId(hf, content);
    return [id(layout.start), ...first, ...layout.separator.map(id), ...second, id(layout.end)];
}

/** The post-processor's pair template: start A separator… B end. */
export type PairLayout = { start: string; separator: string[]; end: string };
export const xlmRobertaPair: PairLayout = { start: "<s>", separator: ["</s>", "</s>"], end: "</s>" };
export const modernBertPair: PairLayout = { start: "[CLS]", separator: ["[SEP]"], end: "[SEP]" };

const encodings = new WeakMap<HfTokenizer, Map<string, number[]>>();

/** tokenizer(text, add_special_tokens=False)["input_ids"], remembered per tokenizer and text. */
export function encode(hf: HfTokenizer, text: string): number[] {
    let cache = encodings.get(hf);
    if (!cache) encodings.set(hf, (cache = new Map()));
    let ids = cache.get(text);
    if (ids === undefined) cache.set(text, (ids = hf.encode(text, { add_special_tokens: false })));
    return ids;
}

function specialId(hf: HfTokenizer, content: string): number {
    const ids = hf.encode(content, { add_special_tokens: false });
    if (ids.length !== 1) throw new Error(`${content} is not one token`);
    return ids[0]!;
}
