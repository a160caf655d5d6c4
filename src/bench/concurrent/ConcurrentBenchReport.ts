import type { BenchCheck } from "../BenchReport.js";

export type ConcurrentModeSummary = {
    key: "serialized" | "concurrent";
    label: string;
    /** Each round: every request of every client answered. */
    requestsPerRound: number;
    pairsPerRound: number;
    /** Median over rounds of pairs ÷ the round's wall time. */
    pairsPerSecond: number;
    /** Over every request of every round: from the client issuing it to its answer. */
    latencyP50Ms: number;
    latencyP95Ms: number;
    roundSeconds: number[];
};

/** What `llm-rerank bench --concurrent N` found, as written to --json. */
export type ConcurrentBenchReport = {
    startedAt: string;
    wallSeconds: number;
    machine: { cpu: string; cores: number; platform: string; node: string };
    model: { path: string; profile: string };
    backend: { gpu: string | false; build: string; blas: string | null; threads: number; slots: number; batchSize: number };
    workload: { clients: number; requestsPerClient: number; passagesPerRequest: number; seed: number; rounds: number; scoredTokensPerRound: number };
    modes: ConcurrentModeSummary[];
    /** (b) ÷ (a) in pairs/s: median over rounds of the ratio within each round. */
    concurrentOverSerialized: number;
    /** One long call (1 query × many 150–250-token passages) alone, rounds interleaved with the modes; its scores for comparing slot settings. */
    longCall?: {
        passages: number;
        passageTokens: { min: number; max: number };
        tokens: number;
        pairsPerSecond: number;
        roundSeconds: number[];
        scores: number[];
    };
    maxScoreDifference: number;
    checks: BenchCheck[];
    notes: string[];
};

export function formatConcurrentReport(report: ConcurrentBenchReport): string {
    const header = ["mode", "pairs/s", "p50 ms", "p95 ms", "requests", "pairs"];
    const rows = report.modes.map((mode) => [
        mode.label,
        mode.pairsPerSecond.toFixed(2),
        mode.latencyP50Ms.toFixed(0),
        mode.latencyP95Ms.toFixed(0),
        String(mode.requestsPerRound),
        String(mode.pairsPerRound)
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
    const { workload, backend, machine } = report;
    return [
        `model ${report.model.path} (${report.model.profile})`,
        `backend ${backend.gpu === false ? "cpu" : backend.gpu}, ${backend.build}, ${backend.threads} threads, ${backend.slots} slots, batch ${backend.batchSize}; ${machine.cpu}, ${machine.cores} cores`,
        `workload ${workload.clients} clients × ${workload.requestsPerClient} requests × ${workload.passagesPerRequest} passages ` +
            `(${workload.scoredTokensPerRound} tokens a round), ${workload.rounds} interleaved round(s), ${report.wallSeconds.toFixed(0)} s`,
        "",
        line(header),
        line(widths.map((width) => "-".repeat(width))),
        ...rows.map(line),
        "",
        `concurrent ÷ serialized, pairs/s: ${report.concurrentOverSerialized.toFixed(3)}`,
        ...(report.longCall
            ? [
                  `one long call (1 query × ${report.longCall.passages} passages of ${report.longCall.passageTokens.min}–${report.longCall.passageTokens.max} tokens, ` +
                      `${report.longCall.tokens} tokens): ${report.longCall.pairsPerSecond.toFixed(2)} pairs/s`
              ]
            : []),
        "",
        ...report.checks.map((check) => `${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`),
        ...report.notes
    ].join("\n");
}
