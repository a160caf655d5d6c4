#!/usr/bin/env node
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BaseName } from "./HostileGgufCases.js";
import { formatHostileReport, runHostileGgufSuite } from "./runHostileGgufSuite.js";

// npm run fuzz:gguf -- --cases N [--seed S] [--jobs J] [--timeout SECONDS] [--bases gemma-compact=7,gemma=2,qwen3=1]
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const { values } = parseArgs({
    options: {
        cases: { type: "string", default: "2000" },
        seed: { type: "string", default: "1" },
        jobs: { type: "string", default: "2" },
        timeout: { type: "string", default: "60" },
        bases: { type: "string", default: "gemma-compact=7,gemma=2,qwen3=1" },
        gemma: { type: "string", default: path.join(packageRoot, "models", "tiny-gemma-f32.gguf") },
        qwen3: { type: "string" },
        verbose: { type: "boolean", default: false }
    }
});

const baseWeights = Object.fromEntries(
    values.bases.split(",").map((part) => {
        const [name, weight] = part.split("=");
        return [name as BaseName, Number(weight ?? 1)];
    })
) as Partial<Record<BaseName, number>>;

async function qwen3Model(): Promise<string | undefined> {
    if (values.qwen3 !== undefined) return values.qwen3;
    if ((baseWeights.qwen3 ?? 0) === 0) return undefined;
    const testCopy = path.join(packageRoot, "test", ".models", "qwen3-tiny-f32.gguf");
    if (existsSync(testCopy)) return testCopy;
    const cached = path.join(tmpdir(), "llm-rerank-fuzz", "qwen3-tiny-f32.gguf");
    if (!existsSync(cached)) {
        mkdirSync(path.dirname(cached), { recursive: true });
        process.stderr.write(`generating the tiny Qwen3 model into ${cached}\n`);
        const { writeQwen3TestModel } = await import("../testModel/qwen3/writeQwen3TestModel.js");
        await writeQwen3TestModel({ outPath: cached, seed: 42, weightType: "f32" });
    }
    return cached;
}

if (!existsSync(values.gemma)) {
    process.stderr.write(`${values.gemma} is missing: run npm install (it generates the tiny model) or pass --gemma PATH\n`);
    process.exit(2);
}
const options = {
    cases: Number(values.cases),
    seed: Number(values.seed),
    jobs: Number(values.jobs),
    timeoutMs: Number(values.timeout) * 1000,
    gemmaPath: values.gemma,
    qwen3Path: await qwen3Model(),
    baseWeights
};
const started = Date.now();
const report = await runHostileGgufSuite({
    ...options,
    onResult: (result, done) => {
        if (values.verbose)
            process.stderr.write(
                `#${result.index} ${result.outcome} [${result.base}] ${result.family}: ${result.description} -> ${result.detail.slice(0, 160)}\n`
            );
        else if (done % 50 === 0) process.stderr.write(`${done}/${options.cases} cases (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
});
process.stdout.write(formatHostileReport(report, options) + "\n");
process.stdout.write(`\n${report.runnersStarted} case runner processes, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
const bad = report.counts.abort + report.counts.hang + report.counts.nonFinite + report.counts.untyped;
process.exitCode = bad > 0 ? 1 : 0;
