import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CaseFile } from "./byteMutations.js";
import { CaseRunnerChild } from "./CaseRunnerChild.js";
import { outcomeClasses, type HostileCaseOutcome, type OutcomeClass } from "./HostileCaseOutcome.js";
import { HostileGgufCases, type BaseName, type HostileCase } from "./HostileGgufCases.js";

export type HostileSuiteOptions = {
    cases: number;
    seed: number;
    gemmaPath: string;
    qwen3Path?: string;
    baseWeights: Partial<Record<BaseName, number>>;
    /** Case runners in parallel. */
    jobs: number;
    /** Per case: longer than this is a hang. */
    timeoutMs: number;
    onResult?: (result: HostileCaseResult, done: number) => void;
    /** Case index → a fault the runner injects into itself (the suite's self-test). */
    faults?: ReadonlyMap<number, "abort" | "hang">;
};

export type HostileCaseResult = Omit<HostileCase, "file"> & HostileCaseOutcome & { bytes: number };

export type HostileSuiteReport = {
    results: HostileCaseResult[];
    counts: Record<OutcomeClass, number>;
    /** Cases whose runner was restarted (after an abort or a hang). */
    runnersStarted: number;
};

/**
 * Runs hostile GGUF cases 0..cases-1 of a seed, each loaded (and scored when it loads) in a forked
 * case runner, many cases per runner. Case files live in a temporary directory only while their
 * case runs.
 */
export async function runHostileGgufSuite(options: HostileSuiteOptions): Promise<HostileSuiteReport> {
    const generator = await HostileGgufCases.load(options);
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-hostile-"));
    const results: HostileCaseResult[] = [];
    let next = 0;
    let runnersStarted = 0;
    const runners: CaseRunnerChild[] = [];
    const worker = async () => {
        let runner: CaseRunnerChild | undefined;
        while (next < options.cases) {
            const index = next++;
            const hostile = generator.build(index);
            const file = path.join(workDir, `case-${index}.gguf`);
            writeCaseFile(file, hostile.file);
            if (!runner || runner.spent) {
                runner?.stop();
                runner = new CaseRunnerChild();
                runners.push(runner);
                runnersStarted++;
            }
            const outcome = await runner.run(index, file, options.timeoutMs, options.faults?.get(index));
            rmSync(file, { force: true });
            const { file: _file, ...described } = hostile;
            const result = { ...described, ...outcome, bytes: hostile.file.totalBytes };
            results.push(result);
            options.onResult?.(result, results.length);
        }
        runner?.stop();
    };
    try {
        await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));
    } finally {
        for (const runner of runners) runner.stop();
        rmSync(workDir, { recursive: true, force: true });
    }
    results.sort((a, b) => a.index - b.index);
    const counts = Object.fromEntries(outcomeClasses.map(([name]) => [name, 0])) as Record<OutcomeClass, number>;
    for (const result of results) counts[result.outcome]++;
    return { results, counts, runnersStarted };
}

function writeCaseFile(file: string, content: CaseFile): void {
    const fd = openSync(file, "w");
    try {
        for (const chunk of content.chunks) {
            let done = 0;
            while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
        }
    } finally {
        closeSync(fd);
    }
}

/** The outcome table, then outcomes per family, then every case that must not happen. */
export function formatHostileReport(report: HostileSuiteReport, options: Pick<HostileSuiteOptions, "seed" | "timeoutMs">): string {
    const total = report.results.length;
    const lines = [`hostile GGUF files: ${total} cases, seed ${options.seed}`, ""];
    const width = Math.max(...outcomeClasses.map(([, label]) => label.length));
    for (const [name, label] of outcomeClasses) {
        const shown = name === "hang" ? `${label.replace("(timeout)", `(timeout ${options.timeoutMs / 1000} s)`)}` : label;
        lines.push(`  ${shown.padEnd(width + 8)} ${String(report.counts[name]).padStart(6)}`);
    }
    lines.push(`  ${"total".padEnd(width + 8)} ${String(total).padStart(6)}`, "");
    const families = new Map<string, Record<string, number>>();
    for (const result of report.results) {
        const key = `${result.family} [${result.base}]`;
        const row = families.get(key) ?? {};
        row[result.outcome] = (row[result.outcome] ?? 0) + 1;
        families.set(key, row);
    }
    const short: Record<OutcomeClass, string> = {
        validation: "ours",
        llama: "llama",
        scored: "scored",
        scoringError: "score-err",
        otherTyped: "other",
        untyped: "untyped",
        nonFinite: "nonfinite",
        abort: "ABORT",
        hang: "HANG"
    };
    const familyWidth = Math.max(20, ...[...families.keys()].map((key) => key.length));
    lines.push(`  ${"family [base]".padEnd(familyWidth)}  ${outcomeClasses.map(([name]) => short[name].padStart(10)).join("")}`);
    for (const [key, row] of [...families].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`  ${key.padEnd(familyWidth)}  ${outcomeClasses.map(([name]) => String(row[name] ?? 0).padStart(10)).join("")}`);
    }
    const bad = report.results.filter((result) => ["abort", "hang", "nonFinite", "untyped"].includes(result.outcome));
    if (bad.length > 0) {
        lines.push("", "cases that must not happen:");
        for (const result of bad)
            lines.push(`  #${result.index} ${result.outcome} [${result.base}] ${result.family}: ${result.description} -> ${result.detail}`);
    }
    return lines.join("\n");
}
