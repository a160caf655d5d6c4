import type { AddonModel } from "../native/AddonTypes.js";
import { LruCache } from "../utils/LruCache.js";

/**
 * llama.cpp's tokenizer over the GGUF's own vocabulary, with special-token parsing off: text a user
 * typed ("<bos>", "<start_of_turn>") always stays text. Desktop apps rerank the same documents
 * against many queries, so token ids are cached by text.
 */
export class TextTokenizer {
    private readonly model: AddonModel;
    private readonly cache: LruCache<string, Int32Array>;

    constructor(model: AddonModel, cacheEntries: number) {
        this.model = model;
        this.cache = new LruCache(cacheEntries);
    }

    /** Token ids of text, without BOS/EOS. The returned array is shared: do not modify it. */
    tokenize(text: string): Int32Array {
        const cached = this.cache.get(text);
        if (cached) return cached;
        const tokens = this.model.tokenize(text, false);
        this.cache.set(text, tokens);
        return tokens;
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
