import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compareScores, type ScoreComparison } from "../../check/compareScores.js";
import type { GpuOption } from "../../native/HostDescription.js";
import { Reranker } from "../../Reranker.js";
import { BenchWorkload } from "../BenchWorkload.js";
import { buildLabel } from "../buildLabel.js";
import { median } from "../BenchStatistics.js";
import { cpuUsage, cpuUsageSince, privateMemoryBytes } from "../processUsage.js";

/** One file of the table: a path, or a function that generates it on first use. */
export type PrecisionTableModel = {
    label: string;
    /** The file's path; awaited just before its row, so a generated file is written only when its turn comes. */
    file: () => Promise<string>;
    /** Called after the row, e.g. to delete a generated multi-GB file the table no longer needs. */
    done?: (file: string) => Promise<void>;
    /** The llama.cpp build the row runs on (default: the prebuilt binaries, the same for every row). */
    build?: "prebuilt" | "local";
    /**
     * Score in a child process (isolation "process"): a process holds one libllama, so a row on
     * another build than the rest runs in its own. Its cores and private memory are the child's,
     * which this process does not see: reported as null.
     */
    isolated?: boolean;
};

export type PrecisionTableOptions = {
    /** The first model is the reference: every other row is compared against its scores. */
    models: PrecisionTableModel[];
    gpu: GpuOption;
    threads?: number;
    passages: number;
    passageTokens: { min: number; max: number };
    rounds: number;
    seed: number;
};

export type PrecisionTableRow = {
    label: string;
    path: string;
    weightType: string;
    build: string;
    fileBytes: number;
    pairsPerSecond: number;
    tokensPerSecond: number;
    /** CPU seconds ÷ wall seconds while scoring: how much of the machine the row got. */
    /** CPU seconds per wall second of this process during the rounds; null for a row in a child process. */
    cores: number | null;
    /** RSS after scoring: the weights' mmap'd pages this row touched (and any still mapped from earlier rows) plus private memory. */
    rssMiB: number;
    /** Private memory (RssAnon) after scoring, where /proc has it: buffers, KV cache, repacked weights. */
    privateMiB: number | null;
    roundSeconds: number[];
    /** Against the first model's scores on the same pairs; null for the first model itself. */
    comparison: ScoreComparison | null;
    /** The same pairs scored in another round gave the same bits. */
    repeatable: boolean;
};

export type PrecisionTableReport = {
    startedAt: string;
    wallSeconds: number;
    machine: { cpu: string; cores: number; platform: string; node: string; loadAverageStart: number[]; loadAverageEnd: number[] };
    workload: {
        queries: 1;
        passages: number;
        passageTokens: { min: number; max: number };
        scoredTokens: number;
        rounds: number;
        seed: number;
        threads: number;
    };
    rows: PrecisionTableRow[];
};

/**
 * Scores the same pairs (1 query × N passages) with each model file, one file at a time in this
 * process, timed, and compares each file's scores with the first file's (max and mean |Δ|, Kendall
 * τ, as `llm-rerank check` does): precision against speed, for choosing a weight type.
 */
export async function runPrecisionTable(options: PrecisionTableOptions): Promise<PrecisionTableReport> {
    const started = Date.now();
    const loadAverageStart = os.loadavg();
    const rows: PrecisionTableRow[] = [];
    let workload: { query: string; passages: string[] } | undefined;
    let scoredTokens = 0;
    let referenceScores: number[] | undefined;
    let threads = 0;
    for (const model of options.models) {
        const file = await model.file();
        const reranker = await Reranker.load({
            model: file,
            gpu: options.gpu,
            threads: options.threads,
            llamaBuild: model.build ?? "prebuilt",
            isolation: model.isolated ? "process" : "none",
            scoreCacheSize: 0,
            onWarning: () => undefined // every non-F32 file warns LOW_PRECISION_WEIGHTS: that is what the table measures
        });
        try {
            if (workload === undefined) {
                // built once with the first file's tokenizer; every file of the table has the same vocabulary
                const base = (await reranker.buildInput("", "")).length;
                const countTokens = async (text: string) => (await reranker.buildInput("", text)).length - base;
                const built = await BenchWorkload.build(
                    {
                        queries: 1,
                        passagesPerQuery: options.passages,
                        queryTokens: { min: 20, max: 28 },
                        passageTokens: options.passageTokens,
                        seed: options.seed
                    },
                    countTokens,
                    "",
                    ""
                );
                workload = built.items[0]!;
                for (const passage of workload.passages) scoredTokens += (await reranker.buildInput(workload.query, passage)).length;
            }
            const pairs = workload.passages.map((passage): [string, string] => [workload!.query, passage]);
            const description = reranker.describe();
            threads = description.settings.threads;
            // a short warm-up (first decode's allocations, page faults of the mmap'd weights)
            await reranker.score([[workload.query, "warm up"]]);
            const rounds: { seconds: number; cpuSeconds: number; scores: number[] }[] = [];
            for (let round = 0; round < options.rounds; round++) {
                const cpu = cpuUsage();
                const t0 = performance.now();
                const scores = await reranker.score(pairs);
                const seconds = (performance.now() - t0) / 1000;
                rounds.push({ seconds, cpuSeconds: cpuUsageSince(cpu).cpuSeconds, scores });
                console.error(`bench: ${model.label}: round ${round + 1}/${options.rounds}, ${(pairs.length / seconds).toFixed(3)} pairs/s`);
            }
            const scores = rounds[0]!.scores;
            const seconds = median(rounds.map((r) => r.seconds));
            referenceScores ??= scores;
            rows.push({
                label: model.label,
                path: file,
                weightType: description.model.weightType,
                build: buildLabel(description.backend),
                fileBytes: statSync(file).size,
                pairsPerSecond: pairs.length / seconds,
                tokensPerSecond: scoredTokens / seconds,
                cores: model.isolated ? null : median(rounds.map((r) => r.cpuSeconds / r.seconds)),
                rssMiB: process.memoryUsage().rss / 2 ** 20,
                privateMiB: model.isolated || privateMemoryBytes() === null ? null : privateMemoryBytes()! / 2 ** 20,
                roundSeconds: rounds.map((r) => r.seconds),
                comparison:
                    rows.length === 0
                        ? null
                        : compareScores(
                              pairs.map(([query]) => query),
                              scores,
                              referenceScores,
                              pairs.length
                          ),
                repeatable: rounds.every((r) => r.scores.every((score, i) => Object.is(score, scores[i])))
            });
            // each row as it ends: a run at gemma-2b depth takes many minutes a row
            const comparison = rows.at(-1)!.comparison;
            if (comparison)
                console.error(
                    `bench: ${model.label}: max |Δ| ${comparison.maxAbsDiff.toExponential(2)}, mean |Δ| ${comparison.meanAbsDiff.toExponential(2)}, Kendall τ ${comparison.kendallTau.toFixed(4)} against ${rows[0]!.label}`
                );
        } finally {
            await reranker.dispose();
        }
        await model.done?.(file);
    }
    return {
        startedAt: new Date(started).toISOString(),
        wallSeconds: (Date.now() - started) / 1000,
        machine: {
            cpu: os.cpus()[0]?.model ?? "unknown",
            cores: os.cpus().length,
            platform: `${process.platform}-${process.arch}`,
            node: process.version,
            loadAverageStart,
            loadAverageEnd: os.loadavg()
        },
        workload: {
            queries: 1,
            passages: options.passages,
            passageTokens: options.passageTokens,
            scoredTokens,
            rounds: options.rounds,
            seed: options.seed,
            threads
        },
        rows
    };
}

export function formatPrecisionTable(report: PrecisionTableReport): string {
    const header = ["weights", "build", "pairs/s", "tokens/s", "cores", "file MiB", "private MiB", "max |Δ|", "mean |Δ|", "Kendall τ", "file"];
    const rows = report.rows.map((row) => [
        row.label,
        row.build,
        row.pairsPerSecond.toFixed(3),
        row.tokensPerSecond.toFixed(1),
        row.cores === null ? "–" : row.cores.toFixed(2),
        (row.fileBytes / 2 ** 20).toFixed(0),
        row.privateMiB === null ? "?" : row.privateMiB.toFixed(0),
        row.comparison ? row.comparison.maxAbsDiff.toExponential(2) : "(reference)",
        row.comparison ? row.comparison.meanAbsDiff.toExponential(2) : "",
        row.comparison ? row.comparison.kendallTau.toFixed(4) : "",
        path.basename(row.path)
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) =>
        cells.map((cell, column) => (column === 0 || column === 10 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
    const { machine, workload } = report;
    const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(" ");
    const nonFinite = report.rows.filter((row) => row.comparison && (row.comparison.nonFiniteA > 0 || row.comparison.comparedPairs < row.comparison.pairs));
    return [
        `${machine.cpu}, ${machine.cores} cores; ${workload.threads} threads; load average ${load(machine.loadAverageStart)} at the start, ${load(machine.loadAverageEnd)} at the end`,
        `workload 1 query × ${workload.passages} passages of ${workload.passageTokens.min}–${workload.passageTokens.max} tokens (${workload.scoredTokens} tokens), ` +
            `${workload.rounds} round(s) per file (median), ${report.wallSeconds.toFixed(0)} s in all`,
        "",
        line(header),
        line(widths.map((width) => "-".repeat(width))),
        ...rows.map(line),
        "",
        "max |Δ|, mean |Δ|, Kendall τ: against the first file's scores on the same pairs (as llm-rerank check --against).",
        ...(report.rows.every((row) => row.repeatable) ? [] : ["note: some file scored the same pairs differently from one round to the next"]),
        ...nonFinite.map((row) => `note: ${row.label}: ${row.comparison!.nonFiniteA} non-finite score(s)`)
    ].join("\n");
}
