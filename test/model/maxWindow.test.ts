import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, InvalidArgumentError, Reranker, type PassageWindows, type RerankerLoadOptions } from "../../src/index.js";
import { ensureBertTinyModel } from "../bert/bertTestModel.js";
import { ensureQwen3TinyModel } from "../qwen3/qwen3TestModel.js";
import { lastUsage } from "../helpers/lastUsage.js";
import { testModels } from "../helpers/testModels.js";
import { send } from "../server/httpClient.js";
import { startServer } from "../server/serverFixture.js";
import { packingTolerance } from "../helpers/packingTolerance.js";

// The packing tolerance test/model/scoring.test.ts derives: a sequence scored among others in one
// decode differs from the same sequence scored alone only by the order of float reductions (at
// most 5.4e-6 measured there); a window read from the wrong slot or cut at the wrong token moves a
// score by ~0.1.

const query = "how do tides work?";

/**
 * A long passage in several registers: words split by single spaces (cut points), punctuation and
 * digits (spaces that are not cut points), a decomposed "é" (NFC composes it for Qwen3), a run of
 * spaces. Deterministic: a linear congruential generator picks the words.
 */
function longPassage(words: number): string {
    const vocabulary = (
        "the moon pulls on oceans and tides rise twice each day while the sun adds spring tides at new moon " +
        "bananas are yellow fruit grown in warm places harbour pilots read tables of high water cafe\u0301 naïve"
    ).split(" ");
    let state = 12345;
    const parts: string[] = [];
    for (let i = 0; i < words; i++) {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        let word = vocabulary[state % vocabulary.length]!;
        if (i % 17 === 16) word += ",";
        if (i % 41 === 40) word += ". 1995 -";
        if (i % 97 === 96) word += "   ";
        parts.push(word);
    }
    return parts.join(" ");
}

/** surfaces: also through the CLI (a child process) and the server (HTTP on 127.0.0.1), on the reranker's own settings. */
type Case = { name: string; load: () => Promise<RerankerLoadOptions>; maxLength: number; surfaces: boolean };

const cases: Case[] = [
    // FlagEmbedding: maxLength bounds the passage's tokens.
    { name: "gemma (bge-reranker-v2-gemma)", load: async () => ({ model: testModels.tiny }), maxLength: 48, surfaces: true },
    // Qwen3-Reranker: maxLength bounds the whole input, the template's ~70 tokens included.
    { name: "qwen3 (qwen3-reranker)", load: async () => ({ model: await ensureQwen3TinyModel() }), maxLength: 160, surfaces: false }
];

describe.each(cases)("overflow max-window on $name", ({ load, maxLength, surfaces }) => {
    let reranker: Reranker;
    let wide: Reranker;
    let passage: string;
    let windowed: PassageWindows[];
    let results: Awaited<ReturnType<Reranker["rerank"]>>;
    const usage = lastUsage();
    const progress: { done: number; total: number }[] = [];

    beforeAll(async () => {
        const base = { ...(await load()), gpu: false as const, threads: 1, onWarning: () => undefined };
        // The CLI's settings (threads 1, default slots and batch): the same decodes, the same scores.
        reranker = await Reranker.load({ ...base, maxLength });
        // The same model with room for any window whole: what a window's input is when nothing can cut it.
        wide = await Reranker.load({ ...base, maxLength: 4096, slots: 1 });
        passage = longPassage(maxLength * 8);
        results = await reranker.rerank(query, [passage, "Spring tides happen at new and full moon."], {
            overflow: "max-window",
            onWindows: (passages) => (windowed = passages),
            onUsage: usage.onUsage,
            onProgress: (step) => progress.push(step)
        });
    });
    afterAll(async () => {
        await reranker?.dispose();
        await wide?.dispose();
    });

    it("cuts a passage 10× longer than maxLength into overlapping windows that cover it, each kept whole", async () => {
        const { windows } = windowed[0]!;
        expect(windows.at(-1)!.tokenEnd).toBeGreaterThanOrEqual(10 * maxLength);
        expect(windows[0]!.start).toBe(0);
        expect(windows[0]!.tokenStart).toBe(0);
        expect(windows.at(-1)!.end).toBe(passage.length);
        windows.forEach((window, k) => {
            expect(window).toMatchObject({ index: k, count: windows.length });
            if (k === 0) return;
            const before = windows[k - 1]!;
            // Each window starts at a word after the previous one's start and before its end.
            expect(window.start).toBeGreaterThan(before.start);
            expect(window.start).toBeLessThan(before.end);
            expect(window.tokenStart).toBeLessThan(before.tokenEnd);
            expect(passage[window.start - 1]).toBe(" ");
            expect(passage.slice(window.start - 2, window.start + 1)).toMatch(/^[A-Za-z] [A-Za-z]$/);
        });
        // Nothing of a window is cut: its input is the one a budget too large to cut anything gives.
        for (const window of windows) {
            const text = passage.slice(window.start, window.end);
            expect(await reranker.buildInput(query, text)).toEqual(await wide.buildInput(query, text));
        }
    });

    it("gives each window the score of its text scored alone as a plain pair, and the passage the best one", async () => {
        const { windows, best } = windowed[0]!;
        let identical = 0;
        for (const window of windows) {
            const [alone] = await reranker.score([[query, passage.slice(window.start, window.end)]]);
            expect(Math.abs(window.score - alone!)).toBeLessThanOrEqual(packingTolerance);
            if (window.score === alone) identical++;
        }
        console.log(`${identical} of ${windows.length} windows bit-identical to the window scored alone`);
        const scores = windows.map((window) => window.score);
        expect(best).toBe(scores.indexOf(Math.max(...scores)));
        const result = results.find((r) => r.index === 0)!;
        expect(result.score).toBe(windows[best]!.score);
        const { score: _score, ...span } = windows[best]!;
        expect(result.window).toEqual(span);
        // A passage that fits is one window, its score the truncating call's.
        const short = results.find((r) => r.index === 1)!;
        expect(short.window).toMatchObject({ start: 0, end: short.passage.length, index: 0, count: 1 });
        const [plain] = await reranker.score([[query, short.passage]]);
        expect(Math.abs(short.score - plain!)).toBeLessThanOrEqual(packingTolerance);
    });

    it("counts windows in progress and usage", () => {
        const total = windowed.reduce((sum, { windows }) => sum + windows.length, 0);
        expect(progress.at(-1)).toEqual({ done: total, total });
        expect(progress.every((step) => step.total === total)).toBe(true);
        expect(usage.last).toMatchObject({ items: 2, windows: total });
        expect(usage.last.decodes).toBeGreaterThan(1);
    });

    it("honours windowTokens and windowOverlap, in tokens of the passage, also in scoreStream", async () => {
        // The first windows' worth of the passage: what the default cut into three windows.
        const defaults = windowed[0]!.windows;
        const head = passage.slice(0, defaults[2]!.end);
        let passages: PassageWindows[] = [];
        // Through scoreStream: its item carries the window its score comes from.
        const items = [];
        for await (const item of reranker.scoreStream([[query, head]], {
            overflow: "max-window",
            windowTokens: 24,
            windowOverlap: 6,
            onWindows: (p) => (passages = p)
        }))
            items.push(item);
        const { windows, best } = passages[0]!;
        const { score, ...span } = windows[best]!;
        expect(items).toEqual([{ index: 0, score, window: span }]);
        expect(windows.length).toBeGreaterThan(3);
        for (const window of windows) expect(window.tokenEnd - window.tokenStart).toBeLessThanOrEqual(24);
        for (let k = 1; k < windows.length; k++) expect(windows[k - 1]!.tokenEnd - windows[k]!.tokenStart).toBeGreaterThanOrEqual(6);
        // Offsets count the same tokens whatever the window size: the passage's own.
        expect(windows.at(-1)!.tokenEnd).toBe(defaults[2]!.tokenEnd);
    });

    it("stops mid-way with an AbortedError at a decode boundary, and stays usable", async () => {
        const controller = new AbortController();
        const steps: { done: number; total: number }[] = [];
        const stopped = lastUsage();
        const call = reranker.score([[query, passage.slice(0, windowed[0]!.windows[3]!.end)]], {
            overflow: "max-window",
            windowTokens: 24,
            signal: controller.signal,
            onUsage: stopped.onUsage,
            onProgress: (step) => {
                steps.push(step);
                if (step.done > 0) controller.abort();
            }
        });
        await expect(call).rejects.toBeInstanceOf(AbortedError);
        expect(steps.length).toBe(1);
        expect(steps[0]!.done).toBeLessThan(steps[0]!.total);
        expect(stopped.last.windows).toBe(steps[0]!.total);
        expect(await reranker.score([[query, "still here"]])).toHaveLength(1);
    });

    it("refuses bad window options with an InvalidArgumentError and stays usable", async () => {
        const bad: Record<string, unknown>[] = [
            { overflow: "sideways" },
            { overflow: "max-window", windowTokens: 0 },
            { overflow: "max-window", windowOverlap: -1 },
            { overflow: "max-window", windowTokens: 10, windowOverlap: 10 },
            { windowTokens: 10 },
            { overflow: "max-window", windowTokens: 100_000 },
            { overflow: "max-window", windowOverlap: 100_000 }
        ];
        for (const options of bad) await expect(reranker.score([[query, passage]], options)).rejects.toBeInstanceOf(InvalidArgumentError);
        // A stretch longer than a window with no cut point (no space between two ASCII letters) cannot be cut exactly.
        const unbroken = `tides ${"潮汐是由月球引起的".repeat(40)} tides`;
        const refused = reranker.score([[query, unbroken]], { overflow: "max-window" });
        await expect(refused).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(refused).rejects.toThrow(/no cut point/);
        expect(await reranker.score([[query, "still here"]])).toHaveLength(1);
    });

    function cli(...args: string[]) {
        return spawnSync(process.execPath, ["dist/cli/cli.js", ...args], { encoding: "utf8" });
    }

    it.runIf(surfaces)("rank --overflow max-window prints each passage's best window and its score", async () => {
        const expected = await reranker.rerank(query, [passage, "Bananas are yellow."], { overflow: "max-window", normalize: true });
        const common = [
            "rank",
            "--model",
            reranker.describe().model.path,
            "--gpu",
            "cpu",
            "--threads",
            "1",
            "--max-length",
            String(maxLength),
            "--query",
            query
        ];
        const result = cli(...common, "--passage", passage, "--passage", "Bananas are yellow.", "--overflow", "max-window", "--normalize", "--json");
        expect(result.status, result.stderr).toBe(0);
        const { results } = JSON.parse(result.stdout) as { results: { index: number; score: number; window: unknown }[] };
        expect(results).toEqual(expected.map(({ index, score, window }) => ({ index, score, window })));
        expect(expected.find((r) => r.index === 0)!.window!.count).toBeGreaterThan(1);
        const refused = cli(...common, "--passage", passage, "--overflow", "max-window", "--window-tokens", "8", "--window-overlap", "8");
        expect(refused.status).not.toBe(0);
        expect(refused.stderr).toMatch(/--window-overlap 8 must be less than --window-tokens 8 \[ERR_INVALID_ARGUMENT\]/);
    });

    it.runIf(surfaces)("POST /v1/rerank with overflow max-window answers each document's best window; a bad one is a 422", async () => {
        const expected = await reranker.rerank(query, [passage, "Bananas are yellow."], { overflow: "max-window", normalize: true });
        const { server, url } = await startServer(reranker);
        try {
            const answer = await send(`${url}/v2/rerank`, { body: { query, documents: [passage, "Bananas are yellow."], overflow: "max-window" } });
            expect(answer.status).toBe(200);
            const { results } = answer.body as { results: { index: number; relevance_score: number; window: Record<string, number> }[] };
            expect(results).toEqual(
                expected.map(({ index, score, window }) => ({
                    index,
                    relevance_score: score,
                    window: {
                        start: window!.start,
                        end: window!.end,
                        token_start: window!.tokenStart,
                        token_end: window!.tokenEnd,
                        index: window!.index,
                        count: window!.count
                    }
                }))
            );
            const plain = await send(`${url}/v1/rerank`, { body: { query, documents: [passage] } });
            expect((plain.body as { results: object[] }).results[0]).not.toHaveProperty("window");
            const bad = await send(`${url}/v1/rerank`, { body: { query, documents: [passage], overflow: "max-window", window_tokens: 8, window_overlap: 8 } });
            expect(bad.status).toBe(422);
            const stray = await send(`${url}/v1/rerank`, { body: { query, documents: [passage], window_tokens: 8 } });
            expect(stray.status).toBe(422);
        } finally {
            await server.close();
        }
        // The server's own default applies to requests that do not say.
        const { server: windowing, url: windowingUrl } = await startServer(reranker, { overflow: "max-window" });
        try {
            const answer = await send(`${windowingUrl}/v1/rerank`, { body: { query, documents: [passage] } });
            const [first] = (answer.body as { results: { relevance_score: number; window: { count: number } }[] }).results;
            expect(Math.abs(first!.relevance_score - expected.find((r) => r.index === 0)!.score)).toBeLessThanOrEqual(packingTolerance);
            expect(first!.window.count).toBeGreaterThan(1);
        } finally {
            await windowing.close();
        }
    });
});

describe("overflow max-window on the encoder (bge-reranker-v2-m3) profile", () => {
    it("is refused with an InvalidArgumentError that says why, and the reranker stays usable", async () => {
        await using reranker = await Reranker.load({ model: await ensureBertTinyModel(), gpu: false, threads: 1, onWarning: () => undefined });
        const call = reranker.score([[query, longPassage(400)]], { overflow: "max-window" });
        await expect(call).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(call).rejects.toThrow(/cut points are not proven/);
        expect(await reranker.score([[query, "still here"]])).toHaveLength(1);
    });
});
