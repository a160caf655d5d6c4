import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { LlamaRankingContext } from "node-llama-cpp";
import { InProcessHost } from "../../native/InProcessHost.js";
import { Reranker } from "../../Reranker.js";
import type { RerankerLoadOptions } from "../../RerankerOptions.js";
import { loadInstrumentedReranker } from "../loadInstrumentedReranker.js";
import { rankAcrossContexts } from "../peerRankingBench.js";
import { cpuUsage, cpuUsageSince } from "../processUsage.js";
import type { DesktopRowRequest, DesktopRowResult } from "./DesktopRow.js";
import { inspectModelFile } from "../../gguf/inspectModelFile.js";
import { llamaBuildForFile } from "../../load/llamaBuildForFile.js";
import { buildLabel } from "../buildLabel.js";

/**
 * One row of `bench --preset desktop`, alone in this process so that its peak RSS is its own and
 * only one model is loaded at a time: reads the request (JSON) on stdin, prints the result (JSON)
 * as the last line of stdout.
 */
async function main(): Promise<void> {
    const request = JSON.parse(readFileSync(0, "utf8")) as DesktopRowRequest;
    const result = request.kind === "in-process" || request.kind === "isolated" ? await runLibrary(request) : await runPeer(request);
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

async function runLibrary(request: DesktopRowRequest): Promise<DesktopRowResult> {
    const options: RerankerLoadOptions = {
        model: request.model,
        gpu: false,
        threads: request.threads,
        scoreCacheSize: 0,
        ...request.settings,
        onWarning: (warning) => console.error(`bench: warning: ${warning.message}`)
    };
    const pairs = request.documents.map((document) => [request.query, document] as [string, string]);
    const loadStarted = performance.now();
    const instrumented = request.kind === "in-process" ? await loadInstrumentedReranker(options) : undefined;
    const reranker = instrumented?.reranker ?? (await Reranker.load({ ...options, isolation: "process" }));
    try {
        const loadSeconds = (performance.now() - loadStarted) / 1000;
        await reranker.score([request.warmUp]);
        instrumented?.recorder.takeTally();
        const cpuStarted = cpuUsage();
        const started = performance.now();
        const scores = await reranker.score(pairs);
        const seconds = (performance.now() - started) / 1000;
        const cpuSeconds = request.kind === "in-process" ? cpuUsageSince(cpuStarted).cpuSeconds : undefined;
        const description = reranker.describe();
        const { slots, batchSize, ubatchSize, flashAttention } = description.settings;
        return {
            kind: request.kind,
            loadSeconds,
            seconds,
            cpuSeconds,
            scores,
            tally: instrumented?.recorder.takeTally(),
            setup: `${slots} slots, batch ${batchSize}, ubatch ${ubatchSize}${flashAttention ? ", flash attention" : ""}, maxLength ${description.maxLength}`,
            peakRssBytes: peakRssBytes(),
            backend: `${buildLabel(description.backend)}, ${description.model.weightType}`
        };
    } finally {
        await reranker.dispose();
    }
}

/** node-llama-cpp's LlamaRankingContext.rankAll, as peerRankingBench runs it: one context, or four dealt documents round-robin. */
async function runPeer(request: DesktopRowRequest): Promise<DesktopRowResult> {
    const contextCount = request.kind === "peer-4" ? 4 : 1;
    const loadStarted = performance.now();
    // the build the library's rows get for this file (chooseLlamaBuild: with a local BLAS build,
    // the prebuilt binaries for anything but F32), so both contenders run the same llama.cpp
    const { build } = llamaBuildForFile({ asked: "auto", gpu: false, isolated: false }, (await inspectModelFile(request.model)).weightType);
    const { llama } = await InProcessHost.get(false, build);
    const model = await llama.loadModel({ modelPath: request.model, gpuLayers: 0 });
    const contexts: LlamaRankingContext[] = [];
    try {
        for (let i = 0; i < contextCount; i++) contexts.push(await model.createRankingContext({ threads: request.threads, contextSize: 2048 }));
        const loadSeconds = (performance.now() - loadStarted) / 1000;
        await contexts[0]!.rankAll(request.warmUp[0], [request.warmUp[1]]);
        const { documents, query } = request;
        const cpuStarted = cpuUsage();
        const started = performance.now();
        const scores = await rankAcrossContexts(contexts, query, documents);
        const seconds = (performance.now() - started) / 1000;
        const { cpuSeconds } = cpuUsageSince(cpuStarted);
        return {
            kind: request.kind,
            loadSeconds,
            seconds,
            cpuSeconds,
            scores,
            peakRssBytes: peakRssBytes(),
            backend: `node-llama-cpp ${llama.buildType} build`
        };
    } finally {
        for (const context of contexts) await context.dispose();
        await model.dispose();
    }
}

/** This process's peak RSS plus the peak of each live child (isolation's host process), from /proc where there is one. */
function peakRssBytes(): number {
    let total = process.resourceUsage().maxRSS * 1024;
    try {
        for (const task of readdirSafe(`/proc/${process.pid}/task`)) {
            const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").trim();
            for (const child of children ? children.split(/\s+/) : []) {
                const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child}/status`, "utf8"));
                if (match) total += Number(match[1]) * 1024;
            }
        }
    } catch {
        // no /proc: the process's own peak only
    }
    return total;
}

function readdirSafe(path: string): string[] {
    try {
        return readdirSync(path);
    } catch {
        return [];
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
});
