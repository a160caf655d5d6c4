import type { ContenderSummary } from "./BenchSummary.js";

export type BenchCheck = { name: string; passed: boolean; detail: string };

export type BenchRatio = { name: string; value: number; detail?: string };

/** Everything a bench run found, as written to --json. */
export type BenchReport = {
    startedAt: string;
    wallSeconds: number;
    machine: { cpu: string; cores: number; platform: string; node: string };
    model: { path: string; parameterCount: number; nonEmbeddingParameters: number; weightType: string };
    /** threads: of every configuration, or of each in turn (--compare-threads), e.g. "1, 2". */
    /** blas: the BLAS of this process's build (rows in child processes name their own), or null. */
    backend: {
        gpu: string | false;
        build: string;
        blas: string | null;
        libllamaPath: string;
        threads: string;
        systemInfo: string;
        /** node-llama-cpp's binary (its GPU API even where that API found no device). */
        binary?: string | false;
        /** The devices llama.cpp put the layers on: ggml name and the driver's description. */
        devices?: string[];
        /** Why gpu "auto" runs on the CPU, when it does. */
        fallback?: string;
        arithmetic?: string;
        /** llama.cpp's own accounting of what (c) holds in device memory. */
        deviceBytesUsed?: number | null;
    };
    workload: {
        queries: number;
        passagesPerQuery: number;
        queryTokens: { min: number; max: number; mean: number };
        passageTokens: { min: number; max: number; mean: number };
        inputTokens: { min: number; max: number; mean: number };
        sharedPrefixTokens: { min: number; max: number; mean: number };
        seed: number;
        rounds: number;
    };
    flopsCounted: string;
    /** As given with --sgemm-peak: the measured limit the GFLOP/s column is set against. */
    sgemmPeakGflops?: number;
    contenders: ContenderSummary[];
    ratios: BenchRatio[];
    checks: BenchCheck[];
    peakRssBytes: number;
    vram?: { total: number; used: number };
    notes: string[];
};

/** The report as text: one table row per configuration, then ratios and checks. */
export function formatReport(report: BenchReport): string {
    const header = [
        "configuration",
        "pairs/s",
        "tok/s",
        "tokens",
        "decodes",
        "p50 ms",
        "p95 ms",
        "GFLOP/s",
        ...(report.sgemmPeakGflops ? ["of peak"] : []),
        "in decode",
        "cores",
        "RSS MiB",
        "private MiB",
        "loop p99 ms"
    ];
    const rows = report.contenders.map((summary) => [
        summary.label,
        summary.pairsPerSecond.toFixed(2),
        summary.tokensPerSecond.toFixed(0),
        String(summary.tokensEvaluated),
        String(summary.decodes),
        summary.latencyP50Ms.toFixed(0),
        summary.latencyP95Ms.toFixed(0),
        summary.executedGflopPerSecond.toFixed(1),
        ...(report.sgemmPeakGflops ? [`${((summary.executedGflopPerSecond / report.sgemmPeakGflops) * 100).toFixed(0)}%`] : []),
        `${(summary.decodeShare * 100).toFixed(1)}%`,
        summary.coresUsed.toFixed(2),
        (summary.peakRssBytes / 2 ** 20).toFixed(0),
        summary.peakPrivateBytes === null ? "—" : (summary.peakPrivateBytes / 2 ** 20).toFixed(0),
        summary.loopDelayP99Ms === null ? "—" : summary.loopDelayP99Ms.toFixed(1)
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
    const { workload, backend, machine, model } = report;
    const out = [
        `model ${model.path} (${(model.nonEmbeddingParameters / 1e6).toFixed(0)} M non-embedding parameters, ${model.weightType})`,
        `backend ${backend.gpu === false ? "cpu" : backend.gpu}, ${backend.build}${backend.blas ? ` + ${backend.blas}` : ""} (${backend.libllamaPath}), ${backend.threads} threads; ${machine.cpu}, ${machine.cores} cores`,
        `layers on ${backend.devices && backend.devices.length > 0 ? backend.devices.join(", ") : "the CPU"}` +
            (backend.deviceBytesUsed ? `, ${(backend.deviceBytesUsed / 2 ** 20).toFixed(0)} MiB held there by (c)` : "") +
            (backend.fallback ? ` (${backend.fallback})` : "") +
            (backend.arithmetic ? `; arithmetic ${backend.arithmetic}` : ""),
        `workload ${workload.queries} × ${workload.passagesPerQuery} pairs, query ${workload.queryTokens.min}–${workload.queryTokens.max} tokens, ` +
            `passage ${workload.passageTokens.min}–${workload.passageTokens.max} (mean ${workload.passageTokens.mean.toFixed(0)}), ` +
            `input ${workload.inputTokens.min}–${workload.inputTokens.max}, shared prefix ${workload.sharedPrefixTokens.min}–${workload.sharedPrefixTokens.max}; ` +
            `${workload.rounds} interleaved round(s), ${report.wallSeconds.toFixed(0)} s`,
        "",
        line(header),
        line(widths.map((width) => "-".repeat(width))),
        ...rows.map(line),
        "",
        ...report.ratios.map((ratio) => `${ratio.name}: ${ratio.value.toFixed(3)}${ratio.detail ? `  (${ratio.detail})` : ""}`),
        "",
        ...report.checks.map((check) => `${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`),
        "",
        `peak RSS of this process ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB` +
            (report.vram ? `; VRAM used ${(report.vram.used / 2 ** 20).toFixed(0)} of ${(report.vram.total / 2 ** 20).toFixed(0)} MiB` : ""),
        `GFLOP/s counts ${report.flopsCounted}`,
        ...(report.sgemmPeakGflops ? [`of peak: executed GFLOP/s ÷ the SGEMM rate given with --sgemm-peak (${report.sgemmPeakGflops} GFLOP/s)`] : []),
        "cores: CPU time ÷ wall time of the process while that row ran; under its thread count, other processes had the cores (the machine was busy).",
        "loop p99 ms: 99th percentile of how late a 10 ms timer on this process's event loop fired while that configuration ran (worst round).",
        ...report.notes
    ];
    return out.join("\n");
}
