import type { GgmlType } from "./GgmlType.js";

/**
 * Fills `chunk` with the tensor's values starting at flat element index `firstElement`
 * (ggml order: ne0 varies fastest). The writer calls it with consecutive chunks,
 * in order, so a stateful generator may simply continue where it stopped.
 */
export type GgufTensorFill = (chunk: Float32Array, firstElement: number) => void;

export type GgufTensorSource = {
    readonly name: string;
    /** Dimensions in ggml order: ne0 (the contiguous one) first. */
    readonly shape: readonly number[];
    readonly type: GgmlType;
    readonly fill: GgufTensorFill;
};
