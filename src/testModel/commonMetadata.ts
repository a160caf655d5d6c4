import { GgmlType } from "../gguf/GgmlType.js";
import type { GgufWriter } from "../gguf/GgufWriter.js";

// llama.cpp's llama_ftype
const fileTypeAllF32 = 0;
const fileTypeMostlyF16 = 1;
const fileTypeMostlyQ8_0 = 7;
const fileTypeMostlyBf16 = 32;

/**
 * How the matrices are stored: "f32", "f16" (IEEE binary16), "bf16" (bfloat16) or "q8_0" (the same
 * values quantized as llama-quantize's Q8_0 does). 1-D tensors stay F32.
 */
export type TestModelWeightType = "f32" | "f16" | "bf16" | "q8_0";

export const testModelWeightTypes: readonly TestModelWeightType[] = ["f32", "f16", "bf16", "q8_0"];

const matrixTypes: Record<TestModelWeightType, GgmlType> = { f32: GgmlType.F32, f16: GgmlType.F16, bf16: GgmlType.BF16, q8_0: GgmlType.Q8_0 };

export function matrixGgmlType(weightType: TestModelWeightType): GgmlType {
    return matrixTypes[weightType];
}

const fileTypes: Record<TestModelWeightType, number> = { f32: fileTypeAllF32, f16: fileTypeMostlyF16, bf16: fileTypeMostlyBf16, q8_0: fileTypeMostlyQ8_0 };

/** The `general.*` keys convert_hf_to_gguf.py writes first, whatever the architecture. */
export function setGeneralMetadata(
    writer: GgufWriter,
    general: { readonly architecture: string; readonly name: string; readonly weightType: TestModelWeightType }
): void {
    writer
        .setString("general.architecture", general.architecture)
        .setString("general.type", "model")
        .setString("general.name", general.name)
        .setUint32("general.file_type", fileTypes[general.weightType]);
}

/**
 * How the test model was generated: ignored by llama.cpp, lets tests and humans tell generated
 * models apart. Callers may append their own `llm_rerank.test_model.*` keys after these.
 */
export function setTestModelProvenance(
    writer: GgufWriter,
    provenance: { readonly preset: string; readonly seed: number; readonly weightType: TestModelWeightType }
): void {
    writer
        .setString("llm_rerank.test_model.preset", provenance.preset)
        .setUint32("llm_rerank.test_model.seed", provenance.seed)
        .setString("llm_rerank.test_model.weight_type", provenance.weightType);
}
