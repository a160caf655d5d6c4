import { UnsupportedModelError } from "../errors/errors.js";
import type { ModelProfile } from "./ModelProfile.js";

/**
 * The profile's input builder and score tokens were written for one tokenizer: llama.cpp builds
 * another from a different tokenizer.ggml.model (a WordPiece vocabulary in a Gemma file reaches
 * llama-vocab.cpp token_to_byte:3163, GGML_ABORT for WPM) or tokenizer.ggml.pre. BPE files
 * without tokenizer.ggml.pre get llama.cpp's "default" pre-tokenizer (llama-vocab.cpp:2133).
 */
export function checkProfileTokenizer(path: string, profile: ModelProfile, tokenizer: { model: string; pre: string | undefined }): void {
    // a profile file written before these fields existed lists no tokenizer: nothing to hold it to
    if (profile.tokenizerModels !== undefined && !profile.tokenizerModels.includes(tokenizer.model)) {
        throw new UnsupportedModelError(
            `${path} uses the tokenizer "${tokenizer.model}"; profile ${profile.name} serves ${profile.tokenizerModels.map((m) => `"${m}"`).join(", ")}`
        );
    }
    const pre = tokenizer.pre ?? "default";
    if (profile.tokenizerPre !== undefined && !profile.tokenizerPre.includes(pre)) {
        throw new UnsupportedModelError(
            `${path} uses the pre-tokenizer "${pre}"; profile ${profile.name} serves ${profile.tokenizerPre.map((p) => `"${p}"`).join(", ")}`
        );
    }
}
