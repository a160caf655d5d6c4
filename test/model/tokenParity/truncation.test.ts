import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { testModels } from "../../helpers/testModels.js";
import { flagEmbeddingDefaults, flagEmbeddingInput, hfBosTokenId, hfEncode } from "../../reference/flagEmbeddingInput.js";

// Token counts come from the HF tokenizer alone; every expectation below is worked out from them
// with FlagEmbedding's rules, written out again here rather than taken from the reference module:
//   query   = tok("A: " + q)[:⌊3/4·N⌋]
//   passage = tok("B: " + p)[:N], then cut from its end until bos+query+sep+passage ≤ N+|sep|+|prompt|
//   input   = bos + query + sep + passage + sep + prompt

// Each is one Gemma token with its leading space, so "A: " + k words is exactly k + 2 tokens.
const words = ["apple", "river", "green", "house", "music", "light", "table", "water", "stone", "cloud"];
const separator = hfEncode("\n");

/** A text that prefix + text tokenizes to exactly `count` HF tokens (count ≥ 3). */
function textOfTokens(prefix: "A: " | "B: ", count: number): string {
    const text = Array.from({ length: count - 2 }, (_, i) => words[i % words.length]).join(" ");
    const actual = hfEncode(prefix + text).length;
    if (actual !== count) throw new Error(`"${prefix}${text.slice(0, 40)}…" is ${actual} HF tokens, not ${count}`);
    return text;
}

type Limits = { maxLength: number; prompt: string };

function expectedShape(limits: Limits, query: string, passage: string) {
    const queryIds = hfEncode(`A: ${query}`);
    const passageIds = hfEncode(`B: ${passage}`);
    const promptIds = hfEncode(limits.prompt);
    const queryKept = Math.min(queryIds.length, Math.floor((limits.maxLength * 3) / 4));
    const passageBeforePairCut = Math.min(passageIds.length, limits.maxLength);
    const pairMaxLength = limits.maxLength + separator.length + promptIds.length;
    const excess = 1 + queryKept + separator.length + passageBeforePairCut - pairMaxLength;
    const passageKept = passageBeforePairCut - Math.max(0, excess);
    return {
        query: queryIds.slice(0, queryKept),
        passage: passageIds.slice(0, passageKept),
        tail: [...separator, ...promptIds],
        pairLength: 1 + queryKept + separator.length + passageKept,
        pairMaxLength,
        pairCut: excess > 0
    };
}

const shortPrompt = "Yes?"; // 2 tokens: the pair limit bites even at tiny maxLength
const longerPrompt = "Relevant? Answer Yes or No."; // 7 tokens: a passage at its budget fits the pair limit

describe.each<Limits>([
    { maxLength: 7, prompt: shortPrompt },
    { maxLength: 7, prompt: longerPrompt },
    { maxLength: 13, prompt: shortPrompt },
    { maxLength: 13, prompt: longerPrompt },
    { maxLength: 16, prompt: shortPrompt },
    { maxLength: 16, prompt: longerPrompt },
    { maxLength: 64, prompt: flagEmbeddingDefaults.prompt },
    { maxLength: 512, prompt: flagEmbeddingDefaults.prompt }
])("maxLength $maxLength, prompt $prompt", (limits) => {
    const queryMaxLength = Math.floor((limits.maxLength * 3) / 4);
    const promptLength = hfEncode(limits.prompt).length;
    let reranker: Reranker;

    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, ...limits });
    });
    afterAll(() => reranker.dispose());

    /** Checks one pair against the reference and the rules above; returns the expected shape. */
    async function check(query: string, passage: string) {
        const ours = await reranker.buildInput(query, passage);
        const expected = expectedShape(limits, query, passage);
        expect(ours).toEqual(flagEmbeddingInput(query, passage, limits));
        expect(ours).toEqual([hfBosTokenId(), ...expected.query, ...separator, ...expected.passage, ...expected.tail]);
        expect(ours.length - expected.tail.length).toBe(expected.pairLength);
        expect(expected.pairLength).toBeLessThanOrEqual(expected.pairMaxLength);
        return { ours, ...expected };
    }

    it("keeps a query of exactly ⌊3/4·maxLength⌋ tokens whole and cuts one token over back to it", async () => {
        const shortPassage = textOfTokens("B: ", 3);
        const atLimit = await check(textOfTokens("A: ", queryMaxLength), shortPassage);
        const over = await check(textOfTokens("A: ", queryMaxLength + 1), shortPassage);
        expect(atLimit.query).toHaveLength(queryMaxLength);
        expect(over.query).toEqual(atLimit.query);
        expect(over.pairCut).toBe(false);
        expect(over.ours).toEqual(atLimit.ours);
    });

    it("keeps a passage of exactly maxLength tokens and cuts one token over back to it (before any pair cut)", async () => {
        const shortQuery = textOfTokens("A: ", 3);
        const atLimit = await check(shortQuery, textOfTokens("B: ", limits.maxLength));
        const over = await check(shortQuery, textOfTokens("B: ", limits.maxLength + 1));
        expect(over.ours).toEqual(atLimit.ours);
        // bos + 3 + sep + maxLength ≤ maxLength + sep + prompt when the prompt has 4 tokens or more
        expect(atLimit.pairCut).toBe(promptLength < 4);
        if (!atLimit.pairCut) expect(atLimit.passage).toHaveLength(limits.maxLength);
    });

    it("cuts the pair on the passage side only, to exactly maxLength + |sep| + |prompt|, sep + prompt last", async () => {
        const fullQuery = textOfTokens("A: ", queryMaxLength + 3);
        const fitLength = limits.maxLength + promptLength - 1 - queryMaxLength; // passage tokens that just fit
        const lengths = [fitLength - 1, fitLength, fitLength + 1, limits.maxLength + 1, limits.maxLength + 40].filter((n) => n >= 3);
        const cuts: boolean[] = [];
        for (const n of lengths) {
            const result = await check(fullQuery, textOfTokens("B: ", n));
            expect(result.query).toHaveLength(queryMaxLength);
            expect(result.ours.slice(1, 1 + queryMaxLength + separator.length)).toEqual([
                ...hfEncode(`A: ${fullQuery}`).slice(0, queryMaxLength),
                ...separator
            ]);
            expect(result.ours.slice(-result.tail.length)).toEqual(result.tail);
            if (Math.min(n, limits.maxLength) >= fitLength) expect(result.pairLength).toBe(result.pairMaxLength);
            cuts.push(result.pairCut);
        }
        expect(cuts).toEqual(lengths.map((n) => Math.min(n, limits.maxLength) > fitLength));
        // with a long prompt and a tiny maxLength even the longest pair fits: nothing to cut
        expect(cuts.includes(true)).toBe(limits.maxLength > fitLength);
    });
});

describe("a cut inside a character", () => {
    // "B: " + 𝔘𝔘𝔘 is B, :, ▁ and four byte tokens (<0xF0><0x9D><0x94><0x98>) per 𝔘: 15 tokens.
    const passage = "\u{1D518}".repeat(3);

    it.each([
        ["the passage budget", { maxLength: 13, prompt: longerPrompt }, "x", false],
        ["the pair limit", { maxLength: 13, prompt: shortPrompt }, "x y", true]
    ] as const)("by %s falls between the byte tokens of one character, as HF's does", async (_name, limits, query, pairCut) => {
        expect(hfEncode(`B: ${passage}`)).toHaveLength(15);
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, ...limits });
        try {
            const ours = await reranker.buildInput(query, passage);
            const expected = expectedShape(limits, query, passage);
            expect(ours).toEqual(flagEmbeddingInput(query, passage, limits));
            expect(ours.slice(1 + expected.query.length + 1, ours.length - expected.tail.length)).toEqual(expected.passage);
            expect(expected.pairCut).toBe(pairCut);
            expect((expected.passage.length - 3) % 4).not.toBe(0); // not a whole number of 𝔘s
            expect(expected.passage.at(-1)).toBeGreaterThanOrEqual(217); // a byte token: <0x00> is 217 …
            expect(expected.passage.at(-1)).toBeLessThanOrEqual(472); // … and <0xFF> is 472
        } finally {
            await reranker.dispose();
        }
    });
});

describe("the smallest limits", () => {
    it.each([1, 2, 3, 4])("maxLength %i builds what FlagEmbedding builds, with an empty and a short prompt", async (maxLength) => {
        for (const prompt of ["", shortPrompt]) {
            const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, maxLength, prompt });
            try {
                for (const [query, passage] of [
                    ["What is it?", "It is a long passage about apples."],
                    ["", ""],
                    ["x", "y"]
                ] as const) {
                    expect(await reranker.buildInput(query, passage)).toEqual(flagEmbeddingInput(query, passage, { maxLength, prompt }));
                }
            } finally {
                await reranker.dispose();
            }
        }
    });
});
