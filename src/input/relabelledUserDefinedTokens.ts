import type { ModelFileSummary } from "../gguf/inspectModelFile.js";
import type { AddonModel } from "../native/AddonTypes.js";

const userDefinedTokenType = 4;
const controlAttribute = 1 << 3;

/** USER_DEFINED tokens in the file that llama.cpp's loader flags as control (e.g. Gemma's "</s>"). */
export async function relabelledUserDefinedTokens(
    summary: ModelFileSummary,
    model: AddonModel,
    description: { bosToken: number; eosToken: number; vocabularySize: number }
) {
    const candidates: number[] = [];
    summary.tokenTypes.forEach((type, id) => {
        // token_type may be longer than the vocabulary (llama.cpp only needs it to be no shorter):
        // only ids in [0, n_vocab) may reach llama_vocab_get_attr
        if (id >= description.vocabularySize) return;
        if (type === userDefinedTokenType && id !== description.bosToken && id !== description.eosToken) candidates.push(id);
    });
    const attributes = await model.tokenAttributes(Int32Array.from(candidates));
    return candidates.filter((_, i) => (attributes[i]! & controlAttribute) !== 0).map((id) => ({ text: summary.tokens[id]!, id }));
}
