import type { ModelProfile } from "../profiles/ModelProfile.js";
import { ChatTemplateInputBuilder } from "./ChatTemplateInputBuilder.js";
import { createEncoderPairInputBuilder, type SpecialTokenLookup } from "./EncoderPairInputBuilder.js";
import { FlagEmbeddingInputBuilder } from "./FlagEmbeddingInputBuilder.js";
import type { InputBuilder } from "./InputBuilder.js";
import type { TextTokenizer } from "./TextTokenizer.js";

export function createInputBuilder(
    tokenizer: TextTokenizer,
    bosToken: number,
    profile: ModelProfile,
    maxLength: number,
    prompt: string,
    specialToken: SpecialTokenLookup = () => {
        throw new Error(`profile ${profile.name} names no special tokens`);
    }
): InputBuilder {
    const tokenize = (text: string) => tokenizer.tokenize(text);
    if (profile.format === "flag-embedding") return new FlagEmbeddingInputBuilder(tokenize, bosToken, profile, maxLength, prompt);
    if (profile.format === "encoder-pair") return createEncoderPairInputBuilder(tokenize, specialToken, profile, maxLength);
    return new ChatTemplateInputBuilder(tokenize, (text) => tokenizer.tokenizeTemplate(text), profile, maxLength, prompt);
}
