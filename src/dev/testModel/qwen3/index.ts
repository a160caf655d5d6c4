export { writeQwen3TestModel, qwen3RerankerVocabularySize, type WriteQwen3TestModelOptions } from "./writeQwen3TestModel.js";
export { qwen3TinyShape, type Qwen3Shape } from "../../../testModel/Qwen3Shape.js";
export { loadQwen3Vocabulary } from "./loadQwen3Vocabulary.js";
export type { BpeVocabulary } from "../../../testModel/BpeVocabulary.js";
