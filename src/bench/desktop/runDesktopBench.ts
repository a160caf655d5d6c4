import { spawn } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { DecodeTally } from "../RecordingContext.js";
import { BenchWorkload, type TokenRange } from "../BenchWorkload.js";
import { loadInstrumentedReranker } from "../loadInstrumentedReranker.js";
import { ModelFlops } from "../ModelFlops.js";
import type { DesktopLibrarySettings, DesktopRowKind, DesktopRowRequest, DesktopRowResult } from "./DesktopRow.js";
import { measureSgemmPeak, type SgemmPeak } from "./measureSgemmPeak.js";

export type DesktopBenchOptions = {
    model: string;
    /** Chunks scored for the one query (the preset: 30). */
    passages: number;
    passageTokens: TokenRange;
    queryTokens: TokenRange;
    seed: number;
    threads: number;
    rows: DesktopRowKind[];
    settings: DesktopLibrarySettings;
    /** Given by the user (--sgemm-peak); else measured in this run where numpy is at hand. */
    sgemmPeakGflops?: number;
};

export type DesktopBenchRow = DesktopRowResult & {
    label: string;
    pairsPerSecond: number;
    executedGflop: number;
    gflopsPerSecond: number;
    /** The largest |score − the in-process row's score| over the chunks. */
    maxScoreDifference?: number;
};

export type DesktopBenchReport = {
    startedAt: string;
    machine: { cpu: string; cores: number; loadBefore: number[]; loadAfter: number[] };
    model: string;
    threads: number;
    workload: {
        passages: number;
        passageTokens: TokenRange;
        seed: number;
        /** Tokens the library evaluates (the shared template-and-query prefix once), and every pair's whole input. */
        tokensEvaluated: number;
        tokensWithoutSharing: number;
        passageTokenCounts: number[];
    };
    sgemmPeak?: SgemmPeak;
    flopsCounted: string;
    rows: DesktopBenchRow[];
};

const labels: Record<DesktopRowKind, string> = {
    "in-process": "llm-rerank score(), in-process",
    isolated: 'llm-rerank score(), isolation: "process"',
    "peer-1": "node-llama-cpp rankAll, 1 context",
    "peer-4": "node-llama-cpp rankAll, 4 contexts"
};

/**
 * The desktop workload: one query against `passages` chunks of 150–1,000 tokens on a Qwen3-Reranker
 * shaped model, on the CPU. Each row runs alone in a child process of its own (one model loaded at
 * a time; its peak RSS its own), one after another, after an untimed warm-up pair.
 */
export async function runDesktopBench(options: DesktopBenchOptions, onProgress: (line: string) => void = () => undefined): Promise<DesktopBenchReport> {
    const started = new Date();
    const loadBefore = os.loadavg();
    const flops = await ModelFlops.fromModelFile(options.model);

    // Every chunk whole, as node-llama-cpp scores it: the chunk, the template (~70 tokens) and the
    // query, rounded up to whole 256-cell KV blocks (1,280 for the preset).
    const maxLength = Math.ceil((options.passageTokens.max + options.queryTokens.max + 128) / 256) * 256;
    const settings = { maxLength, ...options.settings };
    // the workload, tokenized as the library tokenizes it; the model is freed before any row starts
    const tokenizer = await loadInstrumentedReranker({ model: options.model, gpu: false, slots: 1, threads: options.threads, maxLength });
    let workload: BenchWorkload;
    let inputLengths: number[];
    try {
        const countTokens = async (text: string) => (await tokenizer.recorder.model.tokenize([text], false))[0]!.length;
        workload = await BenchWorkload.build(
            { queries: 1, passagesPerQuery: options.passages, queryTokens: options.queryTokens, passageTokens: options.passageTokens, seed: options.seed },
            countTokens,
            "",
            ""
        );
        const { query, passages } = workload.items[0]!;
        inputLengths = await Promise.all(passages.map(async (passage) => (await tokenizer.reranker.buildInput(query, passage)).length));
    } finally {
        await tokenizer.reranker.dispose();
    }
    const { query, passages } = workload.items[0]!;

    const sgemmPeak: SgemmPeak | undefined =
        options.sgemmPeakGflops !== undefined ? { gflops: options.sgemmPeakGflops, source: "--sgemm-peak" } : measureSgemmPeak(options.threads);

    // node-llama-cpp evaluates every pair's whole input; with rank pooling every token goes through
    // the last layer, and only the two-row classifier reads the pooled one
    const peerTally: DecodeTally = {
        decodes: passages.length,
        tokens: inputLengths.reduce((sum, length) => sum + length, 0),
        attendedKeys: inputLengths.reduce((sum, length) => sum + (length * (length + 1)) / 2, 0),
        outputs: 0,
        decodeMs: 0
    };
    const rows: DesktopBenchRow[] = [];
    let libraryTally: DecodeTally | undefined;
    for (const kind of options.rows) {
        onProgress(`bench: ${labels[kind]} …`);
        const result = await runRow({
            kind,
            model: options.model,
            query,
            documents: passages,
            threads: options.threads,
            settings: kind === "in-process" || kind === "isolated" ? settings : {},
            warmUp: ["warm up", "A short passage to warm up the context."]
        });
        if (result.tally) libraryTally = result.tally;
        const executedFlop =
            kind === "peer-1" || kind === "peer-4"
                ? flops.executed(peerTally) + peerTally.tokens * flops.lastLayerFeedForward
                : libraryTally
                  ? flops.executed(libraryTally)
                  : Number.NaN;
        const reference = rows.find((row) => row.kind === "in-process");
        rows.push({
            ...result,
            label: labels[kind],
            pairsPerSecond: passages.length / result.seconds,
            executedGflop: executedFlop / 1e9,
            gflopsPerSecond: executedFlop / 1e9 / result.seconds,
            maxScoreDifference: reference ? Math.max(...result.scores.map((score, i) => Math.abs(score - reference.scores[i]!))) : undefined
        });
        const row = rows.at(-1)!;
        onProgress(`bench: ${row.label}: ${row.seconds.toFixed(1)} s, ${row.pairsPerSecond.toFixed(2)} pairs/s`);
    }
    return {
        startedAt: started.toISOString(),
        machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, loadBefore, loadAfter: os.loadavg() },
        model: options.model,
        threads: options.threads,
        workload: {
            passages: passages.length,
            passageTokens: options.passageTokens,
            seed: options.seed,
            tokensEvaluated: libraryTally?.tokens ?? Number.NaN,
            tokensWithoutSharing: peerTally.tokens,
            passageTokenCounts: inputLengths
        },
        sgemmPeak,
        flopsCounted:
            `${flops.explanation} node-llama-cpp's rows: every pair's whole input (no prefix sharing), each token through the last layer's FFN too ` +
            "(rank pooling makes every token an output), no vocabulary matrix. The isolated row did the in-process row's work (its decodes run in the host process, out of the bench's reach).",
        rows
    };
}

/** Runs one row in a child process: the request on stdin, the result as the last line of stdout. */
function runRow(request: DesktopRowRequest): Promise<DesktopRowResult> {
    const script = fileURLToPath(new URL("./desktopRowMain.js", import.meta.url));
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "inherit"] });
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
        child.on("error", reject);
        child.on("close", (code) => {
            const last = output.trim().split("\n").at(-1) ?? "";
            if (code !== 0) return reject(new Error(`the ${request.kind} row's process exited with ${code}`));
            try {
                resolve(JSON.parse(last) as DesktopRowResult);
            } catch {
                reject(new Error(`the ${request.kind} row's process printed no result`));
            }
        });
        child.stdin.end(JSON.stringify(request));
    });
}

export function formatDesktopReport(report: DesktopBenchReport): string {
    const { workload, sgemmPeak } = report;
    const lines = [
        `llm-rerank bench --preset desktop: ${report.model}`,
        `${report.machine.cpu} (${report.machine.cores} cores), ${report.threads} threads; load ${report.machine.loadBefore.map((l) => l.toFixed(2)).join(" ")} before, ${report.machine.loadAfter.map((l) => l.toFixed(2)).join(" ")} after`,
        `1 query × ${workload.passages} chunks of ${workload.passageTokens.min}–${workload.passageTokens.max} tokens (seed ${workload.seed}); ` +
            `the library evaluates ${workload.tokensEvaluated} tokens, node-llama-cpp ${workload.tokensWithoutSharing} (every pair's whole input)`,
        sgemmPeak
            ? `F32 GEMM peak ${sgemmPeak.gflops.toFixed(0)} GFLOP/s (${sgemmPeak.source})`
            : "F32 GEMM peak: not measured (no python3 with numpy; give --sgemm-peak)",
        "",
        `${"row".padEnd(44)} ${"s/query".padStart(8)} ${"CPU s".padStart(7)} ${"pairs/s".padStart(8)} ${"peak RSS".padStart(9)} ${"GFLOP/s".padStart(8)} ${"of peak".padStart(8)} ${"max |Δ|".padStart(9)}  setup`
    ];
    const inProcess = report.rows.find((row) => row.kind === "in-process");
    for (const row of report.rows) {
        lines.push(
            `${row.label.padEnd(44)} ${row.seconds.toFixed(1).padStart(8)} ${(row.cpuSeconds === undefined ? "–" : row.cpuSeconds.toFixed(1)).padStart(7)} ${row.pairsPerSecond.toFixed(3).padStart(8)} ${`${(row.peakRssBytes / 2 ** 30).toFixed(2)} GiB`.padStart(9)} ` +
                `${Number.isFinite(row.gflopsPerSecond) ? row.gflopsPerSecond.toFixed(0).padStart(8) : "–".padStart(8)} ` +
                `${sgemmPeak && Number.isFinite(row.gflopsPerSecond) ? `${((row.gflopsPerSecond / sgemmPeak.gflops) * 100).toFixed(0)}%`.padStart(8) : "–".padStart(8)} ` +
                `${row.maxScoreDifference === undefined ? "–".padStart(9) : row.maxScoreDifference.toExponential(1).padStart(9)}  ${row.setup ?? ""}${row.setup ? "; " : ""}${row.backend}; load ${row.loadSeconds.toFixed(1)} s`
        );
    }
    if (inProcess)
        for (const row of report.rows.filter((row) => row.kind === "peer-1" || row.kind === "peer-4"))
            lines.push(`in-process ÷ ${row.label}: ${(row.seconds / inProcess.seconds).toFixed(2)}× faster`);
    lines.push(`FLOPs: ${report.flopsCounted}`);
    return lines.join("\n");
}
