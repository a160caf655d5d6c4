import type { HfTokenizer } from "../bert/bertTestModel.js";

/**
 * FlagEmbedding's encoder-only reranker input (FlagReranker, inference/reranker/encoder_only/
 * base.py, compute_score_single_gpu), computed with an HF tokenizer. Shares nothing with src/:
 *   queries  = tokenizer(q, add_special_tokens=False, max_length=query_max_length, truncation=True)
 *   passages = tokenizer(p, add_special_tokens=False, max_length=max_length, truncation=True)
 *   prepare_for_model(q_ids, p_ids, truncation='only_second', max_length=max_length)
 * with query_max_length = max_length * 3 // 4 and max_length = 512 by default.
 */
export function flagRerankerInput(hf: HfTokenizer, query: string, passage: string, maxLength = 512): number[] {
    const queryMaxLength = Math.floor((maxLength * 3) / 4);
    const queryIds = encode(hf, query).slice(0, queryMaxLength);
    let passageIds = encode(hf, passage).slice(0, maxLength);
    const [cls, sep] = [specialId(hf, "<s>"), specialId(hf, "</s>")];
    // num_special_tokens_to_add(pair=True) for XLM-R: <s> A </s></s> B </s>
    const total = queryIds.length + passageIds.length + 4;
    const toRemove = total - maxLength;
    // truncate_sequences('only_second'): cut the pair's end if it is longer than what must go;
    // otherwise HF logs an error and truncates nothing
    if (toRemove > 0 && passageIds.length > toRemove) passageIds = passageIds.slice(0, passageIds.length - toRemove);
    return [cls, ...queryIds, sep, sep, ...passageIds, sep];
}

const encodings = new WeakMap<HfTokenizer, Map<string, number[]>>();

/** tokenizer(text, add_special_tokens=False)["input_ids"], remembered per tokenizer and text. */
function encode(hf: HfTokenizer, text: string): number[] {
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
