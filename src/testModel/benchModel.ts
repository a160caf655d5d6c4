import { existsSync } from "node:fs";
import path from "node:path";
import type { TestModelWeightType } from "./commonMetadata.js";
import type { GemmaVocabulary } from "./GemmaVocabulary.js";
import { syntheticGemmaVocabulary } from "./syntheticGemmaVocabulary.js";
import type { TestModelPresetName } from "./TestModelPreset.js";
import { planGemmaModel, writeGemmaModel } from "./writeGemmaModel.js";
import type { BpeVocabulary } from "./BpeVocabulary.js";
import { qwen3RerankerShape } from "./Qwen3Shape.js";
import { syntheticQwen3Vocabulary } from "./syntheticQwen3Vocabulary.js";
import { planQwen3Model, writeQwen3Model, type Qwen3ModelOptions } from "./writeQwen3Model.js";
import type { GgufWriter } from "../gguf/GgufWriter.js";

/**
 * The presets `llm-rerank bench` generates: Gemma-2b's layer width with 2 layers ("bench"), or its
 * whole depth ("gemma-2b"); "tiny" (n_embd 64, 2 layers, ~66 MB with the synthetic vocabulary) for
 * `bench --concurrent`, where a decode is mostly fixed overhead; the GPU run (bench --gpu-run) also
 * generates the shallow test shapes ("tiny", "mid") for its CPU agreement check; "desktop":
 * Qwen3-Reranker-0.6B's shape (28 layers, n_embd 1024, tied output).
 */
export type BenchModelPreset = TestModelPresetName | "desktop";

export type BenchModelSpec = {
    readonly preset: BenchModelPreset;
    readonly seed: number;
    readonly weightType: TestModelWeightType;
};

export const benchModelSeed = 42;

let vocabulary: GemmaVocabulary | undefined;
// built once per process: planning and writing both need it
const benchVocabulary = (): GemmaVocabulary => (vocabulary ??= syntheticGemmaVocabulary());
let qwen3Vocabulary: BpeVocabulary | undefined;
const desktopVocabulary = (): BpeVocabulary => (qwen3Vocabulary ??= syntheticQwen3Vocabulary());

function desktopModelOptions(outPath: string, spec: BenchModelSpec): Qwen3ModelOptions {
    return {
        outPath,
        shape: qwen3RerankerShape,
        // "Qwen3-Reranker" in the name picks the qwen3-reranker profile
        name: "llm-rerank bench Qwen3-Reranker-0.6B shape",
        preset: spec.preset,
        seed: spec.seed,
        weightType: spec.weightType,
        rerankHead: true
    };
}

function plannedWriter(outPath: string, spec: BenchModelSpec): GgufWriter {
    return spec.preset === "desktop"
        ? planQwen3Model(desktopModelOptions(outPath, spec), desktopVocabulary())
        : planGemmaModel({ outPath, ...spec, preset: spec.preset }, benchVocabulary());
}

/**
 * The file a bench model is generated into, named by everything that decides its bytes, so that a
 * second run finds it and another preset, seed or weight type never reuses it.
 */
export function benchModelPath(directory: string, spec: BenchModelSpec): string {
    return path.join(path.resolve(directory), `llm-rerank-bench-${spec.preset}-seed${spec.seed}-${spec.weightType}.gguf`);
}

export type PlannedBenchModel = {
    readonly path: string;
    readonly bytes: number;
    readonly exists: boolean;
};

/** Where the model goes and how large it will be, without writing or generating any weight. */
export function planBenchModel(directory: string, spec: BenchModelSpec): PlannedBenchModel {
    const outPath = benchModelPath(directory, spec);
    const bytes = plannedWriter(outPath, spec).plannedByteLength();
    return { path: outPath, bytes, exists: existsSync(outPath) };
}

/**
 * The bench model's path, generated first when the cache folder lacks it: seeded random weights
 * and a synthetic vocabulary of Gemma's size (no tokenizer package needed), streamed to a
 * ".partial" file and renamed into place when whole.
 */
export async function ensureBenchModel(
    directory: string,
    spec: BenchModelSpec,
    onGenerate: (planned: PlannedBenchModel) => void = () => undefined,
    onProgress?: (writtenBytes: number, totalBytes: number) => void
): Promise<{ path: string; generated: boolean }> {
    const planned = planBenchModel(directory, spec);
    if (planned.exists) return { path: planned.path, generated: false };
    onGenerate(planned);
    if (spec.preset === "desktop") await writeQwen3Model(desktopModelOptions(planned.path, spec), desktopVocabulary(), onProgress);
    else await writeGemmaModel({ outPath: planned.path, ...spec, preset: spec.preset }, benchVocabulary(), onProgress);
    return { path: planned.path, generated: true };
}

/** What the bench says under its results when it ran on a generated model. */
export const generatedModelNote =
    "note: a generated model (seeded random weights, a synthetic vocabulary of the real model's size): it runs as fast as a real model of its shape, but its scores mean nothing.";
