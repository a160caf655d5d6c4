import type { ModelFileSummary } from "../gguf/inspectModelFile.js";
import type { AddonModel } from "../native/AddonTypes.js";

const userDefinedTokenType = 4;
const controlAttribute = 1 << 3;

/** USER_DEFINED tokens in the file that llama.cpp's loader flags as control (e.g. Gemma's "</s>"). */
export async function relabelledUserDefinedTokens(summary: ModelFileSummary, model: AddonModel, description: { bosToken: number; eosToken: number }) {
    const candidates: number[] = [];
    summary.tokenTypes.forEach((type, id) => {
        if (type === userDefinedTokenType && id !== description.bosToken && id !== description.eosToken) candidates.push(id);
    });
    const attributes = await model.tokenAttributes(Int32Array.from(candidates));
    return candidates.filter((_, i) => (attributes[i]! & controlAttribute) !== 0).map((id) => ({ text: summary.tokens[id]!, id }));
}
