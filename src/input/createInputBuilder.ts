import type { ModelProfile } from "../profiles/ModelProfile.js";
import { ChatTemplateInputBuilder } from "./ChatTemplateInputBuilder.js";
import { createEncoderPairInputBuilder, type SpecialTokenLookup } from "./EncoderPairInputBuilder.js";
import { FlagEmbeddingInputBuilder } from "./FlagEmbeddingInputBuilder.js";
import type { InputBuilder } from "./InputBuilder.js";
import { TemplateInputBuilder } from "./TemplateInputBuilder.js";
import { templatePieces, type ControlToken } from "./templatePieces.js";
import type { TextTokenizer } from "./TextTokenizer.js";

export async function createInputBuilder(
    tokenizer: TextTokenizer,
    bosToken: number,
    profile: ModelProfile,
    maxLength: number,
    prompt: string,
    specialToken: SpecialTokenLookup = () => {
        throw new Error(`profile ${profile.name} names no special tokens`);
    },
    /** For a template profile: the control tokens its text names (controlTokensIn). */
    controlTokens: readonly ControlToken[] = []
): Promise<InputBuilder> {
    if (profile.format === "flag-embedding") {
        // Each piece on its own, as FlagEmbedding tokenizes them.
        const [promptTokens, separatorTokens] = [await tokenizer.tokenize(prompt), await tokenizer.tokenize(profile.separator)];
        return new FlagEmbeddingInputBuilder(bosToken, profile, maxLength, promptTokens, separatorTokens);
    }
    if (profile.format === "encoder-pair") return createEncoderPairInputBuilder(specialToken, profile, maxLength);
    if (profile.format === "template") {
        const pieces = templatePieces(profile, prompt, controlTokens, `profile ${profile.name}`);
        // The pieces without {query} or {document} are the same for every pair: tokenized once.
        const fixed = new Map<number, Int32Array>();
        for (const [i, piece] of pieces.entries()) {
            if (!("items" in piece) || piece.items.some((item) => "field" in item)) continue;
            const text = piece.items.map((item) => ("text" in item ? item.text : "")).join("");
            fixed.set(i, await tokenizer.tokenize(profile.textNormalization === "NFC" ? text.normalize("NFC") : text));
        }
        return new TemplateInputBuilder(profile, maxLength, pieces, fixed, bosToken);
    }
    const [prefixTokens, suffixTokens] = [await tokenizer.tokenizeTemplate(profile.templatePrefix), await tokenizer.tokenizeTemplate(profile.templateSuffix)];
    return new ChatTemplateInputBuilder(profile, maxLength, prompt, prefixTokens, suffixTokens);
}
