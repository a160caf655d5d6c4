import type { ModelFileSummary } from "../gguf/inspectModelFile.js";
import type { AddonModel } from "../native/AddonTypes.js";

const userDefinedTokenType = 4;
const controlAttribute = 1 << 3;

/** USER_DEFINED tokens in the file that llama.cpp's loader flags as control (e.g. Gemma's "</s>"). */
export function relabelledUserDefinedTokens(summary: ModelFileSummary, model: AddonModel, description: { bosToken: number; eosToken: number }) {
    const literals: { text: string; id: number }[] = [];
    summary.tokenTypes.forEach((type, id) => {
        if (type !== userDefinedTokenType || id === description.bosToken || id === description.eosToken) return;
        if ((model.tokenAttributes(id) & controlAttribute) !== 0) literals.push({ text: summary.tokens[id]!, id });
    });
    return literals;
}
