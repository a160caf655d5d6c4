import { statSync } from "node:fs";
import { readGgufFileInfo } from "node-llama-cpp";
import { InvalidModelFileError, ModelNotFoundError } from "../errors/errors.js";
import { checkGemmaTensors } from "./checkGemmaTensors.js";
import { ggmlTypeName, tensorByteSize } from "./ggmlTypeSizes.js";

export type ModelFileSummary = {
    path: string;
    architecture: string;
    names: string[];
    tokens: string[];
    /** Tensor count per ggml type name, e.g. { F32: 20, F16: 9 }. */
    tensorTypes: Record<string, number>;
    /** The type of the large 2-D weights: what decides the model's precision. */
    weightType: string;
    fileBytes: number;
};

/**
 * Reads a GGUF's header with node-llama-cpp's parser (no llama.cpp involved) and checks what would
 * make llama.cpp abort the process instead of failing gracefully: tensor data outside the file,
 * hyper-parameters that divide by zero, tensors whose shapes contradict the hyper-parameters.
 */
export async function inspectModelFile(path: string): Promise<ModelFileSummary> {
    let fileBytes: number;
    try {
        const stats = statSync(path);
        if (!stats.isFile()) throw new Error("not a regular file");
        fileBytes = stats.size;
    } catch (error) {
        throw new ModelNotFoundError(path, error);
    }
    let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
    try {
        info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false, sourceType: "filesystem" });
    } catch (error) {
        throw new InvalidModelFileError(path, (error as Error).message, error);
    }
    const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
    const general = metadata.general ?? {};
    const architecture = general.architecture;
    if (typeof architecture !== "string") throw new InvalidModelFileError(path, "general.architecture is missing");
    const tokenizer = (metadata.tokenizer as { ggml?: { tokens?: unknown } } | undefined)?.ggml;
    const tokens = Array.isArray(tokenizer?.tokens) ? (tokenizer.tokens as string[]) : [];
    if (tokens.length === 0) throw new InvalidModelFileError(path, "it has no tokenizer vocabulary (tokenizer.ggml.tokens)");

    const tensors = info.tensorInfo ?? [];
    if (tensors.length === 0) throw new InvalidModelFileError(path, "it holds no tensors");
    const tensorTypes: Record<string, number> = {};
    let largestTensor = { elements: 0, type: "F32" };
    const dataStart = info.infoEndOffset ?? 0;
    for (const tensor of tensors) {
        const dimensions = tensor.dimensions.map(Number);
        if (dimensions.some((dimension) => !Number.isSafeInteger(dimension) || dimension <= 0)) {
            throw new InvalidModelFileError(path, `tensor ${tensor.name} has invalid dimensions [${dimensions.join(", ")}]`);
        }
        const elements = dimensions.reduce((product, dimension) => product * dimension, 1);
        const typeName = ggmlTypeName(tensor.ggmlType);
        tensorTypes[typeName] = (tensorTypes[typeName] ?? 0) + 1;
        if (dimensions.length >= 2 && elements > largestTensor.elements) largestTensor = { elements, type: typeName };
        const bytes = tensorByteSize(tensor.ggmlType, elements);
        const end = Number(tensor.offset) + dataStart + (bytes ?? 0);
        if (end > fileBytes) {
            throw new InvalidModelFileError(path, `tensor ${tensor.name} ends at byte ${end}, past the end of the file (${fileBytes} bytes): the file is truncated`);
        }
    }
    if (architecture === "gemma") checkGemmaTensors(path, metadata.gemma ?? {}, tensors, tokens.length);

    const names = [general.name, general.basename, general.finetune].filter((name): name is string => typeof name === "string");
    return { path, architecture, names, tokens, tensorTypes, weightType: largestTensor.type, fileBytes };
}
