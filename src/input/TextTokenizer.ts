import type { AddonModel } from "../native/AddonTypes.js";
import { LruCache } from "../utils/LruCache.js";
import { concatTokens } from "./InputBuilder.js";
import { splitLongSpaceRuns } from "./splitLongSpaceRuns.js";

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

    constructor(model: AddonModel, cacheEntries: number, matchHfSpaceRuns: boolean) {
        this.model = model;
        this.cache = new LruCache(cacheEntries);
        const sixteen = matchHfSpaceRuns ? model.tokenize(" ".repeat(16), false) : undefined;
        this.sixteenSpacesToken = sixteen?.length === 1 ? sixteen[0] : undefined;
    }

    /** Token ids of text, without BOS/EOS. The returned array is shared: do not modify it. */
    tokenize(text: string): Int32Array {
        const cached = this.cache.get(text);
        if (cached) return cached;
        const tokens = this.sixteenSpacesToken === undefined || !text.includes(" ".repeat(32)) ? this.model.tokenize(text, false) : this.tokenizeSplittingSpaceRuns(text, this.sixteenSpacesToken);
        this.cache.set(text, tokens);
        return tokens;
    }

    private tokenizeSplittingSpaceRuns(text: string, sixteenSpacesToken: number): Int32Array {
        const parts = splitLongSpaceRuns(text).map((piece) => (typeof piece === "number" ? new Int32Array(piece).fill(sixteenSpacesToken) : this.model.tokenize(piece, false)));
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
