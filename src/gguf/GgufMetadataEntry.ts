import { GgufValueType } from "./GgufValueType.js";

/** One metadata key/value, tagged with the GGUF type it is written as. */
export type GgufMetadataEntry =
    | { readonly type: typeof GgufValueType.uint32; readonly value: number }
    | { readonly type: typeof GgufValueType.int32; readonly value: number }
    | { readonly type: typeof GgufValueType.float32; readonly value: number }
    | { readonly type: typeof GgufValueType.bool; readonly value: boolean }
    | { readonly type: typeof GgufValueType.string; readonly value: string }
    | { readonly type: typeof GgufValueType.array; readonly elementType: typeof GgufValueType.string; readonly value: readonly string[] }
    | { readonly type: typeof GgufValueType.array; readonly elementType: typeof GgufValueType.float32; readonly value: ArrayLike<number> }
    | { readonly type: typeof GgufValueType.array; readonly elementType: typeof GgufValueType.int32; readonly value: ArrayLike<number> };
