import { InvalidModelFileError } from "../errors/errors.js";
import { readCheckedGguf } from "./readCheckedGguf.js";

/**
 * Checks a LoRA adapter GGUF before llama.cpp loads it against a model: it must be a LoRA adapter
 * for the same architecture, with its lora_a/lora_b tensors in pairs of matching rank.
 */
export async function inspectAdapterFile(path: string, modelArchitecture: string): Promise<void> {
    const { info, metadata } = await readCheckedGguf(path);
    const general = metadata.general ?? {};
    if (general.type !== "adapter" || (metadata.adapter as Record<string, unknown> | undefined)?.type !== "lora") {
        throw new InvalidModelFileError(path, 'it is not a LoRA adapter (general.type "adapter", adapter.type "lora")');
    }
    if (general.architecture !== modelArchitecture) {
        throw new InvalidModelFileError(path, `the adapter is for "${String(general.architecture)}", the model is "${modelArchitecture}"`);
    }
    const shapes = new Map((info.tensorInfo ?? []).map((tensor) => [tensor.name, tensor.dimensions.map(Number)]));
    for (const [name, shape] of shapes) {
        if (!name.endsWith(".lora_a")) continue;
        const partner = shapes.get(name.replace(/\.lora_a$/, ".lora_b"));
        if (!partner) throw new InvalidModelFileError(path, `${name} has no matching lora_b tensor`);
        if (shape.length !== 2 || partner.length !== 2 || shape[1] !== partner[0]) {
            throw new InvalidModelFileError(path, `${name} [${shape.join(", ")}] and its lora_b [${partner.join(", ")}] disagree on the rank`);
        }
    }
}
