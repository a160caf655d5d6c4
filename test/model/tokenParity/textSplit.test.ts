import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError } from "../../../src/errors/AbortedError.js";
import { inspectModelFile } from "../../../src/gguf/inspectModelFile.js";
import { Reranker } from "../../../src/index.js";
import type { InputBuilder } from "../../../src/input/InputBuilder.js";
import { PairEncoder } from "../../../src/input/PairEncoder.js";
import { relabelledUserDefinedTokens } from "../../../src/input/relabelledUserDefinedTokens.js";
import { TextTokenizer, type TextTokenizerOptions } from "../../../src/input/TextTokenizer.js";
import { textSplitRuleFor } from "../../../src/input/textSplitRule.js";
import type { AddonModel } from "../../../src/native/AddonTypes.js";
import { ensureBertTinyModel } from "../../bert/bertTestModel.js";
import { testModels } from "../../helpers/testModels.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";

// The cut (TextTokenizer with a split rule, src/input/textSplitRule.ts) against the same builder fed
// by an uncut tokenizer, which hands llama.cpp every text whole as before: the scored ids must be
// identical, and a text must tokenize the same in chunks as whole.

/** The reranker's own model and builder; white-box, so that only the tokenizer differs. */
type Internals = { model: AddonModel; encoder: PairEncoder };
const internals = (reranker: Reranker) => reranker as unknown as Internals;

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const words = ["apple", "river", "green", "house", "music", "light", "table", "water", "stone", "cloud", "Paris", "is", "a", "I"];
const fragments = [
    ...words,
    " ".repeat(2),
    " ".repeat(31),
    " ".repeat(33),
    " ".repeat(70),
    "\t",
    "\n\n\n",
    "\r\n",
    "😀",
    "👩‍👩‍👧",
    "\u{20000}",
    "\u{E000}",
    "\u0001",
    "\uFFFD",
    "e\u0301",
    "東京都の天気",
    "Привет",
    "</s>",
    "<bos>",
    "<start_of_turn>",
    "<table>",
    "<think>",
    "<|im_start|>",
    "'s",
    "'ll",
    "123456",
    "?!",
    "▁",
    "Ġ",
    "a\u2581b"
];

/** A long text mixing words (so there are split points) with every pathological fragment above. */
function mixedText(seed: number, length: number): string {
    const next = random(seed);
    let text = "";
    while (text.length < length) {
        const r = next();
        text += r < 0.55 ? ` ${words[Math.floor(next() * words.length)]}` : fragments[Math.floor(next() * fragments.length)];
    }
    return text;
}

const prose = (count: number) => Array.from({ length: count }, (_, i) => words[(i * 7) % words.length]).join(" ");
/** Every split point of the prose next to a fragment: a literal, a space run, a surrogate pair or a byte-fallback character. */
const pathological: Record<string, string> = {
    prose: prose(8_000),
    "long space runs": Array.from({ length: 600 }, (_, i) => `word${" ".repeat(1 + (i % 70))}next word`).join(""),
    "surrogate pairs at split points": Array.from({ length: 2_000 }, (_, i) => (i % 2 ? "a😀 b 😀c d" : "😀ab cd😀")).join(""),
    "lone surrogates": Array.from({ length: 2_000 }, (_, i) => (i % 3 ? "ab cd\uD83D" : "\uDE00x y")).join(""),
    "literals straddling split points": Array.from(
        { length: 1_500 },
        (_, i) => ["ab</s> cd", "x </s>y z", "<start_of_turn>user ok", "a<think>b c</think>", "<table> td"][i % 5]
    ).join(""),
    "byte fallback": Array.from({ length: 2_000 }, (_, i) => `w\u{E000}${i % 2 ? "\u0001" : "\u{10FFFD}"}x y`).join(""),
    "combining marks": Array.from({ length: 3_000 }, () => "cafe\u0301 re\u0301sume\u0301").join(" "),
    "no split point (CJK)": "東京都の天気は晴れです。".repeat(1_500),
    "no split point (one letter)": "a".repeat(20_000),
    "newline runs": Array.from({ length: 2_000 }, (_, i) => `ab${"\n".repeat(1 + (i % 40))}cd ef`).join("")
};
const mixed = Array.from({ length: 8 }, (_, i) => mixedText(100 + i, 5_000 + i * 4_000));
const longTexts = [...Object.values(pathological), ...mixed];

const models = [
    { name: "Gemma (SentencePiece BPE)", path: async () => testModels.tiny, maxLength: 48, hasRule: true },
    { name: "Qwen3 (byte-level BPE)", path: ensureQwen3TinyModel, maxLength: 96, hasRule: true },
    { name: "bert/XLM-R (Unigram)", path: ensureBertTinyModel, maxLength: 48, hasRule: false }
];

describe.each(models)("$name", ({ path, maxLength, hasRule }) => {
    let reranker: Reranker;
    let model: AddonModel;
    let builder: InputBuilder;
    let options: TextTokenizerOptions;
    /** Every text whole, one native job: the code before the cut. */
    let uncut: PairEncoder;
    /** Chunks of at most 64 code units to the nearest split point: a text is cut at almost every one. */
    let fine: PairEncoder;
    let fineTokenizer: TextTokenizer;
    let uncutTokenizer: TextTokenizer;

    beforeAll(async () => {
        const modelPath = await path();
        reranker = await Reranker.load({ model: modelPath, gpu: false, threads: 1, maxLength });
        ({ model } = internals(reranker));
        builder = internals(reranker).encoder.builder;
        const summary = await inspectModelFile(modelPath);
        options = {
            cacheEntries: 0,
            matchHfSpaceRuns: summary.architecture === "gemma",
            userDefinedLiterals: await relabelledUserDefinedTokens(summary, model, model.describe()),
            splitRule: textSplitRuleFor(summary).rule
        };
        uncutTokenizer = await TextTokenizer.create(model, { ...options, splitRule: undefined });
        fineTokenizer = await TextTokenizer.create(model, { ...options, jobChars: 64 });
        uncut = new PairEncoder(uncutTokenizer, builder);
        fine = new PairEncoder(fineTokenizer, builder);
    }, 120_000);
    afterAll(() => reranker?.dispose());

    it(hasRule ? "has a split rule" : "has no split rule: texts are tokenized whole", () => {
        expect(options.splitRule !== undefined).toBe(hasRule);
    });

    it("tokenizes every long text in chunks exactly as whole", async () => {
        for (const text of longTexts) {
            const [whole, chunked] = [await uncutTokenizer.tokenize(text), await fineTokenizer.tokenize(text)];
            expect(Array.from(chunked), JSON.stringify(text.slice(0, 60))).toEqual(Array.from(whole));
        }
    }, 120_000);

    /** Both encoders' outcome for one pair: the ids, or the error's class. */
    async function outcome(encoder: PairEncoder | Reranker, query: string, passage: string): Promise<number[] | string> {
        try {
            return encoder instanceof Reranker ? await encoder.buildInput(query, passage) : Array.from((await encoder.encode([[query, passage]]))[0]!);
        } catch (error) {
            return (error as Error).constructor.name;
        }
    }

    it("scores identical ids with and without the cut: corpus and long texts, as query and as passage", async () => {
        const short = "What is the capital of France?";
        const pairs: [string, string][] = [];
        for (const { text } of corpusTexts) pairs.push([short, text], [text, short]);
        for (const text of longTexts) pairs.push([short, text], [text, short], [text, text]);
        for (let i = 0; i < longTexts.length; i++) pairs.push([longTexts[i]!, longTexts[(i + 3) % longTexts.length]!]);
        const mismatches: string[] = [];
        let cut = 0;
        for (const [query, passage] of pairs) {
            const reference = await outcome(uncut, query, passage);
            const candidates = [await outcome(reranker, query, passage), await outcome(fine, query, passage)];
            if (candidates.some((ids) => JSON.stringify(ids) !== JSON.stringify(reference))) mismatches.push(`${query.slice(0, 40)} | ${passage.slice(0, 40)}`);
            if (typeof reference !== "string") cut++;
        }
        expect(mismatches).toEqual([]);
        expect(cut).toBeGreaterThan(pairs.length / 2);
    }, 300_000);

    it("hands llama.cpp a bounded prefix of a 5 MB query (counted on a fake model)", async () => {
        let chars = 0;
        const counting = {
            tokenize: (texts: string[], parseSpecial: boolean) => {
                chars += texts.reduce((sum, text) => sum + text.length, 0);
                return model.tokenize(texts, parseSpecial);
            }
        } as AddonModel;
        const encoder = new PairEncoder(await TextTokenizer.create(counting, options), builder);
        // without a rule the text goes whole: 100 kB shows that without tokenizing 5 MB
        const length = hasRule ? 5_000_000 : 100_000;
        const query = prose(900_000).slice(0, length);
        expect(query.length).toBe(length);
        chars = 0;
        const result = await outcome(encoder, query, "Paris is the capital of France.");
        if (hasRule) {
            // the first chunk of each text: 8 code units per token of the limit, to the next split point
            expect(chars).toBeLessThan(4 * 8 * (maxLength + 1) + 1_000);
            expect(result).toEqual(await outcome(encoder, query.slice(0, 50_000), "Paris is the capital of France."));
        } else expect(chars).toBeGreaterThanOrEqual(length);
    }, 120_000);
});

describe("cancellation while tokenizing", () => {
    let reranker: Reranker;

    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, threads: 1, maxLength: 48 });
    });
    afterAll(() => reranker?.dispose());

    it("stops between native jobs with an AbortedError, and the tokenizer stays usable", async () => {
        const { model, encoder } = internals(reranker);
        const summary = await inspectModelFile(testModels.tiny);
        const controller = new AbortController();
        let jobs = 0;
        let armed = false;
        const aborting = {
            tokenize: async (texts: string[], parseSpecial: boolean) => {
                jobs++;
                const ids = await model.tokenize(texts, parseSpecial);
                if (armed) controller.abort();
                return ids;
            }
        } as AddonModel;
        const tokenizer = await TextTokenizer.create(aborting, {
            cacheEntries: 100,
            matchHfSpaceRuns: true,
            userDefinedLiterals: [],
            splitRule: textSplitRuleFor(summary).rule,
            jobChars: 1_000
        });
        jobs = 0;
        armed = true;
        // 3 MB in all, without a limit: 3,000 jobs of 1,000 code units if nothing stopped it
        const texts = Array.from({ length: 3 }, (_, i) => ({ text: `${i} ${prose(200_000)}`.slice(0, 1_000_000) }));
        await expect(tokenizer.tokenizeAll(texts, controller.signal)).rejects.toBeInstanceOf(AbortedError);
        expect(jobs).toBe(1);
        const pairEncoder = new PairEncoder(tokenizer, encoder.builder);
        await expect(pairEncoder.encode([["q", "p"]], controller.signal)).rejects.toBeInstanceOf(AbortedError);
        expect(jobs).toBe(1);
        armed = false;
        expect(await pairEncoder.encode([["q", "p"]])).toEqual(await encoder.encode([["q", "p"]]));
    });

    it("rejects a score call whose signal fires during tokenization; the reranker stays usable", async () => {
        const controller = new AbortController();
        controller.abort();
        const passage = prose(100_000);
        await expect(reranker.score([["q", passage]], { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
        const [score] = await reranker.score([["q", passage]]);
        expect(Number.isFinite(score)).toBe(true);
    });
});
