import { describe, expect, it } from "vitest";
import { NonFiniteScoreError } from "../../../src/errors/errors.js";
import { builtinCanaries } from "../../../src/health/canaryPairs.js";
import { checkModelHealth, type CanaryTarget, type HealthCheckFacts } from "../../../src/health/checkModelHealth.js";
import {
    constantSpread,
    diagnoseCanaryScores,
    fewestOrderedCanaries,
    logOdds,
    saturatedLogOdds,
    type ScoreFamily
} from "../../../src/health/diagnoseCanaryScores.js";
import type { CanaryScores } from "../../../src/health/ModelHealth.js";
import type { CallUsage } from "../../../src/RerankerOptions.js";
import { exchange, startFakeServer } from "../server/plainHttp.js";

// The families the profiles give (src/Reranker.ts healthFacts): what each one's degenerate output
// looks like differs, so every rule runs against each of them.
const qwen3Logits: ScoreFamily = {
    path: "q.gguf",
    profile: "qwen3-reranker",
    architecture: "qwen3",
    scale: "probability",
    head: "logits",
    scoreTokens: ["yes", "no"],
    labels: [],
    customPrompt: false
};
const qwen3Rank: ScoreFamily = { ...qwen3Logits, head: "rank-pooling", scoreTokens: [], labels: ["yes", "no"] };
const gemmaLogit: ScoreFamily = { ...qwen3Logits, profile: "bge-reranker-v2-gemma", architecture: "gemma", scale: "logit", scoreTokens: ["Yes"] };
const bertRank: ScoreFamily = {
    ...qwen3Logits,
    profile: "bge-reranker-v2-m3",
    architecture: "bert",
    scale: "logit",
    head: "rank-pooling",
    scoreTokens: [],
    labels: []
};
const families = [qwen3Logits, qwen3Rank, gemmaLogit, bertRank];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const languages = builtinCanaries.map((canary) => canary.language);

/** Canaries whose log-odds are given: converted to the family's scale (a probability for softmax heads). */
function canariesFromLogOdds(family: ScoreFamily, relevant: number[], irrelevant: number[]): CanaryScores[] {
    const toScore = (value: number) => (family.scale === "probability" ? sigmoid(value) : value);
    return relevant.map((value, i) => ({ language: languages[i]!, relevant: toScore(value), irrelevant: toScore(irrelevant[i]!) }));
}

const codes = (canaries: CanaryScores[], family: ScoreFamily, judgeOrdering = true) =>
    diagnoseCanaryScores(canaries, family, judgeOrdering).findings.map((f) => f.code);

describe("diagnoseCanaryScores: healthy output stays silent", () => {
    it("a working reranker (relevant well above irrelevant in every language) gives no finding, in every family", () => {
        for (const family of families) {
            const canaries = canariesFromLogOdds(family, [4.2, 2.9, 6.1, 3.3], [-5.5, -3.8, -7.2, -2.6]);
            const diagnosis = diagnoseCanaryScores(canaries, family, true);
            expect(diagnosis.findings, family.profile).toEqual([]);
            expect(diagnosis.notes).toContain("the relevant passage ranked first in 4 of 4 languages");
        }
    });

    it("a very confident one is not 'saturated': relevant near 1 and irrelevant near 0 are opposite sides", () => {
        // Beyond ln(2^24) on both sides, yet separated: what a strong reranker does with obvious canaries.
        const far = saturatedLogOdds * 2;
        for (const family of families) expect(codes(canariesFromLogOdds(family, [far, far, far, far], [-far, -far, -far, -far]), family)).toEqual([]);
    });

    it("random-looking output (order-1 spread, mixed order) raises nothing: only a consistent inversion is reported", () => {
        for (const family of families) {
            const canaries = canariesFromLogOdds(family, [0.3, -0.8, 1.1, 0.2], [0.9, -0.1, 0.4, -1.3]);
            const diagnosis = diagnoseCanaryScores(canaries, family, true);
            expect(diagnosis.findings).toEqual([]);
            expect(diagnosis.notes).toContain("the relevant passage ranked first in 2 of 4 languages");
        }
    });
});

describe("diagnoseCanaryScores: each degenerate output is flagged with its cause", () => {
    it("non-finite scores", () => {
        for (const family of families) {
            const canaries = canariesFromLogOdds(family, [1, 2, 3, 4], [0, 0, 0, 0]);
            canaries[2]!.irrelevant = Number.NaN;
            const [finding] = diagnoseCanaryScores(canaries, family, true).findings;
            expect(finding!.code).toBe("HEALTH_NON_FINITE_SCORES");
            expect(finding!.observed).toBe("1 of 8 canary pairs scored NaN or ±Infinity");
            expect(finding!.fix).toMatch(/F32 or BF16/);
        }
    });

    it("every score equal: exactly (a zeroed head), and within float32 rounding, but not beyond the derived spread", () => {
        for (const family of families) {
            const level = family.scale === "probability" ? 0 : 1.5; // P = 0.5 (two zero logits), or a bias
            const flat = canariesFromLogOdds(family, [level, level, level, level], [level, level, level, level]);
            expect(codes(flat, family), family.profile).toEqual(["HEALTH_CONSTANT_SCORES"]);
            // Spreads just under and just over the threshold, relative to the log-odds' size (at least 1).
            const limit = constantSpread * Math.max(1, Math.abs(level));
            const within = canariesFromLogOdds(family, [level, level + 0.4 * limit, level, level], [level - 0.4 * limit, level, level, level]);
            expect(codes(within, family)).toEqual(["HEALTH_CONSTANT_SCORES"]);
            const beyond = canariesFromLogOdds(family, [level, level + 1.2 * limit, level, level], [level - 1.2 * limit, level, level, level]);
            expect(codes(beyond, family)).not.toContain("HEALTH_CONSTANT_SCORES");
        }
        const [logits] = diagnoseCanaryScores(canariesFromLogOdds(qwen3Logits, [0, 0, 0, 0], [0, 0, 0, 0]), qwen3Logits, true).findings;
        expect(logits!.cause).toMatch(/"yes" and "no".*zero or equal.*output_norm/);
        const [classifier] = diagnoseCanaryScores(canariesFromLogOdds(bertRank, [2, 2, 2, 2], [2, 2, 2, 2]), bertRank, true).findings;
        expect(classifier!.cause).toMatch(/cls\.output\.weight\) is zero, so only its bias/);
    });

    it("every probability within float32 rounding of 0 (the ~1e-20 of llama.cpp #25447), or of 1", () => {
        const tiny = [1e-20, 3e-21, 7e-23, 2e-19];
        const canaries = tiny.map((p, i) => ({ language: languages[i]!, relevant: p * 5, irrelevant: p }));
        for (const family of [qwen3Logits, qwen3Rank]) {
            const [finding] = diagnoseCanaryScores(canaries, family, true).findings;
            expect(finding!.code).toBe("HEALTH_SATURATED_SCORES");
            expect(finding!.observed).toMatch(/P\("yes"\) is below 5\.96e-8/);
            expect(finding!.cause).toMatch(/#25447/);
            expect(finding!.fix).toMatch(/convert_hf_to_gguf\.py from llama\.cpp b6578 or later/);
        }
        const nearOne = canaries.map((c) => ({ ...c, relevant: 1 - c.relevant, irrelevant: 1 - c.irrelevant }));
        expect(diagnoseCanaryScores(nearOne, qwen3Logits, true).findings[0]!.observed).toMatch(/above 1 − 5\.96e-8/);
    });

    it("saturation starts at the derived bound: |log-odds| ≥ ln(2^24), all on one side", () => {
        for (const family of families) {
            const at = (factor: number) =>
                canariesFromLogOdds(family, [-saturatedLogOdds * factor, -40, -50, -60], [-70, -80, -90, -saturatedLogOdds * factor]);
            expect(codes(at(1.01), family)).toEqual(["HEALTH_SATURATED_SCORES"]);
            expect(codes(at(0.99), family)).not.toContain("HEALTH_SATURATED_SCORES");
        }
        const [gemma] = diagnoseCanaryScores(canariesFromLogOdds(gemmaLogit, [-30, -31, -32, -33], [-40, -41, -42, -43]), gemmaLogit, true).findings;
        expect(gemma!.observed).toMatch(/logit of "Yes" is below -16\.64/);
        expect(gemma!.cause).toMatch(/"Yes" is never this model's answer/);
    });

    it("swapped labels: the healthy scores with yes and no exchanged are inverted in every language", () => {
        for (const family of families) {
            const healthy = canariesFromLogOdds(family, [4.2, 2.9, 6.1, 3.3], [-5.5, -3.8, -7.2, -2.6]);
            // Exchanging the two rows of a softmax pair turns P into 1 − P; a one-logit head is negated.
            const flip = (score: number) => (family.scale === "probability" ? 1 - score : -score);
            const swapped = healthy.map((c) => ({ ...c, relevant: flip(c.relevant), irrelevant: flip(c.irrelevant) }));
            const diagnosis = diagnoseCanaryScores(swapped, family, true);
            expect(diagnosis.findings.map((f) => f.code)).toEqual(["HEALTH_INVERTED_RANKING"]);
            expect(diagnosis.notes).toContain("the relevant passage ranked first in 0 of 4 languages");
            // Not judged on random weights, whatever the order.
            expect(codes(swapped, family, false)).toEqual([]);
        }
        expect(diagnoseCanaryScores(swap(qwen3Logits), qwen3Logits, true).findings[0]!.cause).toMatch(/"yes" and "no" are swapped/);
        expect(diagnoseCanaryScores(swap(qwen3Rank), qwen3Rank, true).findings[0]!.cause).toMatch(
            /cls\.output\.weight are in the opposite order to qwen3\.classifier\.output_labels \["yes","no"\]/
        );
        expect(diagnoseCanaryScores(swap(bertRank), bertRank, true).findings[0]!.cause).toMatch(/sign is flipped/);
    });

    it("an inversion needs every judged language inverted, and at least fewestOrderedCanaries of them", () => {
        const inverted = canariesFromLogOdds(qwen3Logits, [-3, -3, -3, 3], [3, 3, 3, -3]);
        expect(codes(inverted, qwen3Logits)).toEqual([]);
        const one = canariesFromLogOdds(qwen3Logits, [-3], [3]);
        expect(one.length).toBeLessThan(fewestOrderedCanaries);
        expect(codes(one, qwen3Logits)).toEqual([]);
        expect(codes(canariesFromLogOdds(qwen3Logits, [-3, -2], [3, 2]), qwen3Logits)).toEqual(["HEALTH_INVERTED_RANKING"]);
    });

    it("a probability of exactly 0 or 1 is infinitely far in log-odds, never 'constant' and decisive in order", () => {
        expect(logOdds(0, "probability")).toBe(Number.NEGATIVE_INFINITY);
        const canaries = [0, 1, 2, 3].map((i) => ({ language: languages[i]!, relevant: 1, irrelevant: 0.25 }));
        expect(codes(canaries, qwen3Rank)).toEqual([]);
        expect(
            codes(
                canaries.map((c) => ({ ...c, relevant: 0, irrelevant: 0.25 })),
                qwen3Rank
            )
        ).toEqual(["HEALTH_INVERTED_RANKING"]);
    });

    it("the message holds observed, cause and fix, and names the file", () => {
        const [finding] = diagnoseCanaryScores(swap(qwen3Logits), { ...qwen3Logits, customPrompt: true }, true).findings;
        expect(finding!.message).toBe(`q.gguf: ${finding!.observed}. Likely cause: ${finding!.cause}. Fix: ${finding!.fix}.`);
        expect(finding!.cause).toMatch(/prompt other than the profile's/);
    });
});

function swap(family: ScoreFamily): CanaryScores[] {
    return canariesFromLogOdds(family, [-4, -3, -6, -3], [5, 4, 7, 3]);
}

/**
 * A reranker without a model: an input is the code points of query, a separator and passage (cut
 * at maxLength), and a pair scores what `scoreOf` says. Records what it was asked.
 */
class FakeTarget implements CanaryTarget {
    readonly scored: [string, string][][] = [];
    constructor(
        private readonly scoreOf: (query: string, passage: string) => number,
        private readonly maxLength = 10_000
    ) {}

    async buildInput(query: string, passage: string): Promise<number[]> {
        return [...`${query}\u0000${passage}`].map((c) => c.codePointAt(0)!).slice(0, this.maxLength);
    }

    async score(pairs: [string, string][], options: { onUsage?: (usage: CallUsage) => void } = {}): Promise<number[]> {
        this.scored.push(pairs);
        const inputTokens = (await Promise.all(pairs.map(([q, p]) => this.buildInput(q, p)))).reduce((sum, tokens) => sum + tokens.length, 0);
        options.onUsage?.({
            items: pairs.length,
            cachedItems: 0,
            inputTokens,
            tokensEvaluated: inputTokens - 1,
            fillerTokens: 0,
            decodes: 1,
            sharedDecodes: 0,
            tokenizeMs: 0,
            queueMs: 0,
            computeMs: 0
        });
        const scores = pairs.map(([q, p]) => this.scoreOf(q, p));
        const bad = scores.findIndex((s) => !Number.isFinite(s));
        if (bad >= 0) throw new NonFiniteScoreError(bad, scores[bad]!, `pair ${bad}`);
        return scores;
    }
}

const isRelevant = (query: string, passage: string) => builtinCanaries.some((c) => c.query === query && c.relevant === passage);
const facts = (overrides: Partial<HealthCheckFacts> = {}): HealthCheckFacts => ({
    ...qwen3Logits,
    randomWeights: false,
    unknownTokenIds: new Set(),
    maxLength: 1024,
    ...overrides
});

describe("checkModelHealth: what it scores and when it does not run", () => {
    it("scores each built-in canary's two pairs once, in one call, and reports scores and cost", async () => {
        const target = new FakeTarget((q, p) => (isRelevant(q, p) ? 0.97 : 0.01));
        const report = await checkModelHealth(target, facts(), { atLoad: true });
        expect(target.scored).toHaveLength(1);
        expect(target.scored[0]).toEqual(builtinCanaries.flatMap((c) => [[c.query, c.relevant] as const, [c.query, c.irrelevant] as const]));
        expect(report.status).toBe("healthy");
        expect(report.orderingJudged).toBe(true);
        expect(report.canaries).toEqual(languages.map((language) => ({ language, relevant: 0.97, irrelevant: 0.01 })));
        const inputTokens = (await Promise.all(target.scored[0]!.map(([q, p]) => target.buildInput(q, p)))).reduce((sum, t) => sum + t.length, 0);
        expect(report.cost).toMatchObject({ pairs: 8, inputTokens, tokensEvaluated: inputTokens - 1 });
    });

    it("at load, scores nothing on random weights; asked for, judges everything but the order", async () => {
        const inverted = new FakeTarget((q, p) => (isRelevant(q, p) ? 0.2 : 0.8));
        const atLoad = await checkModelHealth(inverted, facts({ randomWeights: true }), { atLoad: true });
        expect(atLoad).toMatchObject({ status: "skipped", findings: [], canaries: [] });
        expect(inverted.scored).toEqual([]);
        const asked = await checkModelHealth(inverted, facts({ randomWeights: true }), { atLoad: false });
        expect(asked).toMatchObject({ status: "healthy", orderingJudged: false });
        expect(asked.notes.join(" ")).toMatch(/random weights/);
        expect((await checkModelHealth(inverted, facts(), { atLoad: false })).findings.map((f) => f.code)).toEqual(["HEALTH_INVERTED_RANKING"]);
        expect((await checkModelHealth(new FakeTarget(() => 0.5), facts({ randomWeights: true }), { atLoad: false })).findings[0]!.code).toBe(
            "HEALTH_CONSTANT_SCORES"
        );
    });

    it("leaves out a canary the vocabulary cannot spell (an unknown token in its input)", async () => {
        const chinese = [...builtinCanaries.find((c) => c.language === "zh")!.relevant][0]!.codePointAt(0)!;
        const target = new FakeTarget((q, p) => (isRelevant(q, p) ? 0.9 : 0.1));
        const report = await checkModelHealth(target, facts({ unknownTokenIds: new Set([chinese]) }), { atLoad: true });
        expect(report.canaries.map((c) => c.language)).toEqual(languages.filter((l) => l !== "zh"));
        expect(report.notes).toContain("the zh canary was left out: the vocabulary has no tokens for some of its text");
        expect(target.scored[0]).toHaveLength(6);
    });

    it("does not run when the truncation leaves two canary inputs the same (a constant would be meaningless)", async () => {
        const target = new FakeTarget(() => 0.5, 12);
        const report = await checkModelHealth(target, facts({ maxLength: 12 }), { atLoad: true });
        expect(report).toMatchObject({ status: "skipped", findings: [] });
        expect(report.notes).toContain("maxLength 12 cuts two canary inputs to the same tokens, so their scores cannot differ");
        expect(target.scored).toEqual([]);
    });

    it("a call refused for a non-finite score is scored pair by pair, so every canary's value is reported", async () => {
        const target = new FakeTarget((q, p) => (q === builtinCanaries[1]!.query && !isRelevant(q, p) ? Number.POSITIVE_INFINITY : 0.3));
        const report = await checkModelHealth(target, facts(), { atLoad: true });
        expect(target.scored.map((pairs) => pairs.length)).toEqual([8, 1, 1, 1, 1, 1, 1, 1, 1]);
        expect(report.canaries[1]!.irrelevant).toBe(Number.POSITIVE_INFINITY);
        expect(report.findings.map((f) => f.code)).toEqual(["HEALTH_NON_FINITE_SCORES"]);
        expect(report.cost.pairs).toBe(8);
    });
});

describe("the server's /health", () => {
    it("reports the scorer's model health with each finding's code, cause and fix, and still answers 200", async () => {
        const report = await checkModelHealth(new FakeTarget(() => 0.5), facts(), { atLoad: true });
        const { server, scorer, url } = await startFakeServer();
        try {
            expect((await exchange(`${url}/health`)).body).not.toHaveProperty("model_health");
            Object.assign(scorer, { modelHealth: () => report });
            const answer = await exchange(`${url}/health`);
            expect(answer.status).toBe(200);
            const [finding] = report.findings;
            expect(answer.body).toMatchObject({
                status: "ok",
                model_health: {
                    status: "degenerate",
                    findings: [{ code: "HEALTH_CONSTANT_SCORES", message: finding!.message, cause: finding!.cause, fix: finding!.fix }]
                }
            });
        } finally {
            await server.close();
        }
    });
});

describe("diagnoseCanaryScores: a profile's temperature (zerank's 5)", () => {
    const zerank: ScoreFamily = { ...gemmaLogit, profile: "zerank", architecture: "qwen3", temperature: 5 };
    const logits = (relevant: number[], irrelevant: number[]) => canariesFromLogOdds(zerank, relevant, irrelevant);

    it("judges saturation on logit / temperature, the log-odds its normalized score sigmoid(logit / 5) has", () => {
        // confident but sane zerank logits (sigmoid(-40 / 5) = 3.4e-4): saturated only without the temperature
        const confident = logits([-20, -25, -30, -22], [-40, -45, -50, -42]);
        expect(codes(confident, zerank)).toEqual([]);
        expect(codes(confident, { ...zerank, temperature: undefined })).toEqual(["HEALTH_SATURATED_SCORES"]);
        // beyond ln(2^24) after the temperature: saturated either way
        const collapsed = logits([-90, -95, -100, -92], [-110, -115, -120, -112]);
        expect(codes(collapsed, zerank)).toEqual(["HEALTH_SATURATED_SCORES"]);
    });
});
