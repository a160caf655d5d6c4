export { writeTestModel, type WriteTestModelOptions, type WrittenTestModel } from "./writeTestModel.js";
export { testModelPresets, type GemmaShape, type TestModelPresetName } from "./TestModelPreset.js";
export { loadGemmaVocabulary } from "./loadGemmaVocabulary.js";
export type { GemmaVocabulary } from "./GemmaVocabulary.js";
export { SentencePieceTokenType } from "./SentencePieceTokenType.js";
