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

/**
 * llama.cpp's tokenizer over the GGUF's own vocabulary, with special-token parsing off: text a user
 * typed ("<bos>", "<start_of_turn>") always stays text. Desktop apps rerank the same documents
 * against many queries, so token ids are cached by text.
 */
export class TextTokenizer {
    private readonly model: AddonModel;
    private readonly cache: LruCache<string, Int32Array>;
    /** The 16-space token, when the vocabulary needs HF's split of long space runs (Gemma's does). */
    private readonly sixteenSpacesToken: number | undefined;

    private readonly userDefinedLiterals: { text: string; id: number }[];

    constructor(model: AddonModel, options: TextTokenizerOptions) {
        this.model = model;
        this.cache = new LruCache(options.cacheEntries);
        const sixteen = options.matchHfSpaceRuns ? model.tokenize(" ".repeat(16), false) : undefined;
        this.sixteenSpacesToken = sixteen?.length === 1 ? sixteen[0] : undefined;
        this.userDefinedLiterals = [...options.userDefinedLiterals].sort((a, b) => b.text.length - a.text.length);
    }

    /** Token ids of text, without BOS/EOS. The returned array is shared: do not modify it. */
    tokenize(text: string): Int32Array {
        const cached = this.cache.get(text);
        if (cached) return cached;
        const tokens = this.userDefinedLiterals.some((literal) => text.includes(literal.text))
            ? concatTokens(
                  splitAtLiterals(text, this.userDefinedLiterals).map((piece) =>
                      typeof piece === "string" ? this.tokenizePlain(piece) : Int32Array.of(piece.id)
                  )
              )
            : this.tokenizePlain(text);
        this.cache.set(text, tokens);
        return tokens;
    }

    private tokenizePlain(text: string): Int32Array {
        const sixteenSpacesToken = this.sixteenSpacesToken;
        if (sixteenSpacesToken === undefined || !text.includes(" ".repeat(32))) return this.model.tokenize(text, false);
        const parts = splitLongSpaceRuns(text).map((piece) =>
            typeof piece === "number" ? new Int32Array(piece).fill(sixteenSpacesToken) : this.model.tokenize(piece, false)
        );
        return concatTokens(parts);
    }

    /**
     * For a profile's own template text only, never user text: parses special-token markers such
     * as <|im_start|> into their control tokens.
     */
    tokenizeTemplate(text: string): Int32Array {
        return this.model.tokenize(text, true);
    }

    get cacheStats(): { entries: number; hits: number; misses: number } {
        return { entries: this.cache.size, hits: this.cache.hits, misses: this.cache.misses };
    }
}
