import { modernBertSpecialTokens, type ModernBertVocabulary } from "./buildModernBertVocabulary.js";

/**
 * The vocabulary as a Hugging Face tokenizer.json shaped as ModernBERT's: no normalizer, the
 * ByteLevel pre-tokenizer with GPT-2's regex and no prefix space, a BPE model over the same tokens
 * and merges, the five specials as added tokens, and the "[CLS] A [SEP]" / "[CLS] A [SEP] B [SEP]"
 * post-processor. An independent tokenizer over the same vocabulary: what llama.cpp's gpt2
 * tokenizer with pre-tokenizer "modern-bert" is compared against.
 */
export function modernBertTokenizerJson(vocabulary: ModernBertVocabulary): object {
    const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
    const cls = "[CLS]";
    const sep = "[SEP]";
    const vocab: Record<string, number> = {};
    for (let id = 0; id < vocabulary.bpeTokenCount + modernBertSpecialTokens.length; id++) vocab[vocabulary.tokens[id]!] = id;
    return {
        version: "1.0",
        truncation: null,
        padding: null,
        added_tokens: modernBertSpecialTokens.map((content, i) => ({
            id: vocabulary.bpeTokenCount + i,
            content,
            single_word: false,
            lstrip: content === "[MASK]",
            rstrip: false,
            normalized: false,
            special: true
        })),
        normalizer: null,
        pre_tokenizer: byteLevel,
        post_processor: {
            type: "TemplateProcessing",
            single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
            pair: [
                { SpecialToken: { id: cls, type_id: 0 } },
                { Sequence: { id: "A", type_id: 0 } },
                { SpecialToken: { id: sep, type_id: 0 } },
                { Sequence: { id: "B", type_id: 1 } },
                { SpecialToken: { id: sep, type_id: 1 } }
            ],
            special_tokens: {
                [cls]: { id: cls, ids: [vocabulary.clsTokenId], tokens: [cls] },
                [sep]: { id: sep, ids: [vocabulary.sepTokenId], tokens: [sep] }
            }
        },
        decoder: byteLevel,
        model: {
            type: "BPE",
            dropout: null,
            unk_token: null,
            continuing_subword_prefix: "",
            end_of_word_suffix: "",
            fuse_unk: false,
            byte_fallback: false,
            ignore_merges: false,
            vocab,
            merges: vocabulary.merges
        }
    };
}

/** tokenizer_config.json as ModernBERT ships it, the parts a tokenizer loader reads. */
export function modernBertTokenizerConfig(contextLength: number): object {
    return {
        tokenizer_class: "PreTrainedTokenizerFast",
        model_max_length: contextLength,
        cls_token: "[CLS]",
        sep_token: "[SEP]",
        pad_token: "[PAD]",
        mask_token: "[MASK]",
        unk_token: "[UNK]",
        clean_up_tokenization_spaces: true
    };
}
