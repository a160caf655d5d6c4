export { GgufWriter } from "./GgufWriter.js";
export { GgmlType, bytesPerElement } from "./GgmlType.js";
export { GgufValueType } from "./GgufValueType.js";
export type { GgufMetadataEntry } from "./GgufMetadataEntry.js";
export type { GgufTensorFill, GgufTensorSource } from "./GgufTensorSource.js";
export { float32ToFloat16Bits, float32BitsToFloat16Bits } from "./float16.js";
export { float32ToBfloat16Bits, float32BitsToBfloat16Bits } from "./bfloat16.js";
