import { GgufValueType } from "../../gguf/GgufValueType.js";
import { cloneImage, findEntry, type GgufImage } from "./GgufImage.js";

/**
 * The tiny Gemma model with its vocabulary cut to the first `vocabularySize` tokens (the control
 * tokens, the byte tokens and "Yes" among them) and token_embd cut to the same rows. Loading it
 * costs milliseconds instead of the full 256k-token vocabulary's second, so a few hundred hostile
 * variants of it fit in a test run; it still exercises the same loader, tokenizer and graph.
 */
export function deriveCompactGemma(tiny: GgufImage, vocabularySize = 4096): GgufImage {
    const image = cloneImage(tiny);
    for (const key of ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) {
        const entry = findEntry(image, key);
        if (entry && Array.isArray(entry.value)) entry.value = entry.value.slice(0, vocabularySize);
    }
    const embedding = image.tensors.find((tensor) => tensor.name === "token_embd.weight");
    if (!embedding || embedding.ggmlType !== 0) throw new Error("the tiny model has no F32 token_embd.weight");
    const width = embedding.dimensions[0]!;
    embedding.dimensions = [width, vocabularySize];
    embedding.data = embedding.data.subarray(0, width * vocabularySize * 4);
    const name = findEntry(image, "general.name");
    if (name?.type === GgufValueType.string) name.value = `${String(name.value)} (compact vocabulary)`;
    return image;
}
