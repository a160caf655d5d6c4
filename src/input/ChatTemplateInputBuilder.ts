import { InvalidArgumentError } from "../errors/errors.js";
import type { ChatTemplateProfile } from "../profiles/ModelProfile.js";
import { concatTokens, type InputBuilder, type TokenLookup } from "./InputBuilder.js";

/**
 * Qwen3-Reranker's input: templatePrefix + user message + templateSuffix, where the user message is
 * "<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}". The template pieces are
 * tokenized with special-token parsing (they hold <|im_start|> and <|im_end|>); the user message is
 * tokenized as plain text in one piece, as the model card tokenizes it, so that the boundary before
 * the document merges exactly as it does there.
 *
 * Truncation: the whole input is kept within maxLength by cutting the document's tokens from its
 * end; the template's tail is always kept. A query and instruction that leave no room at all are
 * an error rather than silently cut.
 */
export class ChatTemplateInputBuilder implements InputBuilder {
    readonly maxLength: number;
    readonly maxSequenceLength: number;
    private readonly prefixTokens: Int32Array;
    private readonly suffixTokens: Int32Array;
    private readonly profile: ChatTemplateProfile;
    private readonly instruction: string;

    /** prefixTokens and suffixTokens: the profile's templatePrefix and templateSuffix, tokenized with special-token parsing. */
    constructor(profile: ChatTemplateProfile, maxLength: number, instruction: string, prefixTokens: Int32Array, suffixTokens: Int32Array) {
        this.profile = profile;
        this.instruction = instruction;
        this.prefixTokens = prefixTokens;
        this.suffixTokens = suffixTokens;
        this.maxLength = maxLength;
        this.maxSequenceLength = maxLength;
        if (this.prefixTokens.length + this.suffixTokens.length >= maxLength) {
            throw new InvalidArgumentError(`maxLength ${maxLength} leaves no room inside the ${profile.name} template`);
        }
    }

    private normalizeText(text: string): string {
        return this.profile.textNormalization === "NFC" ? text.normalize("NFC") : text;
    }

    private head(query: string): string {
        const [beforeDocument] = this.profile.userTemplate.split("{document}");
        // One pass, so an instruction or query containing "{query}" stays literal.
        return beforeDocument!.replace(/\{(instruction|query)\}/g, (_, field: string) => (field === "instruction" ? this.instruction : query));
    }

    textsToTokenize(query: string, passage: string): string[] {
        const head = this.head(query);
        // The head alone is needed only when the document is cut; it is the same for every passage
        // of a query, so tokenizing it always costs one cached lookup.
        return [this.normalizeText(head + passage), this.normalizeText(head)];
    }

    build(query: string, passage: string, tokensOf: TokenLookup): Int32Array {
        const head = this.head(query);
        const userTokens = tokensOf(this.normalizeText(head + passage));
        const budget = this.maxLength - this.prefixTokens.length - this.suffixTokens.length;
        if (userTokens.length <= budget) return concatTokens([this.prefixTokens, userTokens, this.suffixTokens]);
        // The head's tokens, less one: its last token may merge with the document's first characters.
        const headLength = Math.max(0, tokensOf(this.normalizeText(head)).length - 1);
        if (headLength >= budget) {
            throw new InvalidArgumentError(
                `the query and instruction take ${headLength} tokens; maxLength ${this.maxLength} leaves ${budget} for the whole message`
            );
        }
        return concatTokens([this.prefixTokens, userTokens.subarray(0, budget), this.suffixTokens]);
    }
}
