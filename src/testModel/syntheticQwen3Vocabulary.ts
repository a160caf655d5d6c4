import { benchWords } from "../bench/benchWords.js";
import { qwen3Reranker } from "../profiles/builtin/qwen3Reranker.js";
import type { BpeVocabulary } from "./BpeVocabulary.js";
import { SentencePieceTokenType as TokenType } from "./SentencePieceTokenType.js";

/** config.json's vocab_size of Qwen3-Reranker-0.6B: the tokenizer's 151,669 ids, unpadded. */
export const qwen3RerankerVocabularySize = 151669;

// Qwen3's added tokens, at their ids (tokenizer.json's added_tokens): those marked special, and the
// <|...|> ones that look it, are CONTROL in a converted GGUF; <think>, <tool_call> and the like USER_DEFINED.
const firstAddedTokenId = 151643;
const addedTokens = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<tool_call>",
    "</tool_call>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>"
];
const endOfTextId = firstAddedTokenId;
const imEndId = firstAddedTokenId + 2;

// The words that make a reranker input besides the bench's own and the profile's template.
const extraWords = ["yes", "no", "Yes", "No", "query", "document", "a", "I", "you", "what", "how", "why", "who", "does", "do", "work", "tides"];

// llama.cpp's pre-tokenizer for tokenizer.ggml.pre "qwen2" (llama-vocab.cpp), to find the pieces a
// text is split into before BPE merges them.
const qwen2PreTokenizer =
    /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/**
 * A GPT-2 style byte-level BPE ("gpt2" tokenizer model, "qwen2" pre-tokenizer) vocabulary of
 * Qwen3-Reranker's size, built without the Qwen3 tokenizer, so that `llm-rerank bench --preset
 * desktop` can generate its model in an app, where the tokenizer package (a devDependency) is absent.
 * It holds the 256 byte tokens (any text tokenizes: what no merge covers stays bytes), Qwen3's added
 * tokens at their real ids, and the merges that make each word of the bench's texts (with a leading
 * space, lower-case and capitalized) and each piece of Qwen3-Reranker's template one token, as most
 * English words are with the real vocabulary; "yes" and "no", the tokens the profile scores, are two
 * of them. Filler tokens no merge produces take the other ids. A model written with it loads,
 * tokenizes and runs as fast as one with the real vocabulary; its scores mean nothing, as those of
 * random weights never do. The same vocabulary every time (no randomness).
 */
export function syntheticQwen3Vocabulary(size: number = qwen3RerankerVocabularySize): BpeVocabulary {
    if (size < firstAddedTokenId + addedTokens.length)
        throw new RangeError(`a synthetic Qwen3 vocabulary needs ${firstAddedTokenId + addedTokens.length} tokens, got ${size}`);
    const tokens: string[] = [];
    const seen = new Set<string>();
    const add = (token: string): void => {
        if (seen.has(token)) return;
        seen.add(token);
        tokens.push(token);
    };
    const byteCharacters = gpt2ByteCharacters();
    for (const character of byteCharacters) add(character);

    const merges: string[] = [];
    const ranks = new Map<string, number>();
    for (const piece of vocabularyPieces()) {
        const form = [...Buffer.from(piece, "utf8")].map((byte) => byteCharacters[byte]!).join("");
        // Each new merge ranks after every earlier one, so it never changes how an earlier piece
        // merges: that piece's path had a lower-ranked merge at every step, down to one token.
        for (let symbols = bytePairEncode(form, ranks); symbols.length > 1; symbols = bytePairEncode(form, ranks)) {
            const merge = `${symbols[0]} ${symbols[1]}`;
            ranks.set(merge, merges.length);
            merges.push(merge);
            add(symbols[0]! + symbols[1]!);
        }
    }
    if (tokens.length > firstAddedTokenId)
        throw new RangeError(`the synthetic Qwen3 vocabulary's merges need ${tokens.length} ids, more than ${firstAddedTokenId}`);
    for (let id = tokens.length; id < firstAddedTokenId; id++) add(`[FILL${id}]`);
    const tokenTypes = new Int32Array(size).fill(TokenType.normal);
    addedTokens.forEach((token, i) => {
        add(token);
        tokenTypes[firstAddedTokenId + i] = /^<\|.*\|>$/.test(token) ? TokenType.control : TokenType.userDefined;
    });
    for (let id = tokens.length; id < size; id++) {
        add(`[PAD${id}]`);
        tokenTypes[id] = TokenType.unused;
    }
    return {
        tokens,
        tokenTypes,
        merges,
        bosTokenId: endOfTextId,
        eosTokenId: imEndId,
        paddingTokenId: endOfTextId,
        addBosToken: false,
        chatTemplate: undefined
    };
}

/** The pre-tokenized pieces to make single tokens: bench words after a space, the template's pieces, the answers. */
function vocabularyPieces(): string[] {
    const profile = qwen3Reranker;
    const words = [...benchWords, ...extraWords].flatMap((word) => [word, word[0]!.toUpperCase() + word.slice(1)]);
    const template = [profile.templatePrefix, profile.userTemplate, profile.templateSuffix, profile.prompt].join("\n");
    const templatePieces = template
        .split(new RegExp(addedTokens.map((token) => token.replace(/[|\\/<>]/g, "\\$&")).join("|")))
        .flatMap((text) => text.match(qwen2PreTokenizer) ?? []);
    return [...new Set([...["yes", "no"], ...words.map((word) => ` ${word}`), ...templatePieces])];
}

/** GPT-2's byte-to-unicode table: printable bytes stand for themselves, the others for U+0100 onwards (space is "Ġ"). */
function gpt2ByteCharacters(): string[] {
    const characters: string[] = [];
    let next = 256;
    for (let byte = 0; byte < 256; byte++) {
        const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || byte >= 0xae;
        characters.push(String.fromCharCode(printable ? byte : next++));
    }
    return characters;
}

/** Byte-pair encoding of one pre-tokenized piece: repeatedly merge the adjacent pair of lowest rank. */
function bytePairEncode(form: string, ranks: ReadonlyMap<string, number>): string[] {
    const symbols = [...form];
    for (;;) {
        let best = -1;
        let bestRank = Infinity;
        for (let i = 0; i + 1 < symbols.length; i++) {
            const rank = ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
            if (rank !== undefined && rank < bestRank) [best, bestRank] = [i, rank];
        }
        if (best < 0) return symbols;
        symbols.splice(best, 2, symbols[best]! + symbols[best + 1]!);
    }
}
