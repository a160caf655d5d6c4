import { statSync } from "node:fs";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { InvalidModelFileError, ModelNotFoundError } from "../errors/errors.js";
import { ggmlTypeName, tensorByteSize } from "./ggmlTypeSizes.js";

export type CheckedGguf = {
    info: GgufFileInfo;
    metadata: Record<string, Record<string, unknown>>;
    fileBytes: number;
    /** Tensor count per ggml type name, e.g. { F32: 20, F16: 9 }. */
    tensorTypes: Record<string, number>;
    /** The type of the largest 2-D tensor: what decides a model's precision. */
    weightType: string;
};

/**
 * Reads a GGUF header with node-llama-cpp's parser (no llama.cpp involved) and checks what no
 * architecture may get wrong: the file exists, parses, holds tensors with positive dimensions, and
 * every tensor's data lies inside the file. llama.cpp maps tensor data without all of these checks.
 */
export async function readCheckedGguf(path: string): Promise<CheckedGguf> {
    let fileBytes: number;
    try {
        const stats = statSync(path);
        if (!stats.isFile()) throw new Error("not a regular file");
        fileBytes = stats.size;
    } catch (error) {
        throw new ModelNotFoundError(path, error);
    }
    let info: GgufFileInfo;
    try {
        info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false, sourceType: "filesystem" });
    } catch (error) {
        throw new InvalidModelFileError(path, (error as Error).message, error);
    }
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
        const end = Number(tensor.offset) + dataStart + (tensorByteSize(tensor.ggmlType, elements) ?? 0);
        if (end > fileBytes) {
            throw new InvalidModelFileError(
                path,
                `tensor ${tensor.name} ends at byte ${end}, past the end of the file (${fileBytes} bytes): the file is truncated`
            );
        }
    }
    const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
    return { info, metadata, fileBytes, tensorTypes, weightType: largestTensor.type };
}
