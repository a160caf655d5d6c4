import type { SweepReport } from "../SweepReport.js";
import { formatSweepReport } from "../SweepReport.js";

export type GpuRunPhase = {
    name: "device" | "generate" | "agreement" | "sweep";
    seconds: number;
    detail: string;
};

export type GpuRunCheck = { name: string; passed: boolean; detail: string };

/** A model the run used: generated into the cache folder, or reused from an earlier run (or --model). */
export type GpuRunModel = {
    path: string;
    preset: string | null;
    bytes: number;
    /** Seconds it took to generate, or null when it was already there. */
    generatedSeconds: number | null;
};

/** What `llm-rerank bench --gpu-run` measured and checked, in the order it ran. */
export type GpuRunReport = {
    startedAt: string;
    wallSeconds: number;
    gpu: string;
    machine: { cpu: string; cores: number; memoryBytes: number; platform: string; node: string };
    phases: GpuRunPhase[];
    /** The llama.cpp binary node-llama-cpp loaded for the GPU, and our addon bound to it. */
    binary: {
        gpuApi: string | false;
        build: string;
        libllamaPath: string;
        addonPath: string;
        addonOrigin: string;
        systemInfo: string;
        devices: { name: string; description: string; totalBytes: number; freeBytes: number }[];
    };
    models: { agreement: GpuRunModel; sweep: GpuRunModel };
    /** The GPU's scores against the CPU's (a child process on node-llama-cpp's CPU build), same pairs, same file. */
    agreement: {
        pairs: number;
        /** The pairs: one query, each passage (generated from the seed). */
        query: string;
        passages: string[];
        /** The token ids scored for each pair, and the tokens whose logits make the score: enough to recompute each score exactly. */
        tokens: number[][];
        scoreTokens: { text: string; id: number }[];
        inputTokens: number;
        passageTokens: { min: number; max: number };
        gpuSlots: number;
        cpuBackend: string;
        gpuArithmetic: string;
        maxDifference: number;
        meanDifference: number;
        /** T_gpu + T_cpu (src/bench/errorBudget.ts, cpuAgreementTolerance), or null where no budget applies. */
        tolerance: number | null;
        toleranceDetail: string;
        cpuScores: number[];
        gpuScores: number[];
    };
    sweep: SweepReport;
    checks: GpuRunCheck[];
};

const MiB = 2 ** 20;

/** The run as text: phases and their times, the binary, the agreement, the sweep, every check. */
export function formatGpuRunReport(report: GpuRunReport): string {
    const { agreement, binary, models } = report;
    const model = (entry: GpuRunModel) =>
        `${entry.path} (${(entry.bytes / 1e9).toFixed(2)} GB, ${entry.generatedSeconds === null ? "reused" : `generated in ${entry.generatedSeconds.toFixed(1)} s`})`;
    return [
        `GPU run (${report.gpu}), ${report.startedAt}, ${report.wallSeconds.toFixed(1)} s in all; ${report.machine.cpu}, ${report.machine.cores} cores, ${(report.machine.memoryBytes / 2 ** 30).toFixed(0)} GiB`,
        ...report.phases.map((phase) => `  ${phase.name.padEnd(9)} ${phase.seconds.toFixed(1).padStart(7)} s  ${phase.detail}`),
        "",
        `binary: node-llama-cpp's ${binary.build} ${binary.gpuApi === false ? "cpu" : binary.gpuApi} build, ${binary.libllamaPath}`,
        `addon: ${binary.addonPath} (${binary.addonOrigin}), bound to it: ${binary.systemInfo.split("|")[0]!.trim()}`,
        ...binary.devices.map(
            (device) =>
                `device: ${device.name} ${device.description}, ${(device.totalBytes / MiB).toFixed(0)} MiB (${(device.freeBytes / MiB).toFixed(0)} free)`
        ),
        `models: agreement ${model(models.agreement)}; sweep ${model(models.sweep)}`,
        "",
        `agreement: ${agreement.pairs} pairs (${agreement.inputTokens} input tokens, passages ${agreement.passageTokens.min}–${agreement.passageTokens.max} tokens), GPU (${agreement.gpuSlots} slots, ${agreement.gpuArithmetic}) against ${agreement.cpuBackend}`,
        `  max |GPU − CPU| ${agreement.maxDifference.toExponential(2)}, mean ${agreement.meanDifference.toExponential(2)}; ${agreement.toleranceDetail}`,
        "",
        formatSweepReport(report.sweep),
        "",
        "GPU run checks:",
        ...report.checks.map((check) => `${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`)
    ].join("\n");
}
