import { SentencePieceTokenType } from "../../../testModel/SentencePieceTokenType.js";
import type { BpeVocabulary } from "../../../testModel/BpeVocabulary.js";

/** ModernBERT's special tokens (its tokenizer_config.json), all `special`, in its id order. */
export const modernBertSpecialTokens = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"] as const;

/** A byte-level BPE vocabulary laid out as ModernBERT's: BPE tokens, its five specials, [PADn] up to vocab_size. */
export type ModernBertVocabulary = {
    readonly tokens: readonly string[];
    readonly tokenTypes: Int32Array;
    readonly merges: readonly string[];
    /** The ids of [UNK], [CLS], [SEP], [PAD], [MASK]. */
    readonly unknownTokenId: number;
    readonly clsTokenId: number;
    readonly sepTokenId: number;
    readonly paddingTokenId: number;
    readonly maskTokenId: number;
    /** Tokens before the specials: what the HF tokenizer.json's BPE model holds. */
    readonly bpeTokenCount: number;
};

/**
 * ModernBERT's tokenizer (OLMo's byte-level BPE with GPT-2's pre-tokenizer regex) is on no npm
 * package, so this takes the first `bpeTokens` tokens of Qwen3's byte-level BPE (ids follow merge
 * order, so a prefix is a BPE vocabulary of its own) with every merge whose parts and result are
 * kept, then ModernBERT's five specials, then "[PADn]" placeholders up to a multiple of 64 as the
 * converter pads to config.json's vocab_size (50368 for 50285 tokens). The pre-tokenizer, byte
 * alphabet, merge algorithm, specials and pair layout are ModernBERT's; its 50,280 merges are not.
 */
export function buildModernBertVocabulary(source: BpeVocabulary, bpeTokens: number): ModernBertVocabulary {
    const tokens: string[] = [];
    for (let id = 0; id < source.tokens.length && tokens.length < bpeTokens; id++)
        if (source.tokenTypes[id] === SentencePieceTokenType.normal) tokens.push(source.tokens[id]!);
    const kept = new Set(tokens);
    const merges = source.merges.filter((merge) => {
        const [left, right] = merge.split(" ");
        return kept.has(left!) && kept.has(right!) && kept.has(left! + right!);
    });
    const bpeTokenCount = tokens.length;
    const types = tokens.map(() => SentencePieceTokenType.normal as number);
    for (const special of modernBertSpecialTokens) {
        tokens.push(special);
        types.push(SentencePieceTokenType.control);
    }
    const paddedSize = Math.ceil(tokens.length / 64) * 64;
    while (tokens.length < paddedSize) {
        tokens.push(`[PAD${tokens.length}]`);
        types.push(SentencePieceTokenType.unused);
    }
    const id = (text: string) => bpeTokenCount + modernBertSpecialTokens.indexOf(text as (typeof modernBertSpecialTokens)[number]);
    return {
        tokens,
        tokenTypes: Int32Array.from(types),
        merges,
        unknownTokenId: id("[UNK]"),
        clsTokenId: id("[CLS]"),
        sepTokenId: id("[SEP]"),
        paddingTokenId: id("[PAD]"),
        maskTokenId: id("[MASK]"),
        bpeTokenCount
    };
}
