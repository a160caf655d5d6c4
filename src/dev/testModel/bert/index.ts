export { writeBertTestModel, bertTestVocabulary, type WriteBertTestModelOptions } from "./writeBertTestModel.js";
export { bertTinyShape, type BertShape } from "./BertShape.js";
export { unigramTokenizerJson, unigramTokenizerConfig } from "./unigramTokenizerJson.js";
export type { UnigramVocabulary } from "./UnigramVocabulary.js";
