import { InvalidModelFileError, UnsupportedModelError } from "../errors/errors.js";

// llama-vocab.cpp load(): "no_vocab" and "none" leave the vocabulary type NONE, and every later
// tokenizer call asserts on it (token_get_attr:3171 GGML_ASSERT(type != LLAMA_VOCAB_TYPE_NONE),
// tokenize:3571 GGML_ABORT).
const vocabularyFreeModels = ["no_vocab", "none"];
// llama-vocab.cpp byte_to_token:3913: SentencePiece's byte fallback looks "<0xXX>" up with .at(),
// whose std::out_of_range escapes llama_tokenize (a C entry point) when the token is missing.
const sentencePieceModel = "llama";

/**
 * The tokenizer metadata llama.cpp asserts on instead of refusing. llama.cpp compares token bytes:
 * valid UTF-8 decodes one-to-one, so decoded strings compare like their bytes, and a token that
 * is not valid UTF-8 (`invalidUtf8`, as latin1) is compared by its bytes; the two kinds never
 * hold the same bytes.
 */
export function checkVocabulary(path: string, tokenizerModel: unknown, tokens: readonly string[], invalidUtf8: ReadonlyMap<number, string> = new Map()): void {
    if (typeof tokenizerModel !== "string") throw new InvalidModelFileError(path, "tokenizer.ggml.model is missing or not a string");
    if (vocabularyFreeModels.includes(tokenizerModel)) {
        throw new UnsupportedModelError(`${path} has no usable vocabulary (tokenizer.ggml.model "${tokenizerModel}"); a reranker tokenizes its input`);
    }
    // llama-vocab.cpp:2501 load(): GGML_ASSERT(id_to_token.size() == token_to_id.size()), i.e. no
    // two tokens with the same text. An empty token is renamed "[EMPTY_<id>]" first (load(), just
    // above), so that name counts as its text.
    const seen = new Map<string, number>();
    const seenRaw = new Map<string, number>();
    tokens.forEach((token, id) => {
        const raw = invalidUtf8.get(id);
        const text = raw ?? (token === "" ? `[EMPTY_${id}]` : token);
        const known = raw === undefined ? seen : seenRaw;
        const earlier = known.get(text);
        if (earlier !== undefined)
            throw new InvalidModelFileError(path, `tokens ${earlier} and ${id} of tokenizer.ggml.tokens hold the same text ${JSON.stringify(text)}`);
        known.set(text, id);
    });
    if (tokenizerModel === sentencePieceModel) {
        for (let byte = 0; byte < 256; byte++) {
            const text = `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
            // byte_to_token falls back to the byte itself as a one-byte token (Gemma has "\t", not <0x09>)
            const single = String.fromCharCode(byte);
            if (!seen.has(text) && !(byte < 0x80 ? seen : seenRaw).has(single)) {
                throw new InvalidModelFileError(path, `its SentencePiece vocabulary has no token for byte ${text}`);
            }
        }
    }
}
