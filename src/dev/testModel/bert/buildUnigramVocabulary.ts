import { SentencePieceTokenType } from "../../../testModel/SentencePieceTokenType.js";
import type { BpeVocabulary } from "../../../testModel/BpeVocabulary.js";
import { xlmRobertaMaskToken, xlmRobertaSpecialTokens, type UnigramVocabulary } from "./UnigramVocabulary.js";

export type UnigramVocabularyOptions = {
    /** Pieces in Latin script (ASCII included) taken, in the source's rank order. */
    readonly latinPieces: number;
    /** Pieces in any other script (CJK, Cyrillic, Arabic, Devanagari, ...), in rank order. */
    readonly otherPieces: number;
};

// GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves, the others are shifted
// past U+0100 in byte order.
function byteLevelDecoder(): Map<string, number> {
    const direct = (byte: number) => (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    const decoder = new Map<string, number>();
    let shifted = 0;
    for (let byte = 0; byte < 256; byte++) decoder.set(String.fromCodePoint(direct(byte) ? byte : 256 + shifted++), byte);
    return decoder;
}

// A trained Unigram model gives single characters (and a lone "▁") low probabilities: most of their
// occurrences are inside longer pieces. Without this, ranks from a BPE vocabulary (where bytes come
// first) would make every word a string of characters.
const characterPenalty = 4;

const utf8 = new TextDecoder("utf-8", { fatal: true });
// A piece holds no whitespace or control characters: SentencePiece splits words at spaces, and the
// other separators are what a precompiled charsmap would rewrite (this vocabulary has none).
const wordCharacters = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]+$/u;
const latin = /^[\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]+$/u;

/**
 * A faithful SentencePiece Unigram vocabulary without the 250,002 XLM-R pieces, which no npm
 * package ships: word pieces of a real multilingual tokenizer (Qwen3's byte-level BPE, whose ids
 * follow merge order, i.e. frequency), re-spelled with "▁" for a leading space, plus every single
 * character they use, so most text segments without <unk>. Scores are log-probabilities falling
 * with rank (-1 - ln(rank)), so the Viterbi search weighs long rare pieces against short frequent
 * ones as a trained model does; single characters pay a further characterPenalty. Layout as XLM-R: <s> <pad> </s> <unk>, pieces by score, <mask>.
 */
export function buildUnigramVocabulary(source: BpeVocabulary, options: UnigramVocabularyOptions): UnigramVocabulary {
    const decoder = byteLevelDecoder();
    const scored = new Map<string, number>();
    let latinTaken = 0;
    let otherTaken = 0;
    const offer = (piece: string, rank: number, penalty = 0) => {
        const score = -1 - Math.log(rank + 1) - penalty;
        if ((scored.get(piece) ?? Number.NEGATIVE_INFINITY) < score) scored.set(piece, score);
    };
    for (let id = 0; id < source.tokens.length && (latinTaken < options.latinPieces || otherTaken < options.otherPieces); id++) {
        if (source.tokenTypes[id] !== SentencePieceTokenType.normal) continue;
        const bytes = Array.from(source.tokens[id]!, (character) => decoder.get(character));
        if (bytes.some((byte) => byte === undefined)) continue;
        let text: string;
        try {
            text = utf8.decode(Uint8Array.from(bytes as number[]));
        } catch {
            continue; // a fragment of a multi-byte character
        }
        const word = text.startsWith(" ") ? text.slice(1) : text;
        if (!wordCharacters.test(word)) continue;
        const isLatin = latin.test(word);
        if (isLatin ? latinTaken >= options.latinPieces : otherTaken >= options.otherPieces) continue;
        if (isLatin) latinTaken++;
        else otherTaken++;
        const piece = text.startsWith(" ") ? `\u2581${word}` : word;
        offer(piece, id);
        // every character on its own, scored by the best rank it appears at
        for (const character of word) offer(character, id, characterPenalty);
    }
    offer("\u2581", 0, characterPenalty);

    const pieces = [...scored.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Strictly falling scores: two pieces never tie, so no tokenizer's tie-breaking decides a split.
    for (let i = 1; i < pieces.length; i++) pieces[i]![1] = Math.min(pieces[i]![1], pieces[i - 1]![1] - 1e-4);
    const texts = [...xlmRobertaSpecialTokens, ...pieces.map(([piece]) => piece), xlmRobertaMaskToken];
    const scores = Float32Array.from([0, 0, 0, 0, ...pieces.map(([, score]) => score), 0]);
    const tokenTypes = Int32Array.from(texts, (_, id) =>
        id === 3 ? SentencePieceTokenType.unknown : id < 3 || id === texts.length - 1 ? SentencePieceTokenType.control : SentencePieceTokenType.normal
    );
    return { pieces: texts, scores, tokenTypes, bosTokenId: 0, paddingTokenId: 1, eosTokenId: 2, unknownTokenId: 3, maskTokenId: texts.length - 1 };
}
