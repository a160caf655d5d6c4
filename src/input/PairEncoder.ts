import type { InputBuilder, TokenLookup } from "./InputBuilder.js";
import type { TextRequest, TextTokenizer } from "./TextTokenizer.js";

/**
 * Turns (query, passage) pairs into the token ids the profile scores: the texts of the call are
 * tokenized off the main thread, as far as the builder's truncation can read them (see
 * TextTokenizer.tokenizeAll), then the builder assembles and truncates.
 */
export class PairEncoder {
    readonly builder: InputBuilder;
    private readonly tokenizer: TextTokenizer;

    constructor(tokenizer: TextTokenizer, builder: InputBuilder) {
        this.tokenizer = tokenizer;
        this.builder = builder;
    }

    private readonly inFlight = new Set<Promise<unknown>>();

    /** Resolves once no encode() is running: the model must outlive its tokenizations. */
    async idle(): Promise<void> {
        while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    }

    /**
     * The pairs' inputs. Rejects with an AbortedError once the signal fires, at the latest when the
     * native tokenization job in progress (bounded in length, see TextTokenizer) ends.
     */
    encode(pairs: readonly (readonly [string, string])[], signal?: AbortSignal): Promise<Int32Array[]> {
        const work = this.encodeNow(pairs, signal);
        this.inFlight.add(work);
        const forget = () => this.inFlight.delete(work);
        work.then(forget, forget);
        return work;
    }

    private async encodeNow(pairs: readonly (readonly [string, string])[], signal: AbortSignal | undefined): Promise<Int32Array[]> {
        const requests: TextRequest[] = [];
        for (const [query, passage] of pairs) requests.push(...this.builder.textsToTokenize(query, passage));
        const { tokens, partial } = await this.tokenizer.tokenizeAll(requests, signal);
        const tokensOf: TokenLookup = Object.assign((text: string) => tokens.get(text)!, { isPartial: (text: string) => partial.has(text) });
        return pairs.map(([query, passage]) => this.builder.build(query, passage, tokensOf));
    }
}
