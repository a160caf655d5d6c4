import { InvalidArgumentError, UnsupportedModelError } from "../errors/errors.js";
import type { TemplateProfile } from "../profiles/ModelProfile.js";
import { concatTokens, type InputBuilder, type TokenLookup } from "./InputBuilder.js";
import type { TemplateItem, TemplatePiece } from "./templatePieces.js";
import type { TextRequest } from "./TextTokenizer.js";

/** A piece as the builder holds it: fixed ids, or text that depends on the pair. */
type BuiltPiece = { tokens: Int32Array } | { items: TemplateItem[] };

/**
 * The input of a template profile (ModelProfile.ts, docs/profiles.md): its pieces (templatePieces)
 * in order, each control token as its id, each run of text tokenized as plain text, then cut:
 *
 *   the query's piece to ⌊queryShare·maxLength⌋ ids (when queryShare is set);
 *   the document's piece to maxLength ids, then from its end so that the ids `budget` counts
 *   fit maxLength (raised, for "query-to-document+tail", by the ids after the document's piece).
 *
 * HF's truncation would keep the input whole where the cut had to remove more than the document's
 * piece holds; this builder refuses such a pair instead (the query and template leave no room),
 * as it does any query that does not fit. Pieces without {query} or {document} are tokenized once.
 */
export class TemplateInputBuilder implements InputBuilder {
    readonly maxLength: number;
    readonly maxSequenceLength: number;
    private readonly pieces: BuiltPiece[];
    private readonly bos: Int32Array;
    private readonly queryPiece: number;
    private readonly documentPiece: number;
    private readonly queryMaxLength: number | undefined;
    /** First and last piece (inclusive) whose ids the budget counts. */
    private readonly counted: [number, number];
    /** Ids of the fixed pieces after the document's piece: added to the cap for "+tail". */
    private readonly tailLength: number;
    private readonly profile: TemplateProfile;

    /**
     * fixedTokens: the ids of each piece without {query} and {document}, by index (unused for the others).
     * bosToken: the model's BOS id, read when profile.bos is set.
     */
    constructor(profile: TemplateProfile, maxLength: number, pieces: readonly TemplatePiece[], fixedTokens: ReadonlyMap<number, Int32Array>, bosToken: number) {
        this.profile = profile;
        this.maxLength = maxLength;
        if (profile.bos === true && (!Number.isInteger(bosToken) || bosToken < 0))
            throw new UnsupportedModelError(`the model has no BOS token, which profile ${profile.name} starts every input with`);
        this.bos = profile.bos === true ? Int32Array.of(bosToken) : new Int32Array(0);
        this.pieces = pieces.map((piece, i) => {
            if ("control" in piece) return { tokens: Int32Array.of(piece.control) };
            return piece.items.some((item) => "field" in item) ? { items: piece.items } : { tokens: fixedTokens.get(i)! };
        });
        const holding = (field: string) => pieces.findIndex((piece) => "items" in piece && piece.items.some((item) => "field" in item && item.field === field));
        this.queryPiece = holding("query");
        this.documentPiece = holding("document");
        const share = profile.truncation.queryShare;
        this.queryMaxLength = share === undefined ? undefined : Math.floor(share * maxLength);
        const budget = profile.truncation.budget;
        this.counted = budget === "input" ? [0, this.pieces.length - 1] : [this.queryPiece, this.documentPiece];
        const fixedLength = (from: number, to: number) => {
            let length = 0;
            for (let i = from; i <= to; i++) {
                const piece = this.pieces[i]!;
                if ("tokens" in piece) length += piece.tokens.length;
            }
            return length;
        };
        const after = fixedLength(this.documentPiece + 1, this.pieces.length - 1);
        this.tailLength = budget === "query-to-document+tail" ? after : 0;
        const before = fixedLength(0, this.queryPiece - 1);
        this.maxSequenceLength = budget === "input" ? maxLength : before + maxLength + this.tailLength + after;
        const fixedCounted = this.bos.length + fixedLength(this.counted[0], this.counted[1]);
        if (fixedCounted >= maxLength + this.tailLength)
            throw new InvalidArgumentError(`maxLength ${maxLength} leaves no room inside the ${profile.name} template`);
    }

    private prepare(text: string, field: "query" | "document"): string {
        const limit = this.profile.maxCharacters?.[field];
        if (limit !== undefined) text = firstCodePoints(text, limit);
        if (this.profile.stripWhitespace === true) text = stripPythonWhitespace(text);
        return text;
    }

    /** The piece's text for this pair, up to `end` items (the document's piece less its document: its head). */
    private textOf(items: TemplateItem[], query: string, passage: string, end = items.length): string {
        let text = "";
        for (let i = 0; i < end; i++) {
            const item = items[i]!;
            text += "text" in item ? item.text : item.field === "query" ? query : passage;
        }
        return this.profile.textNormalization === "NFC" ? text.normalize("NFC") : text;
    }

    textsToTokenize(rawQuery: string, rawPassage: string): TextRequest[] {
        const query = this.prepare(rawQuery, "query");
        const passage = this.prepare(rawPassage, "document");
        const requests: TextRequest[] = [];
        this.pieces.forEach((piece, i) => {
            if (!("items" in piece)) return;
            // build() compares counts with numbers up to the cap, maxLength + tailLength (a count
            // past it is refused whatever it is), and reads at most that many ids of a piece.
            const cap = this.maxLength + this.tailLength;
            if (i === this.documentPiece) {
                requests.push({ text: this.textOf(piece.items, query, passage), limit: cap });
                requests.push({ text: this.textOf(piece.items, query, passage, piece.items.length - 1), limit: cap });
            } else requests.push({ text: this.textOf(piece.items, query, passage), limit: this.queryMaxLength ?? cap });
        });
        return requests;
    }

    build(rawQuery: string, rawPassage: string, tokensOf: TokenLookup): Int32Array {
        const query = this.prepare(rawQuery, "query");
        const passage = this.prepare(rawPassage, "document");
        const parts: Int32Array[] = this.pieces.map((piece, i) => {
            if ("tokens" in piece || i === this.documentPiece) return "tokens" in piece ? piece.tokens : new Int32Array(0);
            const tokens = tokensOf(this.textOf(piece.items, query, passage));
            return i === this.queryPiece && this.queryMaxLength !== undefined ? tokens.subarray(0, this.queryMaxLength) : tokens;
        });
        let fixed = this.bos.length;
        for (let i = this.counted[0]; i <= this.counted[1]; i++) fixed += parts[i]!.length;
        const room = this.maxLength + this.tailLength - fixed;
        const items = (this.pieces[this.documentPiece] as { items: TemplateItem[] }).items;
        const documentText = this.textOf(items, query, passage);
        const documentTokens = tokensOf(documentText);
        if (documentTokens.length > room) {
            // The head's ids, less one: its last id may merge with the document's first characters.
            const headText = this.textOf(items, query, passage, items.length - 1);
            const headLength = Math.max(0, tokensOf(headText).length - 1);
            if (headLength >= room) {
                const partial = this.pieces.some(
                    (piece, i) => "items" in piece && i !== this.documentPiece && tokensOf.isPartial?.(this.textOf(piece.items, query, passage))
                );
                const atLeast = partial || tokensOf.isPartial?.(headText) ? " or more" : "";
                throw new InvalidArgumentError(
                    `the query, instruction and template take ${fixed + headLength} tokens${atLeast}; maxLength ${this.maxLength} leaves no room for the document in profile ${this.profile.name}`
                );
            }
        }
        parts[this.documentPiece] = documentTokens.subarray(0, Math.min(this.maxLength, room));
        return concatTokens([this.bos, ...parts]);
    }
}

/** The first `count` code points of text (Python's text[:count]); a surrogate pair is one code point. */
function firstCodePoints(text: string, count: number): string {
    if (text.length <= count) return text;
    let end = 0;
    for (let points = 0; points < count && end < text.length; points++) {
        const code = text.charCodeAt(end);
        end += code >= 0xd800 && code <= 0xdbff && end + 1 < text.length && (text.charCodeAt(end + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    }
    return text.slice(0, end);
}

/** Python's str.isspace() characters: JavaScript's trim() set differs (it strips \ufeff, keeps \x1c-\x1f and \x85). */
function isPythonWhitespace(code: number): boolean {
    return (
        (code >= 0x09 && code <= 0x0d) ||
        (code >= 0x1c && code <= 0x20) ||
        code === 0x85 ||
        code === 0xa0 ||
        code === 0x1680 ||
        (code >= 0x2000 && code <= 0x200a) ||
        code === 0x2028 ||
        code === 0x2029 ||
        code === 0x202f ||
        code === 0x205f ||
        code === 0x3000
    );
}

/** Python's str.strip() with no argument. */
export function stripPythonWhitespace(text: string): string {
    let start = 0;
    let end = text.length;
    while (start < end && isPythonWhitespace(text.charCodeAt(start))) start++;
    while (end > start && isPythonWhitespace(text.charCodeAt(end - 1))) end--;
    return start === 0 && end === text.length ? text : text.slice(start, end);
}
