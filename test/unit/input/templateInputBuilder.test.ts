import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import type { TokenLookup } from "../../../src/input/InputBuilder.js";
import { stripPythonWhitespace, TemplateInputBuilder } from "../../../src/input/TemplateInputBuilder.js";
import { templatePieces } from "../../../src/input/templatePieces.js";
import type { TemplateProfile } from "../../../src/profiles/ModelProfile.js";

// A character tokenizer (one id per UTF-16 unit) and one control token, "<s>" = 1000: enough to
// check the builder's arithmetic and its promise to TextTokenizer (the same result from a prefix
// of a text's ids longer than the limit it asked for).
const control = [{ text: "<s>", id: 1000 }];
const ids = (text: string) => Int32Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));

function builder(overrides: Partial<TemplateProfile>, maxLength: number, instruction = "") {
    const profile: TemplateProfile = {
        name: "test",
        description: "",
        architectures: ["qwen3"],
        nameHints: [],
        format: "template",
        template: ["<s>sys:", "Q: {query}", "|", "D: {document}", "<s>end"],
        tokenize: "parts",
        truncation: { budget: "input" },
        prompt: "",
        maxLength,
        score: { kind: "logit", token: "Yes" },
        normalize: "none",
        ...overrides
    };
    const pieces = templatePieces(profile, instruction, control, "test");
    const fixed = new Map<number, Int32Array>();
    pieces.forEach((piece, i) => {
        if ("items" in piece && !piece.items.some((item) => "field" in item))
            fixed.set(i, ids(piece.items.map((item) => ("text" in item ? item.text : "")).join("")));
    });
    return new TemplateInputBuilder(profile, maxLength, pieces, fixed, 1);
}

/** Builds with every text tokenized whole, and with each cut to its limit + 1 ids as TextTokenizer may. */
function buildBoth(b: TemplateInputBuilder, query: string, passage: string): [string, string] {
    const requests = b.textsToTokenize(query, passage);
    const whole: TokenLookup = (text) => ids(text);
    const limits = new Map(requests.map(({ text, limit }) => [text, limit]));
    const cut = (text: string) => {
        const limit = limits.get(text);
        if (limit === undefined) throw new Error(`build() read ${JSON.stringify(text)}, which textsToTokenize did not list`);
        return ids(text).subarray(0, limit + 1);
    };
    const partial: TokenLookup = Object.assign(cut, { isPartial: (text: string) => ids(text).length > limits.get(text)! + 1 });
    const run = (lookup: TokenLookup) => {
        try {
            return String.fromCharCode(...b.build(query, passage, lookup).map((id) => (id === 1000 ? 0x2022 : id)));
        } catch (error) {
            if (!(error instanceof InvalidArgumentError)) throw error;
            return "refused";
        }
    };
    return [run(whole), run(partial)];
}

describe("TemplateInputBuilder", () => {
    it('"input": the whole input fits maxLength, the document cut from its end', () => {
        const b = builder({}, 30);
        expect(buildBoth(b, "q", "x".repeat(100))[0]).toBe("•sys:Q: q|D: " + "x".repeat(13) + "•end");
        expect(buildBoth(b, "q", "xy")[0]).toBe("•sys:Q: q|D: xy•end");
        expect(buildBoth(b, "q".repeat(20), "xy")[0]).toBe("refused");
        expect(b.maxSequenceLength).toBe(30);
    });

    it('"query-to-document" counts the query through the document; "+tail" adds the ids after it; queryShare cuts the query', () => {
        const pair = builder({ truncation: { budget: "query-to-document", queryShare: 0.5 } }, 20);
        // query "Q: " + 30 q's cut to 10 ids; then "|" and the document fill the other 10
        expect(buildBoth(pair, "q".repeat(30), "x".repeat(50))[0]).toBe("•sys:Q: qqqqqqq|D: xxxxxx•end");
        const tail = builder({ truncation: { budget: "query-to-document+tail", queryShare: 0.5 } }, 20);
        expect(buildBoth(tail, "q".repeat(30), "x".repeat(50))[0]).toBe("•sys:Q: qqqqqqq|D: xxxxxxxxxx•end");
        expect(tail.maxSequenceLength).toBe(5 + 20 + 4 + 4);
    });

    it("gives the same input, or the same refusal, from texts cut past their limits", () => {
        const shapes: Partial<TemplateProfile>[] = [
            {},
            { truncation: { budget: "query-to-document" } },
            { truncation: { budget: "query-to-document+tail" } },
            { truncation: { budget: "query-to-document+tail", queryShare: 0.75 } },
            { template: ["<s>sys:", "Q: {query}", "|", "D: {document}", "<s>the end of this template"], truncation: { budget: "query-to-document+tail" } },
            { template: "<s>sys:Q: {query}<s>D: {document}<s>end", tokenize: "joined" },
            { template: ["<s>{instruction}Q: {query} D: {document}", "<s>end"], truncation: { budget: "input" } }
        ];
        for (const shape of shapes)
            for (const maxLength of [14, 20, 33])
                for (const q of [0, 3, 12, 40])
                    for (const d of [0, 5, 19, 60]) {
                        const [whole, partial] = buildBoth(builder(shape, maxLength, "do"), "q".repeat(q), "x".repeat(d));
                        expect(partial, JSON.stringify({ shape, maxLength, q, d })).toBe(whole);
                        if (whole !== "refused" && !shape.truncation?.budget.includes("query")) expect(whole.length).toBeLessThanOrEqual(maxLength);
                    }
    });

    it("cuts characters as Python slices code points, then strips as str.strip()", () => {
        const b = builder({ maxCharacters: { query: 3, document: 4 }, stripWhitespace: true }, 100);
        // " 🦙ab"[:3] is " 🦙a" (the llama is one code point, two UTF-16 units); "\x1cxy\x85 z"[:4] is "\x1cxy\x85"
        expect(buildBoth(b, " 🦙ab", "\x1cxy\u0085 z")[0]).toBe("•sys:Q: 🦙a|D: xy•end");
    });

    it("strips Python's white space: \\x1c-\\x1f and \\x85 too, \\ufeff not", () => {
        expect(stripPythonWhitespace("\x1c\x1f\x85\u3000 a b\t\n\u2029")).toBe("a b");
        expect(stripPythonWhitespace("\ufeffa\ufeff")).toBe("\ufeffa\ufeff");
        expect(stripPythonWhitespace(" \n ")).toBe("");
    });

    it("puts the instruction template in only for a non-empty instruction", () => {
        const shape: Partial<TemplateProfile> = { template: ["<s>", "{instruction}Q: {query}", "|D: {document}"], instructionTemplate: "I: {instruction}/" };
        expect(buildBoth(builder(shape, 100, "find"), "q", "d")[0]).toBe("•I: find/Q: q|D: d");
        expect(buildBoth(builder(shape, 100, ""), "q", "d")[0]).toBe("•Q: q|D: d");
    });
});
