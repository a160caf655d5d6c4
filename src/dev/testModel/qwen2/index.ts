export { writeQwen2TestModel, loadQwen25Vocabulary, qwen25VocabularySize, type WriteQwen2TestModelOptions } from "./writeQwen2TestModel.js";
export { qwen2TinyShape, type Qwen2Shape } from "./Qwen2Shape.js";
export { qwen25TokenizerFiles, qwen25LastAddedTokenId } from "./qwen25TokenizerFiles.js";
