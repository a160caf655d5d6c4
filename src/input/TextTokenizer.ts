import type { AddonModel } from "../native/AddonTypes.js";
import { LruCache } from "../utils/LruCache.js";
import { concatTokens } from "./InputBuilder.js";
import { splitAtLiterals } from "./splitAtLiterals.js";
import { splitLongSpaceRuns } from "./splitLongSpaceRuns.js";

export type TextTokenizerOptions = {
    cacheEntries: number;
    /** Split runs of 32+ spaces as the HF Gemma tokenizer does (see splitLongSpaceRuns). */
    matchHfSpaceRuns: boolean;
    /**
     * Tokens the GGUF types USER_DEFINED but llama.cpp re-flags as control when it loads the
     * vocabulary (Gemma's "</s>", an HTML tag to HF). They are matched in user text as the file
     * and HF define them; a token the file itself types CONTROL never is.
     */
    userDefinedLiterals: { text: string; id: number }[];
};

/** Texts longer than this are tokenized every time: a cache of 1 MB passages would hold gigabytes. */
const longestCachedText = 65_536;

/** A piece of a text: plain text for llama.cpp, a fixed token id, or a run of 16-space tokens. */
type Piece = string | { id: number; count: number };

/**
 * llama.cpp's tokenizer over the GGUF's own vocabulary, with special-token parsing off: text a user
 * typed ("<bos>", "<start_of_turn>") always stays text. Tokenization runs off the JS thread, all
 * texts of a call in one native job. Desktop apps rerank the same documents against many queries,
 * so token ids are cached by text.
 */
export class TextTokenizer {
    private readonly model: AddonModel;
    private readonly cache: LruCache<string, Int32Array>;
    /** The 16-space token, when the vocabulary needs HF's split of long space runs (Gemma's does). */
    private readonly sixteenSpacesToken: number | undefined;
    private readonly userDefinedLiterals: { text: string; id: number }[];

    private constructor(model: AddonModel, options: TextTokenizerOptions, sixteenSpacesToken: number | undefined) {
        this.model = model;
        this.cache = new LruCache(options.cacheEntries);
        this.sixteenSpacesToken = sixteenSpacesToken;
        this.userDefinedLiterals = [...options.userDefinedLiterals].sort((a, b) => b.text.length - a.text.length);
    }

    static async create(model: AddonModel, options: TextTokenizerOptions): Promise<TextTokenizer> {
        const [sixteen] = options.matchHfSpaceRuns ? await model.tokenize([" ".repeat(16)], false) : [];
        return new TextTokenizer(model, options, sixteen?.length === 1 ? sixteen[0] : undefined);
    }

    /** Token ids of one text, without BOS/EOS. The returned array is shared: do not modify it. */
    async tokenize(text: string): Promise<Int32Array> {
        return (await this.tokenizeAll([text])).get(text)!;
    }

    /** Token ids of every text (one native job for all uncached ones). Arrays are shared: do not modify them. */
    async tokenizeAll(texts: Iterable<string>): Promise<Map<string, Int32Array>> {
        const result = new Map<string, Int32Array>();
        const missing = new Map<string, Piece[]>();
        for (const text of texts) {
            if (result.has(text) || missing.has(text)) continue;
            const cached = this.cache.get(text);
            if (cached) result.set(text, cached);
            else missing.set(text, this.split(text));
        }
        if (missing.size === 0) return result;
        const plain = [...new Set([...missing.values()].flat().filter((piece): piece is string => typeof piece === "string"))];
        const plainTokens = new Map<string, Int32Array>();
        const tokenized = plain.length > 0 ? await this.model.tokenize(plain, false) : [];
        plain.forEach((piece, i) => plainTokens.set(piece, tokenized[i]!));
        for (const [text, pieces] of missing) {
            const tokens =
                pieces.length === 1 && typeof pieces[0] === "string"
                    ? plainTokens.get(pieces[0])!
                    : concatTokens(pieces.map((piece) => (typeof piece === "string" ? plainTokens.get(piece)! : new Int32Array(piece.count).fill(piece.id))));
            if (text.length <= longestCachedText) this.cache.set(text, tokens);
            result.set(text, tokens);
        }
        return result;
    }

    /**
     * For a profile's own template text only, never user text: parses special-token markers such
     * as <|im_start|> into their control tokens.
     */
    async tokenizeTemplate(text: string): Promise<Int32Array> {
        const [tokens] = await this.model.tokenize([text], true);
        return tokens!;
    }

    get cacheStats(): { entries: number; hits: number; misses: number } {
        return { entries: this.cache.size, hits: this.cache.hits, misses: this.cache.misses };
    }

    private split(text: string): Piece[] {
        const literalPieces: Piece[] = this.userDefinedLiterals.some((literal) => text.includes(literal.text))
            ? splitAtLiterals(text, this.userDefinedLiterals).map((piece) => (typeof piece === "string" ? piece : { id: piece.id, count: 1 }))
            : [text];
        const sixteenSpacesToken = this.sixteenSpacesToken;
        if (sixteenSpacesToken === undefined) return literalPieces;
        return literalPieces.flatMap((piece) =>
            typeof piece !== "string" || !piece.includes(" ".repeat(32))
                ? [piece]
                : splitLongSpaceRuns(piece).map((part) => (typeof part === "number" ? { id: sixteenSpacesToken, count: part } : part))
        );
    }
}
