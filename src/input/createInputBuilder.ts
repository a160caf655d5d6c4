import type { ModelProfile } from "../profiles/ModelProfile.js";
import { ChatTemplateInputBuilder } from "./ChatTemplateInputBuilder.js";
import { FlagEmbeddingInputBuilder } from "./FlagEmbeddingInputBuilder.js";
import type { InputBuilder } from "./InputBuilder.js";
import type { TextTokenizer } from "./TextTokenizer.js";

export function createInputBuilder(tokenizer: TextTokenizer, bosToken: number, profile: ModelProfile, maxLength: number, prompt: string): InputBuilder {
    const tokenize = (text: string) => tokenizer.tokenize(text);
    if (profile.format === "flag-embedding") return new FlagEmbeddingInputBuilder(tokenize, bosToken, profile, maxLength, prompt);
    return new ChatTemplateInputBuilder(tokenize, (text) => tokenizer.tokenizeTemplate(text), profile, maxLength, prompt);
}
