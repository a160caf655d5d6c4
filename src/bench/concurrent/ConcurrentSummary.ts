import path from "node:path";
import type { BenchCheck } from "../BenchReport.js";
import type { ConcurrentBenchReport } from "./ConcurrentBenchReport.js";

import { packingToleranceOf } from "../errorBudget.js";

export type ConcurrentSummaryRow = {
    model: string;
    slots: number;
    serializedPairsPerSecond: number;
    concurrentPairsPerSecond: number;
    concurrentOverSerialized: number;
    maxScoreDifference: number;
    longCallPairsPerSecond: number | null;
};

export type ConcurrentSummary = { rows: ConcurrentSummaryRow[]; checks: BenchCheck[] };

/** One row per run, and whether each model's long call scored the same with every slot setting. */
export function summarizeConcurrentRuns(reports: readonly ConcurrentBenchReport[]): ConcurrentSummary {
    const rows = reports.map((report) => ({
        model: report.model.path,
        slots: report.backend.slots,
        serializedPairsPerSecond: report.modes.find((mode) => mode.key === "serialized")!.pairsPerSecond,
        concurrentPairsPerSecond: report.modes.find((mode) => mode.key === "concurrent")!.pairsPerSecond,
        concurrentOverSerialized: report.concurrentOverSerialized,
        maxScoreDifference: report.maxScoreDifference,
        longCallPairsPerSecond: report.longCall?.pairsPerSecond ?? null
    }));
    const checks: BenchCheck[] = [];
    for (const model of new Set(reports.map((report) => report.model.path))) {
        const runs = reports.filter((report) => report.model.path === model && report.longCall !== undefined);
        if (runs.length < 2) continue;
        const first = runs[0]!.longCall!.scores;
        // as in runConcurrentBench: a sequence's score in a batch of others moves in its last bits only
        const packingTolerance = Math.max(...runs.map((run) => packingToleranceOf(run.backend)));
        const difference = Math.max(...runs.slice(1).flatMap((run) => run.longCall!.scores.map((score, i) => Math.abs(score - first[i]!))));
        checks.push({
            name: `long call scores agree across slot settings (${path.basename(model)})`,
            passed: difference <= packingTolerance,
            detail: `slots ${runs.map((run) => run.backend.slots).join(" vs ")}: max |Δ| ${difference.toExponential(2)} over ${first.length} pairs (tolerance ${packingTolerance})`
        });
    }
    return { rows, checks };
}

export function formatConcurrentSummary(summary: ConcurrentSummary): string {
    const header = ["model", "slots", "serialized pairs/s", "concurrent pairs/s", "concurrent ÷ serialized", "max |Δ|", "long call pairs/s"];
    const rows = summary.rows.map((row) => [
        path.basename(row.model),
        String(row.slots),
        row.serializedPairsPerSecond.toFixed(2),
        row.concurrentPairsPerSecond.toFixed(2),
        row.concurrentOverSerialized.toFixed(3),
        row.maxScoreDifference.toExponential(1),
        row.longCallPairsPerSecond === null ? "-" : row.longCallPairsPerSecond.toFixed(2)
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
    return [
        "summary",
        line(header),
        line(widths.map((width) => "-".repeat(width))),
        ...rows.map(line),
        ...summary.checks.map((check) => `${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`)
    ].join("\n");
}
