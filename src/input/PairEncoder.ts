import type { InputBuilder } from "./InputBuilder.js";
import type { TextTokenizer } from "./TextTokenizer.js";

/**
 * Turns (query, passage) pairs into the token ids the profile scores: every text of the call is
 * tokenized in one native job off the main thread, then the builder assembles and truncates.
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

    encode(pairs: readonly (readonly [string, string])[]): Promise<Int32Array[]> {
        const work = this.encodeNow(pairs);
        this.inFlight.add(work);
        const forget = () => this.inFlight.delete(work);
        work.then(forget, forget);
        return work;
    }

    private async encodeNow(pairs: readonly (readonly [string, string])[]): Promise<Int32Array[]> {
        const texts = new Set<string>();
        for (const [query, passage] of pairs) for (const text of this.builder.textsToTokenize(query, passage)) texts.add(text);
        const tokens = await this.tokenizer.tokenizeAll(texts);
        const tokensOf = (text: string) => tokens.get(text)!;
        return pairs.map(([query, passage]) => this.builder.build(query, passage, tokensOf));
    }
}
