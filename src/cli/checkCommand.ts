import { parseArgs } from "node:util";
import { compareScores } from "../check/compareScores.js";
import { InvalidArgumentError, NonFiniteScoreError } from "../errors/errors.js";
import type { ModelHealthReport } from "../health/ModelHealth.js";
import { Reranker } from "../Reranker.js";
import { integerFlag, requiredString, rerankerFlags, rerankerOptionsFrom } from "./commonOptions.js";
import { readPairs } from "./readPassages.js";

// A pair the model cannot score finitely is counted, not fatal: finding those is what check is for.
async function scoreKeepingNonFinite(reranker: Reranker, pairs: [string, string][]): Promise<number[]> {
    try {
        return await reranker.score(pairs);
    } catch (error) {
        if (!(error instanceof NonFiniteScoreError)) throw error;
        const scores: number[] = [];
        for (const pair of pairs)
            scores.push(
                await reranker.score([pair]).then(
                    (s) => s[0]!,
                    (e: unknown) => (e instanceof NonFiniteScoreError ? e.value : Promise.reject(e))
                )
            );
        return scores;
    }
}

async function scoreWith(modelPath: string, values: Record<string, unknown>, pairs: [string, string][]) {
    const reranker = await Reranker.load({ ...rerankerOptionsFrom(values as never), model: modelPath, healthCheck: false });
    try {
        return { scores: await scoreKeepingNonFinite(reranker, pairs), weightType: reranker.describe().model.weightType };
    } finally {
        await reranker.dispose();
    }
}

/** The exit code of a health check that found degenerate output (1 is an error, 2 a usage error). */
export const degenerateExitCode = 3;

/**
 * llm-rerank check --model A.gguf --against B.gguf --pairs FILE.jsonl [--top K] [--json]: what one
 * file costs against another. Without --against: the health check (built-in canary pairs).
 */
export async function checkCommand(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: { ...rerankerFlags, against: { type: "string" }, pairs: { type: "string" }, top: { type: "string" }, json: { type: "boolean" } }
    });
    if (values.against === undefined) {
        if (values.pairs !== undefined || values.top !== undefined)
            throw new InvalidArgumentError("--pairs and --top compare two models: add --against B.gguf (without --against, check runs the health check)");
        return healthCheckCommand(values);
    }
    const pairs = readPairs(requiredString(values, "pairs"));
    const a = await scoreWith(requiredString(values, "model"), values, pairs);
    const b = await scoreWith(requiredString(values, "against"), values, pairs);
    const comparison = compareScores(
        pairs.map(([query]) => query),
        a.scores,
        b.scores,
        integerFlag(values, "top") ?? 10
    );
    if (values.json) {
        console.log(JSON.stringify({ ...comparison, weightTypeA: a.weightType, weightTypeB: b.weightType, scoresA: a.scores, scoresB: b.scores }));
        return 0;
    }
    console.log(`model    ${values.model} (${a.weightType})\nagainst  ${values.against} (${b.weightType})`);
    console.log(`pairs ${comparison.pairs}, compared ${comparison.comparedPairs}, non-finite: ${comparison.nonFiniteA} vs ${comparison.nonFiniteB}`);
    console.log(`max |Δ| ${comparison.maxAbsDiff.toExponential(3)}   mean |Δ| ${comparison.meanAbsDiff.toExponential(3)}`);
    console.log(`Kendall τ ${comparison.kendallTau.toFixed(4)}   top-${comparison.k} overlap ${(comparison.topKOverlap * 100).toFixed(1)}%`);
    return 0;
}

/** llm-rerank check --model M.gguf [--json]: the canaries' scores and findings; exit 3 when degenerate. */
async function healthCheckCommand(values: Record<string, unknown>): Promise<number> {
    // Run here rather than at load, so the report is printed once, as a table, not as warnings.
    const reranker = await Reranker.load({ ...rerankerOptionsFrom(values as never), healthCheck: false });
    let report: ModelHealthReport;
    let description: ReturnType<Reranker["describe"]>;
    try {
        report = await reranker.checkHealth();
        description = reranker.describe();
    } finally {
        await reranker.dispose();
    }
    const code = report.status === "degenerate" ? degenerateExitCode : 0;
    for (const finding of report.findings) console.error(`llm-rerank: ${finding.code}: ${finding.message}`);
    if (values.json) {
        console.log(JSON.stringify({ model: description.model.path, profile: description.profile, weightType: description.model.weightType, ...report }));
        return code;
    }
    const tokens = description.scoreTokens.map((token) => JSON.stringify(token.text)).join(" against ");
    const head = description.scoreHead.kind === "rank-pooling" ? "rank pooling" : `the logits of ${tokens}`;
    console.log(`model    ${description.model.path} (${description.model.weightType}, profile ${description.profile}, ${report.scale} from ${head})`);
    if (report.canaries.length > 0) console.log("canary   relevant      irrelevant");
    const cell = (value: number) => (Number.isFinite(value) ? value.toExponential(4) : String(value)).padEnd(14);
    for (const canary of report.canaries) {
        const order = canary.relevant > canary.irrelevant ? "relevant first" : canary.relevant < canary.irrelevant ? "IRRELEVANT FIRST" : "tie";
        console.log(`${canary.language.padEnd(9)}${cell(canary.relevant)}${cell(canary.irrelevant)}${report.orderingJudged ? order : ""}`);
    }
    const cost = report.cost;
    if (cost.pairs > 0)
        console.log(`cost     ${cost.pairs} pairs, ${cost.inputTokens} input tokens, ${cost.tokensEvaluated} decoded, ${cost.milliseconds.toFixed(0)} ms`);
    for (const note of report.notes) console.log(`note     ${note}`);
    console.log(`status   ${report.status}`);
    return code;
}
