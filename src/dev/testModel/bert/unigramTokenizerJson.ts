import type { UnigramVocabulary } from "./UnigramVocabulary.js";

/**
 * The vocabulary as a Hugging Face tokenizer.json, shaped as XLM-RoBERTa's fast tokenizer
 * (transformers' XLMRobertaConverter): a Unigram model over the same pieces and float32 scores,
 * the " {2,}" → " " normalizer (XLM-R's also has a Precompiled charsmap, which this vocabulary
 * leaves out on both sides), the "▁" Metaspace pre-tokenizer prepending always, and the
 * "<s> A </s>" / "<s> A </s> </s> B </s>" post-processor. It is an independent tokenizer over the
 * same vocabulary: what llama.cpp's t5 (UGM) tokenizer is compared against.
 */
export function unigramTokenizerJson(vocabulary: UnigramVocabulary): object {
    const special = (id: number) => ({
        id,
        content: vocabulary.pieces[id]!,
        single_word: false,
        lstrip: id === vocabulary.maskTokenId,
        rstrip: false,
        normalized: false,
        special: true
    });
    const bos = vocabulary.pieces[vocabulary.bosTokenId]!;
    const eos = vocabulary.pieces[vocabulary.eosTokenId]!;
    const metaspace = { type: "Metaspace", replacement: "\u2581", add_prefix_space: true, prepend_scheme: "always", split: true };
    return {
        version: "1.0",
        truncation: null,
        padding: null,
        added_tokens: [vocabulary.bosTokenId, vocabulary.paddingTokenId, vocabulary.eosTokenId, vocabulary.unknownTokenId, vocabulary.maskTokenId].map(special),
        normalizer: { type: "Sequence", normalizers: [{ type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
        pre_tokenizer: metaspace,
        post_processor: {
            type: "TemplateProcessing",
            single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }],
            pair: [
                { SpecialToken: { id: bos, type_id: 0 } },
                { Sequence: { id: "A", type_id: 0 } },
                { SpecialToken: { id: eos, type_id: 0 } },
                { SpecialToken: { id: eos, type_id: 0 } },
                { Sequence: { id: "B", type_id: 0 } },
                { SpecialToken: { id: eos, type_id: 0 } }
            ],
            special_tokens: {
                [bos]: { id: bos, ids: [vocabulary.bosTokenId], tokens: [bos] },
                [eos]: { id: eos, ids: [vocabulary.eosTokenId], tokens: [eos] }
            }
        },
        decoder: metaspace,
        model: {
            type: "Unigram",
            unk_id: vocabulary.unknownTokenId,
            vocab: vocabulary.pieces.map((piece, id) => [piece, vocabulary.scores[id]!]),
            byte_fallback: false
        }
    };
}

/** tokenizer_config.json as XLM-R ships it, the parts a tokenizer loader reads. */
export function unigramTokenizerConfig(vocabulary: UnigramVocabulary, modelMaxLength = 512): object {
    const text = (id: number) => vocabulary.pieces[id]!;
    return {
        tokenizer_class: "XLMRobertaTokenizer",
        model_max_length: modelMaxLength,
        bos_token: text(vocabulary.bosTokenId),
        eos_token: text(vocabulary.eosTokenId),
        sep_token: text(vocabulary.eosTokenId),
        cls_token: text(vocabulary.bosTokenId),
        unk_token: text(vocabulary.unknownTokenId),
        pad_token: text(vocabulary.paddingTokenId),
        mask_token: text(vocabulary.maskTokenId),
        clean_up_tokenization_spaces: true
    };
}
