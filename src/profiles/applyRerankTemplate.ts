import type { ChatTemplateProfile } from "./ModelProfile.js";

const userTurnStart = "<|im_start|>user\n";

/**
 * The profile with its template taken from the GGUF's tokenizer.chat_template.rerank (what
 * convert_hf_to_gguf.py writes for Qwen3-Reranker: the card's template, with {query} and
 * {document} in the user turn and the default instruction spelled out). The text before the user
 * turn's content and after {document} become the template's prefix and suffix (parsed for special
 * tokens); the user turn stays plain text. The profile's default instruction, where the template
 * spells it, becomes {instruction} again, so the prompt option still applies.
 *
 * Returns undefined when the template does not have that shape; the caller keeps the profile's own.
 */
export function applyRerankTemplate(profile: ChatTemplateProfile, template: string): ChatTemplateProfile | undefined {
    const query = template.indexOf("{query}");
    const document = template.indexOf("{document}");
    if (query < 0 || document < query || template.indexOf("{query}", query + 1) >= 0 || template.indexOf("{document}", document + 1) >= 0) return undefined;
    const userStart = template.lastIndexOf(userTurnStart, query);
    if (userStart < 0) return undefined;
    const contentStart = userStart + userTurnStart.length;
    const contentEnd = document + "{document}".length;
    const userTemplate = template.slice(contentStart, contentEnd);
    const withInstruction = profile.prompt.length > 0 ? userTemplate.split(profile.prompt).join("{instruction}") : userTemplate;
    return { ...profile, templatePrefix: template.slice(0, contentStart), userTemplate: withInstruction, templateSuffix: template.slice(contentEnd) };
}
