import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { GgufWriter } from "../../../gguf/GgufWriter.js";
import { loadQwen3Vocabulary } from "../qwen3/loadQwen3Vocabulary.js";
import { qwen3RerankerVocabularySize } from "../qwen3/writeQwen3TestModel.js";
import { seededUniformFill } from "../../../testModel/seededUniformFill.js";
import { writeGgufAtomically, type WrittenTestModel } from "../../../testModel/writeGgufAtomically.js";
import { bertBenchShape, bertTinyShape, jinaRerankerV2TinyShape } from "./BertShape.js";
import { buildUnigramVocabulary } from "./buildUnigramVocabulary.js";
import { planBertTensors } from "./planBertTensors.js";
import { setBertMetadata } from "./setBertMetadata.js";
import { unigramTokenizerConfig, unigramTokenizerJson } from "./unigramTokenizerJson.js";
import type { UnigramVocabulary } from "./UnigramVocabulary.js";

export type WriteBertTestModelOptions = {
    readonly outPath: string;
    /** Any uint32; the same seed (and options) always produce a byte-identical file. Default 42. */
    readonly seed?: number;
    readonly weightType?: "f32" | "f16";
    /** "tiny" (default, tests) or "bench" (bge-reranker-v2-m3's layer width, 2 layers). */
    readonly shape?: "tiny" | "bench";
    /**
     * "classifier" (default): RoBERTa's head, cls + cls.output with one label. "none": no head at
     * all, as an embedding model (bge-m3) converts. "three-labels": a 3-class classifier. The last
     * two are for testing the library's refusals.
     */
    readonly head?: "classifier" | "none" | "three-labels";
    /** Where to write the same vocabulary as an HF tokenizer.json and tokenizer_config.json (a folder). */
    readonly tokenizerDir?: string;
    /**
     * "bge-reranker-v2-m3" (default): XLM-R's separate Q, K, V. "jina-reranker-v2": the layout the
     * converter writes for jinaai/jina-reranker-v2-base-multilingual (fused attn_qkv, 1024
     * positions, add_space_prefix false, its name). `nameless` leaves general.name neutral, so only
     * the tensors tell the families apart.
     */
    readonly family?: "bge-reranker-v2-m3" | "jina-reranker-v2";
    readonly nameless?: boolean;
};

/** 3000 Latin and 1500 other-script word pieces: about 6,000 pieces with their characters. */
export async function bertTestVocabulary(): Promise<UnigramVocabulary> {
    return buildUnigramVocabulary(await loadQwen3Vocabulary(qwen3RerankerVocabularySize), { latinPieces: 3000, otherPieces: 1500 });
}

/**
 * Writes a tiny `bert` (XLM-RoBERTa sequence classifier) GGUF with seeded weights and a generated
 * Unigram vocabulary (see buildUnigramVocabulary), as llama.cpp loads a converted bge-reranker-v2-m3.
 */
export async function writeBertTestModel(options: WriteBertTestModelOptions): Promise<WrittenTestModel> {
    const { outPath, seed = 42, weightType = "f32" } = options;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (weightType !== "f32" && weightType !== "f16") throw new Error(`weightType must be "f32" or "f16", got "${String(weightType)}"`);
    const vocabulary = await bertTestVocabulary();
    const writer = new GgufWriter();
    const family = options.family ?? "bge-reranker-v2-m3";
    const jina = family === "jina-reranker-v2";
    if (jina && options.shape === "bench") throw new Error("the bench shape is bge-reranker-v2-m3's");
    const shape = jina ? jinaRerankerV2TinyShape : options.shape === "bench" ? bertBenchShape : bertTinyShape;
    const size = options.shape ?? "tiny";
    setBertMetadata(
        writer,
        shape,
        vocabulary,
        {
            name: options.nameless ? `llm-rerank test bert ${size}` : `llm-rerank test ${family} ${size}`,
            preset: jina ? `jina-reranker-v2-${size}` : `bert-${size}`,
            seed,
            weightType
        },
        !jina
    );
    const head = options.head ?? "classifier";
    if (head === "three-labels") writer.setStringArray("bert.classifier.output_labels", ["negative", "neutral", "positive"]);
    const labels = head === "three-labels" ? 3 : head === "none" ? 0 : 1;
    for (const spec of planBertTensors(shape, vocabulary.pieces.length, weightType, labels, jina ? "fused-qkv" : "separate")) {
        writer.addTensor({
            name: spec.name,
            shape: spec.shape,
            type: spec.type,
            fill: seededUniformFill(seed, spec.name, spec.center, spec.standardDeviation)
        });
    }
    if (options.tokenizerDir !== undefined) {
        await mkdir(options.tokenizerDir, { recursive: true });
        await writeFile(path.join(options.tokenizerDir, "tokenizer.json"), JSON.stringify(unigramTokenizerJson(vocabulary)));
        await writeFile(
            path.join(options.tokenizerDir, "tokenizer_config.json"),
            JSON.stringify(unigramTokenizerConfig(vocabulary, shape.contextLength), null, 2)
        );
    }
    return writeGgufAtomically(writer, outPath);
}
