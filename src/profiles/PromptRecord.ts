import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { InvalidArgumentError } from "../errors/errors.js";

/**
 * The sidecar `<model>.rerank.json`: which profile and prompt the model (or its LoRA adapter) was
 * trained with. Written by `llm-rerank profile` or `llm-rerank export-train`, read at load so a
 * different prompt at inference is reported instead of silently degrading every score.
 */
export type PromptRecord = {
    profile: string;
    prompt: string;
};

export function promptRecordPath(modelPath: string): string {
    return `${modelPath.replace(/\.gguf$/i, "")}.rerank.json`;
}

export function readPromptRecord(modelPath: string): PromptRecord | undefined {
    const recordPath = promptRecordPath(modelPath);
    if (!existsSync(recordPath)) return undefined;
    let record: unknown;
    try {
        record = JSON.parse(readFileSync(recordPath, "utf8"));
    } catch (error) {
        throw new InvalidArgumentError(`${recordPath} is not valid JSON: ${(error as Error).message}`);
    }
    const { profile, prompt } = (record ?? {}) as Record<string, unknown>;
    if (typeof profile !== "string" || typeof prompt !== "string") {
        throw new InvalidArgumentError(`${recordPath} must hold {"profile": string, "prompt": string}`);
    }
    return { profile, prompt };
}

export function writePromptRecord(modelPath: string, record: PromptRecord): string {
    const recordPath = promptRecordPath(modelPath);
    writeFileSync(recordPath, JSON.stringify(record, null, 2) + "\n");
    return recordPath;
}
