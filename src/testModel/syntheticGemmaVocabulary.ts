import { benchWords } from "../bench/benchWords.js";
import { bgeRerankerV2Gemma } from "../profiles/builtin/bgeRerankerV2Gemma.js";
import type { GemmaVocabulary } from "./GemmaVocabulary.js";
import { SentencePieceTokenType } from "./SentencePieceTokenType.js";

/** Gemma's vocabulary size (256,000): token_embd, the largest tensor of a small model, has its real size. */
export const gemmaVocabularySize = 256000;

// Gemma's layout of the special tokens: <pad> 0, <eos> 1, <bos> 2, <unk> 3, then control tokens
// up to <end_of_turn> 107 (convert_hf_to_gguf.py hard-codes it as the EOT token).
const specialTokens = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "[@BOS@]"];
const startOfTurnTokenId = 106;
const endOfTurnTokenId = 107;
const controlScore = -1000;
const sentencePieceSpace = "\u2581";

// Words a reranker input is made of besides the bench's own: the answers, a little grammar.
const extraWords = ["Yes", "No", "yes", "no", "query", "passage", "A", "B", "a", "I", "you", "what", "how", "why", "who", "does", "do", "work", "tides"];

/**
 * A SentencePiece ("llama" tokenizer model) vocabulary of Gemma's size, built without the Gemma
 * tokenizer, so that `llm-rerank bench` can generate its models in an app, where the tokenizer
 * package (a devDependency) is absent. It holds Gemma's special tokens at their ids, the 256 byte
 * tokens (any text tokenizes: what no piece covers falls back to bytes), single characters, and
 * every substring of each word of the bench's texts and of bge-reranker-v2-gemma's prompt, with and
 * without the "▁" a preceding space becomes, so those words tokenize to one token each, as most
 * English words do with the real vocabulary; "Yes", the token the profile scores, is one of them.
 * Pseudo-words fill the rest up to the real size. A model written with it loads, tokenizes and runs
 * exactly as fast as one with the real vocabulary; its scores mean nothing, as those of random
 * weights never do. The same vocabulary every time (no randomness).
 */
export function syntheticGemmaVocabulary(size: number = gemmaVocabularySize): GemmaVocabulary {
    const tokens: string[] = [];
    const types: number[] = [];
    const seen = new Set<string>();
    const add = (token: string, type: number): void => {
        if (seen.has(token)) return;
        seen.add(token);
        tokens.push(token);
        types.push(type);
    };

    for (const token of specialTokens) add(token, SentencePieceTokenType.control);
    for (let i = 0; tokens.length < startOfTurnTokenId; i++) add(`<unused${i}>`, SentencePieceTokenType.control);
    add("<start_of_turn>", SentencePieceTokenType.control);
    add("<end_of_turn>", SentencePieceTokenType.control);
    for (let byte = 0; byte < 256; byte++) add(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`, SentencePieceTokenType.byte);
    const firstPiece = tokens.length;

    add(sentencePieceSpace, SentencePieceTokenType.normal);
    add("\n", SentencePieceTokenType.normal);
    for (let code = 0x21; code < 0x7f; code++) {
        add(String.fromCharCode(code), SentencePieceTokenType.normal);
        add(sentencePieceSpace + String.fromCharCode(code), SentencePieceTokenType.normal);
    }
    // Every substring of a piece is a piece too: llama.cpp's SPM tokenizer merges adjacent symbols only
    // when their concatenation is in the vocabulary, so no word ever stops halfway.
    for (const word of vocabularyWords()) {
        for (const form of [word, sentencePieceSpace + word]) {
            for (let length = 2; length <= form.length; length++)
                for (let start = 0; start + length <= form.length; start++) add(form.slice(start, start + length), SentencePieceTokenType.normal);
        }
    }
    if (tokens.length > size) throw new RangeError(`a synthetic Gemma vocabulary needs at least ${tokens.length} tokens, got ${size}`);
    for (let i = 0; tokens.length < size; i++) add(pseudoWord(i), SentencePieceTokenType.normal);

    // SentencePiece scores: the earlier a piece, the likelier; byte and control tokens as the converter writes them
    const scores = new Float32Array(size);
    const tokenTypes = Int32Array.from(types);
    for (let id = 0; id < size; id++) {
        const type = tokenTypes[id];
        scores[id] = type === SentencePieceTokenType.control ? controlScore : type === SentencePieceTokenType.byte ? 0 : -(id - firstPiece);
    }
    return {
        tokens,
        scores,
        tokenTypes,
        bosTokenId: 2,
        eosTokenId: 1,
        unknownTokenId: 3,
        paddingTokenId: 0,
        endOfTurnTokenId,
        addBosToken: true,
        addEosToken: false,
        chatTemplate: undefined
    };
}

function vocabularyWords(): string[] {
    const profile = bgeRerankerV2Gemma;
    const text = [profile.prompt, profile.queryPrefix, profile.passagePrefix, profile.score.kind === "logit" ? profile.score.token : ""].join(" ");
    const words = [...benchWords, ...extraWords, ...(text.match(/[A-Za-z]+|[^\sA-Za-z]+/g) ?? [])];
    // sentence-initial and plain forms of each
    return [...new Set(words.flatMap((word) => [word, word[0]!.toUpperCase() + word.slice(1), word.toLowerCase()]))];
}

const consonants = "bcdfghjklmnprstvwz";
const vowels = "aeiou";

/** Distinct pronounceable fillers ("▁bab", "▁bac", ...): real-looking pieces no bench text contains. */
function pseudoWord(index: number): string {
    let word = "";
    let rest = index;
    do {
        word += consonants[rest % consonants.length]! + vowels[Math.floor(rest / consonants.length) % vowels.length]!;
        rest = Math.floor(rest / (consonants.length * vowels.length));
    } while (rest > 0);
    return `${sentencePieceSpace}${word}q`;
}
