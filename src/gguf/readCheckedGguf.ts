import { statSync } from "node:fs";
import { InvalidModelFileError, ModelNotFoundError } from "../errors/errors.js";
import { ggmlTypeName, tensorByteSize } from "./ggmlTypeSizes.js";
import { readGgufHeader, type GgufHeader, type GgufTensorInfo } from "./readGgufHeader.js";

export type CheckedGguf = {
    header: GgufHeader;
    /** The tensor infos and where their data starts (the field names node-llama-cpp's reader uses). */
    info: { tensorInfo: GgufTensorInfo[]; infoEndOffset: number };
    metadata: Record<string, Record<string, unknown>>;
    fileBytes: number;
    /** Tensor count per ggml type name, e.g. { F32: 20, F16: 9 }. */
    tensorTypes: Record<string, number>;
    /** The type of the largest 2-D tensor: what decides a model's precision. */
    weightType: string;
};

// ggml-impl.h TENSOR_ALIGNMENT: ggml_backend_cpu_buffer_from_ptr (ggml-backend.cpp:2515) asserts
// that the mmap'ed tensor data is aligned to it, so a file aligned to less aborts at load.
const minimumAlignment = 32;

/**
 * Reads a GGUF header with the library's own bounded reader (no llama.cpp, no node-llama-cpp
 * involved) and checks what no architecture may get wrong: the file exists, parses, holds tensors
 * with positive dimensions laid out as gguf.cpp requires, and every tensor's data lies inside the
 * file. llama.cpp maps tensor data without all of these checks.
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
    const header = await readGgufHeader(path, fileBytes);
    const { alignment, tensors } = header;
    if (alignment < minimumAlignment || (alignment & (alignment - 1)) !== 0) {
        throw new InvalidModelFileError(path, `general.alignment is ${alignment}; ggml needs a power of two of at least ${minimumAlignment}`);
    }
    if (tensors.length === 0) throw new InvalidModelFileError(path, "it holds no tensors");
    const tensorTypes: Record<string, number> = {};
    let largestTensor = { elements: 0, type: "F32" };
    let expectedOffset = 0;
    for (const tensor of tensors) {
        const { dimensions } = tensor;
        if (dimensions.length === 0 || dimensions.some((dimension) => dimension <= 0)) {
            throw new InvalidModelFileError(path, `tensor ${tensor.name} has invalid dimensions [${dimensions.join(", ")}]`);
        }
        const elements = dimensions.reduce((product, dimension) => product * dimension, 1);
        const typeName = ggmlTypeName(tensor.ggmlType);
        tensorTypes[typeName] = (tensorTypes[typeName] ?? 0) + 1;
        if (dimensions.length >= 2 && elements > largestTensor.elements) largestTensor = { elements, type: typeName };
        // gguf.cpp (gguf_init_from_reader, "tensor ... has offset ..., expected ...") requires each
        // tensor to start where the previous one's padded data ends
        if (tensor.offset !== expectedOffset) {
            throw new InvalidModelFileError(path, `tensor ${tensor.name} starts at data offset ${tensor.offset}, expected ${expectedOffset}`);
        }
        const bytes = tensorByteSize(tensor.ggmlType, elements)!;
        const end = header.dataOffset + tensor.offset + bytes;
        if (end > fileBytes) {
            throw new InvalidModelFileError(
                path,
                `tensor ${tensor.name} ends at byte ${end}, past the end of the file (${fileBytes} bytes): the file is truncated`
            );
        }
        expectedOffset += Math.ceil(bytes / alignment) * alignment;
    }
    return {
        header,
        info: { tensorInfo: tensors, infoEndOffset: header.dataOffset },
        metadata: header.metadata,
        fileBytes,
        tensorTypes,
        weightType: largestTensor.type
    };
}
