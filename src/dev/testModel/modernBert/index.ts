export { writeModernBertTestModel, modernBertTestVocabulary, type WriteModernBertTestModelOptions } from "./writeModernBertTestModel.js";
export { modernBertTinyShape, type ModernBertShape } from "./ModernBertShape.js";
