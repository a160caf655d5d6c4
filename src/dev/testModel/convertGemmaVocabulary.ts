import type { GeminiTokenizerFiles, HfTokenizerJson } from "./GeminiTokenizerFiles.js";
import type { GemmaVocabulary } from "../../testModel/GemmaVocabulary.js";
import { SentencePieceTokenType } from "../../testModel/SentencePieceTokenType.js";

// the scores convert_hf_to_gguf.py gives tokens it adds from tokenizer_config.json
const addedTokenScore = -1000;
// convert_hf_to_gguf.py hard-codes Gemma's <end_of_turn> as the EOT token
const gemmaEndOfTurnTokenId = 107;
const byteTokenPattern = /^<0x[0-9A-F]{2}>$/;
const sentencePieceSpace = "\u2581";

/**
 * Builds the vocabulary fields that llama.cpp's convert_hf_to_gguf.py writes for Gemma
 * (`_create_vocab_sentencepiece` + tokenizer_config's added_tokens_decoder), from the
 * Hugging Face tokenizer.json, which lacks the SentencePiece model it normally reads.
 *
 * The missing piece scores are rebuilt from the BPE merge list. llama.cpp's SPM tokenizer
 * repeatedly merges the adjacent pair whose concatenation is the vocabulary token with the
 * highest score; HF BPE applies the lowest-ranked merge. Gemma's merge list holds every
 * split of every token into two tokens, grouped by result token in SentencePiece score
 * order, so "score = -(rank of the first merge producing the token)" makes both pick the
 * same merge, except where two different pairs produce the same token.
 */
export function convertGemmaVocabulary({ tokenizer, config }: GeminiTokenizerFiles): GemmaVocabulary {
    if (tokenizer.model.type !== "BPE" || tokenizer.model.byte_fallback !== true)
        throw new Error("Expected a BPE tokenizer.json with byte_fallback (SentencePiece-style), like Gemma's");

    const vocab = tokenizer.model.vocab;
    const tokenCount = Object.values(vocab).reduce((max, id) => Math.max(max, id), -1) + 1;
    const firstMergeRanks = computeFirstMergeRanks(tokenizer.model.merges);
    // below every merge-created token: such tokens never win a merge against a real one
    const unmergeableScore = -tokenizer.model.merges.length;

    // convert_hf_to_gguf.py's defaults for ids that no piece claims
    const tokens = Array.from({ length: tokenCount }, (_, id) => `[PAD${id}]`);
    const scores = new Float32Array(tokenCount).fill(-10000);
    const tokenTypes = new Int32Array(tokenCount).fill(SentencePieceTokenType.unused);

    for (const [piece, id] of Object.entries(vocab)) {
        tokens[id] = piece;
        if (byteTokenPattern.test(piece)) {
            tokenTypes[id] = SentencePieceTokenType.byte;
            scores[id] = 0; // SentencePiece's score for byte pieces
        } else if (looksLikeControlToken(piece)) {
            // only <unused99> gets here: the one <unusedN> absent from added_tokens_decoder
            tokenTypes[id] = SentencePieceTokenType.control;
            scores[id] = addedTokenScore;
        } else {
            tokenTypes[id] = SentencePieceTokenType.normal;
            const rank = firstMergeRanks.get(piece);
            scores[id] = rank != null ? -rank : unmergeableScore;
        }
    }

    const unknownTokenId = requireTokenId(vocab, config.unk_token ?? "<unk>");
    tokenTypes[unknownTokenId] = SentencePieceTokenType.unknown;

    // as convert_hf_to_gguf.py: special or special-looking added tokens become CONTROL (this
    // overrides <unk>'s UNKNOWN, since Gemma marks it special), the others USER_DEFINED with
    // their "▁" turned back into spaces, so llama.cpp matches them against raw text
    for (const [idText, added] of Object.entries(config.added_tokens_decoder ?? {})) {
        const id = Number(idText);
        if (id >= tokenCount) continue;

        if (added.special === true || looksLikeControlToken(added.content)) {
            tokenTypes[id] = SentencePieceTokenType.control;
            tokens[id] = added.content;
        } else {
            tokenTypes[id] = SentencePieceTokenType.userDefined;
            tokens[id] = added.content.replaceAll(sentencePieceSpace, " ");
        }
        scores[id] = addedTokenScore;
    }

    return {
        tokens,
        scores,
        tokenTypes,
        bosTokenId: requireTokenId(vocab, config.bos_token ?? "<bos>"),
        eosTokenId: requireTokenId(vocab, config.eos_token ?? "<eos>"),
        unknownTokenId,
        paddingTokenId: requireTokenId(vocab, config.pad_token ?? "<pad>"),
        endOfTurnTokenId: gemmaEndOfTurnTokenId,
        addBosToken: config.add_bos_token ?? true,
        addEosToken: config.add_eos_token ?? false,
        chatTemplate: config.chat_template
    };
}

function computeFirstMergeRanks(merges: HfTokenizerJson["model"]["merges"]): Map<string, number> {
    const ranks = new Map<string, number>();
    merges.forEach((merge, rank) => {
        const merged =
            typeof merge === "string"
                ? merge.replace(" ", "") // "left right"; pieces never contain a space (they use "▁")
                : merge[0] + merge[1];
        if (!ranks.has(merged)) ranks.set(merged, rank);
    });
    return ranks;
}

/** convert_hf_to_gguf.py's `does_token_look_special`: added tokens Gemma forgot to mark special. */
export function looksLikeControlToken(text: string): boolean {
    return (
        ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].includes(text) ||
        (text.startsWith("<|") && text.endsWith("|>")) ||
        (text.startsWith("<\uff5c") && text.endsWith("\uff5c>")) ||
        (text.startsWith("<unused") && text.endsWith(">"))
    );
}

function requireTokenId(vocab: Readonly<Record<string, number>>, piece: string): number {
    const id = vocab[piece];
    if (id == null) throw new Error(`Token "${piece}" is missing from the tokenizer vocabulary`);
    return id;
}
