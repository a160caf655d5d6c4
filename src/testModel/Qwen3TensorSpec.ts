import type { GgmlType } from "../gguf/GgmlType.js";

/** Seeded uniform values with this mean and standard deviation. */
export type UniformValues = {
    readonly kind: "uniform";
    readonly center: number;
    readonly standardDeviation: number;
};

/** Copies of rows of another (uniform) tensor, in the order given: how the converter builds cls.output. */
export type CopiedRows = {
    readonly kind: "rows-of";
    readonly tensor: string;
    readonly rows: readonly number[];
};

/** One tensor of a generated Qwen3 model and where its values come from. */
export type Qwen3TensorSpec = {
    readonly name: string;
    /** ggml order: ne0 (input features of a projection) first. */
    readonly shape: readonly number[];
    readonly type: GgmlType;
    readonly values: UniformValues | CopiedRows;
};
