import { describe, expect, it } from "vitest";
import { AbortedError, InvalidArgumentError } from "../../../src/errors/errors.js";
import { EncoderPairInputBuilder } from "../../../src/input/EncoderPairInputBuilder.js";
import { FlagEmbeddingInputBuilder } from "../../../src/input/FlagEmbeddingInputBuilder.js";
import { PassageWindower, type WindowSettings } from "../../../src/input/PassageWindower.js";
import { TextTokenizer } from "../../../src/input/TextTokenizer.js";
import type { AddonModel } from "../../../src/native/AddonTypes.js";
import { getProfile } from "../../../src/profiles/loadProfiles.js";
import type { FlagEmbeddingProfile } from "../../../src/profiles/ModelProfile.js";
import type { PassageWindow } from "../../../src/RerankerOptions.js";

// The window planner without a model: a tokenizer with one token per UTF-16 unit (every cut is
// exact, every count is a length), the real FlagEmbedding builder (maxLength 64, prompt "Yes?"),
// so every expectation below is arithmetic on the text, independent of the planner.

const charTokens = { tokenize: async (texts: string[]) => texts.map((text) => Int32Array.from(text, (unit) => unit.charCodeAt(0))) };
const splitRule = { family: "sentencepiece-bpe" as const, maxTokenChars: 2 };
const maxLength = 64;
const query = "q";

async function windower(options: { splitRule?: boolean } = {}) {
    const tokenizer = await TextTokenizer.create(charTokens as unknown as AddonModel, {
        cacheEntries: 100,
        matchHfSpaceRuns: false,
        userDefinedLiterals: [],
        splitRule: options.splitRule === false ? undefined : splitRule
    });
    const profile = getProfile("bge-reranker-v2-gemma") as FlagEmbeddingProfile;
    const builder = new FlagEmbeddingInputBuilder(2, profile, maxLength, await tokenizer.tokenize("Yes?"), await tokenizer.tokenize("\n"));
    return { planner: new PassageWindower(tokenizer, builder, profile.name, () => "no rule for this test"), builder, profile };
}

// [bos] + "A: q" (4) + sep: the passage piece "B: " + window may take min(64, 64 + |"Yes?"| - 1 - 4) = 63.
const room = 63;
const lead = "B: ";
const defaults: WindowSettings = { windowTokens: undefined, windowOverlap: undefined };

/** Words of 3 to 7 letters, one space apart, with a comma now and then (a space that is no cut point). */
function passageOf(words: number): string {
    return Array.from({ length: words }, (_, i) => "abcdefg".slice(0, 3 + ((i * 5) % 5)) + (i % 7 === 6 ? "," : "")).join(" ");
}

/** The cut points of the rule: a space between two ASCII letters. */
function isCut(text: string, c: number): boolean {
    return /[A-Za-z]/.test(text[c - 1] ?? "") && text[c] === " " && /[A-Za-z]/.test(text[c + 1] ?? "");
}

function checkWindows(passage: string, windows: PassageWindow[], windowTokens: number, overlap: number) {
    expect(windows[0]!.start).toBe(0);
    expect(windows.at(-1)!.end).toBe(passage.length);
    windows.forEach((window, k) => {
        expect(window).toMatchObject({ index: k, count: windows.length });
        // Character tokens: token offsets are character offsets, from the space before the first word.
        expect(window.tokenEnd).toBe(window.end);
        expect(window.tokenStart).toBe(k === 0 ? 0 : window.start - 1);
        if (k > 0) expect(isCut(passage, window.start - 1)).toBe(true);
        if (window.end < passage.length) expect(isCut(passage, window.end)).toBe(true);
        const fits = (end: number) => lead.length + end - window.start <= room && end - window.tokenStart <= windowTokens;
        expect(fits(window.end)).toBe(true);
        // As long as it may be: the next cut point would not fit.
        if (window.end < passage.length) {
            let next = window.end + 1;
            while (next < passage.length && !isCut(passage, next)) next++;
            expect(fits(next)).toBe(false);
        }
        if (k === 0) return;
        const before = windows[k - 1]!;
        expect(window.start).toBeGreaterThan(before.start);
        // At least `overlap` shared, unless that would not move past the previous window's first word:
        // then the window starts at its second word.
        let secondWord = before.start + 1;
        while (!isCut(passage, secondWord)) secondWord++;
        if (before.tokenEnd - window.tokenStart < overlap) expect(window.tokenStart).toBe(secondWord);
        else {
            // The latest such start: a start one word later would share less.
            let laterCut = window.start + 1;
            while (laterCut < before.end && !isCut(passage, laterCut)) laterCut++;
            if (laterCut < before.end) expect(before.tokenEnd - laterCut).toBeLessThan(overlap);
        }
    });
}

describe("PassageWindower", () => {
    it("keeps a passage that fits as one window", async () => {
        const { planner } = await windower();
        const passage = passageOf(8);
        const [windows] = await planner.plan([[query, passage]], defaults, undefined);
        expect(windows).toEqual([{ start: 0, end: passage.length, tokenStart: 0, tokenEnd: passage.length, index: 0, count: 1 }]);
    });

    it("cuts a long passage into maximal windows at cut points that the builder keeps whole", async () => {
        const { planner, builder, profile } = await windower();
        const passage = passageOf(200);
        const [windows] = await planner.plan([[query, passage]], defaults, undefined);
        const size = room - lead.length;
        checkWindows(passage, windows!, size, Math.floor(size / 4));
        for (const window of windows!) {
            const text = passage.slice(window.start, window.end);
            const tokensOf = (t: string) => Int32Array.from(t, (unit) => unit.charCodeAt(0));
            const built = builder.build(query, text, tokensOf);
            // Nothing cut: the input ends with the whole window, the separator and the prompt.
            expect(String.fromCharCode(...built.slice(-(text.length + lead.length + 5), -5))).toBe(profile.passagePrefix + text);
        }
    });

    it("honours windowTokens and windowOverlap", async () => {
        const { planner } = await windower();
        const passage = passageOf(120);
        for (const settings of [
            { windowTokens: 20, windowOverlap: 0 },
            { windowTokens: 20, windowOverlap: 9 },
            { windowTokens: 33, windowOverlap: 16 }
        ]) {
            const [windows] = await planner.plan([[query, passage]], settings, undefined);
            checkWindows(passage, windows!, settings.windowTokens, settings.windowOverlap);
        }
    });

    it("refuses what it cannot do with an InvalidArgumentError", async () => {
        const { planner } = await windower();
        const passage = passageOf(120);
        const refusals: [WindowSettings, string, RegExp][] = [
            [{ windowTokens: 61, windowOverlap: undefined }, passage, /windowTokens 61 does not fit: .* at most 60 tokens/],
            [{ windowTokens: 20, windowOverlap: 20 }, passage, /windowOverlap 20 must be less than the window size, 20 tokens/],
            [defaults, `abc ${"x".repeat(70)} abc ${passage}`, /passages\[0\] has a stretch of .* no cut point/]
        ];
        for (const [settings, text, message] of refusals) await expect(planner.plan([[query, text]], settings, undefined)).rejects.toThrow(message);
        const noRule = (await windower({ splitRule: false })).planner;
        await expect(noRule.plan([[query, passage]], defaults, undefined)).rejects.toThrow(/no proven cut points \(no rule for this test\)/);
        const tokenizer = await TextTokenizer.create(charTokens as unknown as AddonModel, {
            cacheEntries: 0,
            matchHfSpaceRuns: false,
            userDefinedLiterals: [],
            splitRule
        });
        const encoder = new PassageWindower(
            tokenizer,
            new EncoderPairInputBuilder({ start: 0, pairSeparator: [2, 2], end: 2 }, 64),
            "bge-reranker-v2-m3",
            () => ""
        );
        await expect(encoder.plan([[query, passage]], defaults, undefined)).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("stops with an AbortedError when the signal has fired", async () => {
        const { planner } = await windower();
        await expect(planner.plan([[query, passageOf(120)]], defaults, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    });
});
