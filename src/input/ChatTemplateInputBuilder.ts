import { InvalidArgumentError } from "../errors/errors.js";
import type { ChatTemplateProfile } from "../profiles/ModelProfile.js";
import { concatTokens, type InputBuilder, type PassageWindowing, type TokenLookup } from "./InputBuilder.js";
import type { TextRequest } from "./TextTokenizer.js";

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

    /** The ids of the message and of the head beyond this budget are never read. */
    private get budget(): number {
        return this.maxLength - this.prefixTokens.length - this.suffixTokens.length;
    }

    /** The passage piece is the whole user message, normalize(head + passage): build() keeps it whole within the budget. */
    readonly windowing: PassageWindowing = {
        lead: (query) => this.head(query),
        normalize: (text) => this.normalizeText(text),
        roomTexts: () => [],
        room: () => this.budget
    };

    textsToTokenize(query: string, passage: string): TextRequest[] {
        const head = this.head(query);
        // The head alone is needed only when the document is cut; it is the same for every passage
        // of a query, so tokenizing it always costs one cached lookup. build() reads the message's
        // first `budget` ids and compares its count with `budget`; of the head it compares only
        // count - 1 with `budget`, which a cut prefix of more than `budget` ids decides alike.
        return [
            { text: this.normalizeText(head + passage), limit: this.budget },
            { text: this.normalizeText(head), limit: this.budget }
        ];
    }

    build(query: string, passage: string, tokensOf: TokenLookup): Int32Array {
        const head = this.head(query);
        const userTokens = tokensOf(this.normalizeText(head + passage));
        const budget = this.budget;
        if (userTokens.length <= budget) return concatTokens([this.prefixTokens, userTokens, this.suffixTokens]);
        // The head's tokens, less one: its last token may merge with the document's first characters.
        const headText = this.normalizeText(head);
        const headLength = Math.max(0, tokensOf(headText).length - 1);
        if (headLength >= budget) {
            // A head tokenized only in part has more than budget ids: it would not fit either.
            const atLeast = tokensOf.isPartial?.(headText) ? " or more" : "";
            throw new InvalidArgumentError(
                `the query and instruction take ${headLength} tokens${atLeast}; maxLength ${this.maxLength} leaves ${budget} for the whole message`
            );
        }
        return concatTokens([this.prefixTokens, userTokens.subarray(0, budget), this.suffixTokens]);
    }
}
