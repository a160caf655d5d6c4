import type { CanaryScores, ModelHealthCode, ModelHealthWarning } from "./ModelHealth.js";

/** How the model in use turns its outputs into a score: what the findings' causes depend on. */
export type ScoreFamily = {
    path: string;
    profile: string;
    architecture: string;
    /** "probability": a softmax over two tokens or labels (P(yes)); "logit": a raw logit. */
    scale: "probability" | "logit";
    /** Read from the logits of scoreTokens, or from llama.cpp's rank pooling of cls.output. */
    head: "logits" | "rank-pooling";
    /** The tokens whose logits a logits head reads, the one the score is about first. */
    scoreTokens: string[];
    /** classifier.output_labels of a rank head. */
    labels: string[];
    /** The load scores with a prompt other than the profile's own. */
    customPrompt: boolean;
    /** A logit's log-odds are logit / temperature (zerank's 5: its normalized score is sigmoid(logit / 5)). Default 1. */
    temperature?: number;
};

export type Diagnosis = { findings: ModelHealthWarning[]; notes: string[] };

/**
 * Below this spread, relative to the scores' size (log-odds, at least 1), the canaries scored the
 * same: 2^-10 is 8192 float32 ulps, far above what float32 rounding moves a score by, and far
 * below the order-1 gap in log-odds a working reranker puts between an obviously relevant and an
 * obviously irrelevant passage (or that even random weights put between different inputs).
 */
export const constantSpread = 2 ** -10;

/**
 * |log-odds| beyond ln(2^24): the probability is within float32 rounding of 0 or 1 (1 - p rounds
 * to 1 in float32). Every canary there, on the same side, is saturation.
 */
export const saturatedLogOdds = 24 * Math.LN2;
const saturatedProbability = 1 / (1 + Math.exp(saturatedLogOdds));

/** The fewest canaries whose order is judged before a consistent inversion is reported. */
export const fewestOrderedCanaries = 2;

/** A score as log-odds: the logit over the profile's temperature, or logit(p) for a probability. */
export function logOdds(score: number, scale: ScoreFamily["scale"], temperature: number = 1): number {
    return scale === "logit" ? score / temperature : Math.log(score) - Math.log1p(-score);
}

/**
 * Judges the canaries' scores, first failure first: non-finite, then saturated, then constant
 * (a saturated model may also be constant; saturation names the likelier cause), then, on
 * weights that were trained and only when nothing else is wrong, the order of each language's
 * pair. Pure: the same scores always give the same findings.
 */
export function diagnoseCanaryScores(canaries: CanaryScores[], family: ScoreFamily, judgeOrdering: boolean): Diagnosis {
    const notes: string[] = [];
    const scores = canaries.flatMap((canary) => [canary.relevant, canary.irrelevant]);
    if (scores.length === 0) return { findings: [], notes: ["no canary could be scored"] };
    const nonFinite = scores.filter((score) => !Number.isFinite(score));
    if (nonFinite.length > 0) return { findings: [nonFiniteFinding(family, nonFinite.length, scores.length)], notes };

    const odds = scores.map((score) => logOdds(score, family.scale, family.temperature));
    if (odds.every((value) => value <= -saturatedLogOdds) || odds.every((value) => value >= saturatedLogOdds))
        return { findings: [saturatedFinding(family, scores, odds[0]! > 0)], notes };

    // A probability of exactly 0 or 1 has infinite log-odds: never a constant, whatever else.
    if (odds.every(Number.isFinite)) {
        const spread = Math.max(...odds) - Math.min(...odds);
        const tolerance = roundingTolerance(odds);
        if (spread <= tolerance) return { findings: [constantFinding(family, scores, spread, tolerance)], notes };
    }

    if (!judgeOrdering) return { findings: [], notes };
    const order = canaries.map((canary) => {
        const [relevant, irrelevant] = [
            logOdds(canary.relevant, family.scale, family.temperature),
            logOdds(canary.irrelevant, family.scale, family.temperature)
        ];
        const gap = relevant - irrelevant;
        const tie = roundingTolerance([relevant, irrelevant]);
        return gap > tie ? "right" : gap < -tie ? "inverted" : "tie";
    });
    const right = order.filter((o) => o === "right").length;
    const inverted = order.filter((o) => o === "inverted").length;
    notes.push(`the relevant passage ranked first in ${right} of ${canaries.length} languages`);
    if (canaries.length >= fewestOrderedCanaries && inverted === canaries.length) return { findings: [invertedFinding(family, canaries)], notes };
    return { findings: [], notes };
}

/** What float32 rounding can move log-odds of this size by, at most (infinite values left out). */
function roundingTolerance(odds: number[]): number {
    return constantSpread * Math.max(1, ...odds.filter(Number.isFinite).map(Math.abs));
}

function finding(code: ModelHealthCode, family: ScoreFamily, observed: string, cause: string, fix: string): ModelHealthWarning {
    return { code, message: `${family.path}: ${observed}. Likely cause: ${cause}. Fix: ${fix}.`, observed, cause, fix };
}

const format = (value: number) => (value === 0 || (Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4) ? value.toPrecision(4) : value.toExponential(2));
const quoted = (texts: string[]) => texts.map((text) => JSON.stringify(text)).join(" and ");
const range = (scores: number[]) => `from ${format(Math.min(...scores))} to ${format(Math.max(...scores))}`;

/** The score's name in messages: P("yes") for a probability, the logit of "Yes", or the classifier's logit. */
function scoreName(family: ScoreFamily): string {
    const first = family.head === "logits" ? family.scoreTokens[0] : family.labels[0];
    if (family.scale === "probability") return first !== undefined ? `P(${JSON.stringify(first)})` : "probability";
    return family.head === "logits" && first !== undefined ? `logit of ${JSON.stringify(first)}` : "classifier logit";
}

/** What carries the score in the file, in the words of the GGUF. */
function headRows(family: ScoreFamily): string {
    if (family.head === "rank-pooling")
        return family.labels.length > 1
            ? `the rows of the classifier head (cls.output.weight, labels ${quoted(family.labels)})`
            : "the classifier head (cls.output.weight)";
    return `the LM head's rows for ${quoted(family.scoreTokens)} (output.weight, or token_embd.weight where the head is tied)`;
}

// node-llama-cpp's maintainers (PR #506) name llama.cpp b6578 as the first release whose converter
// writes Qwen3-Reranker files their rank path can read; the library's own llama.cpp is later.
const reconvertQwen3 =
    'reconvert the Hugging Face checkpoint with convert_hf_to_gguf.py from llama.cpp b6578 or later (it writes cls.output.weight from the LM head\'s "yes" and "no" rows, the labels and the rerank template)';
const reconvert =
    "reconvert the Hugging Face checkpoint with llama.cpp's convert_hf_to_gguf.py (--outtype f32), or download the file again and compare its checksum";

function isPairScore(family: ScoreFamily): boolean {
    return family.scale === "probability" && (family.head === "logits" ? family.scoreTokens.length === 2 : family.labels.length === 2);
}

function profileHint(family: ScoreFamily): string {
    return `make sure profile ${family.profile} is this model's own (--profile / profile)${family.customPrompt ? ", and that the prompt this load scores with (not the profile's) is the one the model was trained with" : ""}`;
}

function nonFiniteFinding(family: ScoreFamily, count: number, total: number): ModelHealthWarning {
    return finding(
        "HEALTH_NON_FINITE_SCORES",
        family,
        `${count} of ${total} canary pairs scored NaN or ±Infinity`,
        "the arithmetic overflowed, or the weights hold NaN or Infinity: F16 weights or activations beyond 65504, or a damaged file",
        "use the F32 or BF16 file (llm-rerank check --model A.gguf --against B.gguf --pairs FILE measures what a lower precision costs), or download the file again"
    );
}

function saturatedFinding(family: ScoreFamily, scores: number[], high: boolean): ModelHealthWarning {
    const bound = high ? `above 1 − ${format(saturatedProbability)}` : `below ${format(saturatedProbability)}`;
    const observed =
        family.scale === "probability"
            ? `every canary pair's ${scoreName(family)} is ${bound}, relevant passages included (${range(scores)})`
            : `every canary pair's ${scoreName(family)} is ${high ? "above" : "below"} ${format(high ? saturatedLogOdds : -saturatedLogOdds)}, so its sigmoid is ${bound}, relevant passages included (${range(scores)})`;
    if (isPairScore(family))
        return finding(
            "HEALTH_SATURATED_SCORES",
            family,
            observed,
            `the score does not read the model's own yes/no answer — the symptom of Qwen3-Reranker files converted without their classifier head or by an older converter (llama.cpp #25447 reports ~1e-20 for every document, see also #16407): ${headRows(family)} taken from the wrong rows, or a profile that does not fit this model`,
            `${reconvertQwen3}; ${profileHint(family)}`
        );
    const cause =
        family.head === "logits"
            ? `${quoted(family.scoreTokens.slice(0, 1))} is never this model's answer to the prompt: a profile or prompt it was not trained with, or damaged weights`
            : "the classifier's output is far outside a reranker's range for every input: damaged weights, or a head taken from another model";
    return finding("HEALTH_SATURATED_SCORES", family, observed, cause, `${profileHint(family)}; otherwise ${reconvert}`);
}

function constantFinding(family: ScoreFamily, scores: number[], spread: number, tolerance: number): ModelHealthWarning {
    const observed = `all ${scores.length} canary pairs scored the same (${range(scores)}: a spread of ${format(spread)} in log-odds, where anything under ${format(tolerance)} is float32 rounding)`;
    const oneLogitClassifier = family.head === "rank-pooling" && family.labels.length < 2;
    const what = oneLogitClassifier
        ? `${headRows(family)} is zero, so only its bias reaches the score`
        : `${headRows(family)} are zero or equal to each other, or the final norm (output_norm.weight) is zero`;
    const cause = `the score no longer depends on the input: ${what} — a damaged download or a broken conversion`;
    return finding("HEALTH_CONSTANT_SCORES", family, observed, cause, isPairScore(family) && family.head === "rank-pooling" ? reconvertQwen3 : reconvert);
}

function invertedFinding(family: ScoreFamily, canaries: CanaryScores[]): ModelHealthWarning {
    const languages = canaries.map((canary) => canary.language).join(", ");
    const observed = `in every language (${languages}) the relevant canary passage scored below the irrelevant one`;
    let cause: string;
    let fix = `${reconvertQwen3}; ${profileHint(family)}`;
    if (family.head === "rank-pooling" && family.labels.length === 2)
        cause = `the rows of cls.output.weight are in the opposite order to ${family.architecture}.classifier.output_labels ${JSON.stringify(family.labels)}, so the score reads P(${JSON.stringify(family.labels[1])}) as P(${JSON.stringify(family.labels[0])})`;
    else if (family.head === "logits" && family.scoreTokens.length === 2)
        cause = `${quoted(family.scoreTokens)} are swapped: the LM head's rows of the two tokens are exchanged, or the vocabulary gives the words each other's ids`;
    else if (family.head === "logits") {
        cause = `the logit of ${JSON.stringify(family.scoreTokens[0])} answers the opposite question: a profile or prompt this model was not trained with, or an LM head whose row for the token is another token's`;
        fix = `${profileHint(family)}; otherwise ${reconvert}`;
    } else {
        cause = "the classifier's sign is flipped: a conversion or fine-tune that reversed its labels";
        fix = `${reconvert}; if the model was trained that way round, negate its scores`;
    }
    if (family.customPrompt) cause += "; this load also scores with a prompt other than the profile's";
    return finding("HEALTH_INVERTED_RANKING", family, observed, cause, fix);
}
