/** One point of a slots × batch-size sweep. */
export type SweepPoint = {
    /** Asked for; slots is what the library used (fewer when they did not fit). */
    requestedSlots: number;
    slots: number;
    batchSize: number;
    pairsPerSecond: number;
    tokensPerSecond: number;
    latencyP50Ms: number;
    latencyP95Ms: number;
    /** llama.cpp's own accounting of the device memory it holds (weights, KV, compute); null on the CPU. */
    deviceBytes: number | null;
    /** The largest "used" the driver reported during the point (ggml_backend_dev_memory); null on the CPU. */
    peakVramUsedBytes: number | null;
    /** KV cache plus compute buffers (on the CPU: in RAM). */
    contextBytes: number;
    tokensEvaluated: number;
    maxScoreDifference: number;
};

export type SweepReport = {
    startedAt: string;
    wallSeconds: number;
    machine: { cpu: string; cores: number; platform: string; node: string };
    model: { path: string; weightType: string; layerCount: number; parameterCount: number };
    /** Where the layers ran, as llama.cpp reports it. */
    backend: {
        gpu: string | false;
        binary: string | false;
        build: string;
        arithmetic: string;
        devices: { name: string; description: string; totalBytes: number }[];
    };
    workload: { queries: number; passagesPerQuery: number; pairs: number; inputTokens: number; calls: number };
    points: SweepPoint[];
    best: SweepPoint;
    checks: { name: string; passed: boolean; detail: string }[];
    notes: string[];
};

const MiB = 2 ** 20;

/** The sweep as text: one row per point, then the best configuration and the exact checks. */
export function formatSweepReport(report: SweepReport): string {
    const header = ["slots", "batch", "pairs/s", "tok/s", "p50 ms", "p95 ms", "device MiB", "peak VRAM MiB", "ctx MiB", "tokens"];
    const rows = report.points.map((point) => [
        point.slots === point.requestedSlots ? String(point.slots) : `${point.slots} (of ${point.requestedSlots})`,
        String(point.batchSize),
        point.pairsPerSecond.toFixed(2),
        point.tokensPerSecond.toFixed(0),
        point.latencyP50Ms.toFixed(0),
        point.latencyP95Ms.toFixed(0),
        point.deviceBytes === null ? "—" : (point.deviceBytes / MiB).toFixed(0),
        point.peakVramUsedBytes === null ? "—" : (point.peakVramUsedBytes / MiB).toFixed(0),
        (point.contextBytes / MiB).toFixed(0),
        String(point.tokensEvaluated)
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join("  ");
    const { backend, best, model, workload } = report;
    const devices =
        backend.devices.length === 0
            ? "the CPU"
            : backend.devices.map((device) => `${device.name} ${device.description} (${(device.totalBytes / MiB).toFixed(0)} MiB)`).join(", ");
    return [
        `model ${model.path} (${model.layerCount} layers, ${(model.parameterCount / 1e6).toFixed(0)} M parameters, ${model.weightType})`,
        `backend ${backend.gpu === false ? "cpu" : backend.gpu} (node-llama-cpp ${backend.binary === false ? "cpu" : backend.binary} binary, ${backend.build}); layers on ${devices}; arithmetic ${backend.arithmetic}`,
        `workload ${workload.queries} × ${workload.passagesPerQuery} pairs per call, ${workload.inputTokens} input tokens, ${workload.calls} timed calls per point; ${report.wallSeconds.toFixed(0)} s`,
        "",
        line(header),
        line(widths.map((width) => "-".repeat(width))),
        ...rows.map(line),
        "",
        `best: slots ${best.slots}, batch size ${best.batchSize}: ${best.pairsPerSecond.toFixed(2)} pairs/s, ${best.tokensPerSecond.toFixed(0)} tokens/s` +
            (best.deviceBytes === null ? "" : `, ${(best.deviceBytes / MiB).toFixed(0)} MiB on the device`) +
            `  → Reranker.load({ slots: ${best.slots}, batchSize: ${best.batchSize} })`,
        "",
        ...report.checks.map((check) => `${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`),
        "",
        ...report.notes
    ].join("\n");
}
