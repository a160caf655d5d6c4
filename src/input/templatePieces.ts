import { InvalidArgumentError } from "../errors/errors.js";
import type { TemplateProfile } from "../profiles/ModelProfile.js";
import { splitAtLiterals } from "./splitAtLiterals.js";

/** Text to put in as it is, or the pair's query or document. */
export type TemplateItem = { text: string } | { field: "query" | "document" };

/**
 * One piece of a template's input: a control token the template names, or a run of text items
 * tokenized together as plain text (never parsed for special tokens).
 */
export type TemplatePiece = { control: number } | { items: TemplateItem[] };

const placeholder = /\{(query|document|instruction)\}/g;

/** The control tokens (text and id) a template's own text may name. */
export type ControlToken = { text: string; id: number };

/**
 * The template cut into pieces: at every control token its own text names (longest first, as
 * llama.cpp and HF partition special tokens out before BPE), and in "parts" mode at every part
 * boundary too. {instruction} is filled in here (it is fixed for a load); {query} and {document}
 * stay fields. The piece holding {document} must end with it, and in "parts" mode with a
 * queryShare the piece holding {query} must end with it and hold no {document}: truncation cuts
 * those pieces from their end.
 *
 * `source` names the profile in errors. Throws InvalidArgumentError for a template that breaks
 * those rules; validateProfile has already checked what it can without the vocabulary.
 */
export function templatePieces(profile: TemplateProfile, instruction: string, controlTokens: readonly ControlToken[], source: string): TemplatePiece[] {
    const parts = typeof profile.template === "string" ? [profile.template] : profile.template;
    const units = profile.tokenize === "joined" ? [parts.join("")] : parts;
    const sorted = [...controlTokens].sort((a, b) => b.text.length - a.text.length);
    const pieces: TemplatePiece[] = [];
    for (const unit of units) {
        let current: TemplateItem[] = [];
        const flush = () => {
            if (current.length > 0) pieces.push({ items: current });
            current = [];
        };
        const literal = (text: string) => {
            if (text === "") return;
            const relevant = sorted.filter((token) => text.includes(token.text));
            for (const piece of relevant.length > 0 ? splitAtLiterals(text, relevant) : [text]) {
                if (typeof piece === "string") current.push({ text: piece });
                else {
                    flush();
                    pieces.push({ control: piece.id });
                }
            }
        };
        const expand = (text: string, insideInstruction: boolean) => {
            let last = 0;
            for (const match of text.matchAll(placeholder)) {
                literal(text.slice(last, match.index));
                const field = match[1] as "query" | "document" | "instruction";
                if (field !== "instruction") current.push({ field });
                else if (insideInstruction || profile.instructionTemplate === undefined) {
                    if (instruction !== "") current.push({ text: instruction });
                } else if (instruction !== "") expand(profile.instructionTemplate, true);
                last = match.index + match[0].length;
            }
            literal(text.slice(last));
        };
        expand(unit, false);
        flush();
    }
    const holding = (field: "query" | "document") =>
        pieces.findIndex((piece) => "items" in piece && piece.items.some((item) => "field" in item && item.field === field));
    const endsWith = (index: number, field: "query" | "document") => {
        const piece = pieces[index]!;
        const last = "items" in piece ? piece.items.at(-1) : undefined;
        return last !== undefined && "field" in last && last.field === field;
    };
    const documentPiece = holding("document");
    if (!endsWith(documentPiece, "document"))
        throw new InvalidArgumentError(
            `${source}.template: {document} must end its ${profile.tokenize === "parts" ? "part" : "run of text (the text up to the next control token)"}, since truncation cuts it from its end`
        );
    const queryPiece = holding("query");
    if (profile.truncation.queryShare !== undefined && (queryPiece === documentPiece || !endsWith(queryPiece, "query")))
        throw new InvalidArgumentError(
            `${source}.truncation.queryShare: the ${profile.tokenize === "parts" ? "part" : "run of text"} holding {query} must end with {query} and not hold {document}, since it is cut from its end`
        );
    return pieces;
}

/** Control tokens of the vocabulary that the template's text (with its instruction template) contains. */
export function controlTokensIn(profile: TemplateProfile, tokens: readonly string[], tokenTypes: ArrayLike<number>): ControlToken[] {
    const text = [...(typeof profile.template === "string" ? [profile.template] : profile.template), profile.instructionTemplate ?? ""].join("\u0000");
    const found: ControlToken[] = [];
    tokens.forEach((token, id) => {
        if (tokenTypes[id] === controlTokenType && token !== "" && text.includes(token)) found.push({ text: token, id });
    });
    return found;
}

/** GGUF tokenizer.ggml.token_type CONTROL. */
const controlTokenType = 3;
