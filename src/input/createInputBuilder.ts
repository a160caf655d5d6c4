import type { ModelProfile } from "../profiles/ModelProfile.js";
import { ChatTemplateInputBuilder } from "./ChatTemplateInputBuilder.js";
import { FlagEmbeddingInputBuilder } from "./FlagEmbeddingInputBuilder.js";
import type { InputBuilder } from "./InputBuilder.js";
import type { TextTokenizer } from "./TextTokenizer.js";

export async function createInputBuilder(
    tokenizer: TextTokenizer,
    bosToken: number,
    profile: ModelProfile,
    maxLength: number,
    prompt: string
): Promise<InputBuilder> {
    if (profile.format === "flag-embedding") {
        // Each piece on its own, as FlagEmbedding tokenizes them.
        const [promptTokens, separatorTokens] = [await tokenizer.tokenize(prompt), await tokenizer.tokenize(profile.separator)];
        return new FlagEmbeddingInputBuilder(bosToken, profile, maxLength, promptTokens, separatorTokens);
    }
    const [prefixTokens, suffixTokens] = [await tokenizer.tokenizeTemplate(profile.templatePrefix), await tokenizer.tokenizeTemplate(profile.templateSuffix)];
    return new ChatTemplateInputBuilder(profile, maxLength, prompt, prefixTokens, suffixTokens);
}
