import { closeSync, copyFileSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { encodeImage, readGgufImage, removeEntry, type GgufImage, type ImageTensor } from "../../src/dev/fuzz/GgufImage.js";
import { GgmlType } from "../../src/gguf/GgmlType.js";
import { readGgufHeader } from "../../src/gguf/readGgufHeader.js";

/**
 * Broken copies of the generated test models, for the health check: each edit does to an F32
 * tensor what a failed conversion or a damaged file does. Written by re-encoding the generated
 * file (src/dev/fuzz/GgufImage.ts), so everything else stays byte for byte as the writers made it.
 */
export type TensorEdit = (image: GgufImage) => void;

export async function writeEditedModel(source: string, target: string, edits: TensorEdit[]): Promise<string> {
    const image = await readGgufImage(source);
    for (const edit of edits) edit(image);
    const { chunks } = encodeImage(image);
    const descriptor = openSync(target, "w");
    try {
        for (const chunk of chunks) writeSync(descriptor, chunk);
    } finally {
        closeSync(descriptor);
    }
    return target;
}

/** Rows of one F32 tensor to overwrite in place: `values` gives each row's new values from its old ones. */
export type RowPatch = { tensor: string; rows: (tokenId: (text: string) => number) => number[]; values: (row: Float32Array) => Float32Array };

/**
 * A copy of the file with some F32 rows rewritten where they lie: no re-encoding, so it costs a file
 * copy and a few small writes (what a structural edit, such as adding a tensor, cannot do).
 */
export async function writePatchedModel(source: string, target: string, patches: RowPatch[]): Promise<string> {
    const header = await readGgufHeader(source, statSync(source).size);
    const tokens = header.entries.get("tokenizer.ggml.tokens")!.value as string[];
    const idOf = (text: string) => {
        const id = tokens.indexOf(text);
        if (id < 0) throw new Error(`no "${text}" token`);
        return id;
    };
    copyFileSync(source, target);
    const descriptor = openSync(target, "r+");
    try {
        for (const patch of patches) {
            const info = header.tensors.find((candidate) => candidate.name === patch.tensor);
            if (!info || info.ggmlType !== GgmlType.F32) throw new Error(`${patch.tensor} is not an F32 tensor of ${source}`);
            const rowBytes = info.dimensions[0]! * 4;
            for (const row of patch.rows(idOf)) {
                const bytes = Buffer.alloc(rowBytes);
                const at = header.dataOffset + info.offset + row * rowBytes;
                readSync(descriptor, bytes, 0, rowBytes, at);
                const values = patch.values(new Float32Array(bytes.buffer, bytes.byteOffset, info.dimensions[0]!));
                writeSync(descriptor, Buffer.from(values.buffer, values.byteOffset, rowBytes), 0, rowBytes, at);
            }
        }
    } finally {
        closeSync(descriptor);
    }
    return target;
}

/** Every row of a tensor of `rowCount` rows (a 1-D tensor is one row). */
export const allRows = (rowCount: number) => () => Array.from({ length: rowCount }, (_, i) => i);
export const zeroed = (row: Float32Array) => new Float32Array(row.length);

function tensor(image: GgufImage, name: string): ImageTensor {
    const found = image.tensors.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`the model has no ${name}`);
    if (found.ggmlType !== GgmlType.F32) throw new Error(`${name} is not F32`);
    return found;
}

/** The tensor's values, as a float view over a private copy of its data (the image then holds the copy). */
function values(image: GgufImage, name: string): Float32Array {
    const target = tensor(image, name);
    const elements = target.dimensions.reduce((product, dimension) => product * dimension, 1);
    target.data = Buffer.from(target.data);
    return new Float32Array(target.data.buffer, target.data.byteOffset, elements);
}

export function tokenId(image: GgufImage, text: string): number {
    const tokens = image.entries.find((entry) => entry.key === "tokenizer.ggml.tokens")!.value as string[];
    const id = tokens.indexOf(text);
    if (id < 0) throw new Error(`no "${text}" token`);
    return id;
}

/** Zeroes whole rows (ne0-long) of a matrix, e.g. a token's row of the LM head. */
export const zeroRows =
    (name: string, rows: (image: GgufImage) => number[]): TensorEdit =>
    (image) => {
        const width = tensor(image, name).dimensions[0]!;
        const data = values(image, name);
        for (const row of rows(image)) data.fill(0, row * width, (row + 1) * width);
    };

/** Zeroes a whole tensor (a final norm: every logit 0; a classifier head: only its bias left). */
export const zeroTensor =
    (name: string): TensorEdit =>
    (image) =>
        values(image, name).fill(0);

/**
 * Adds an untied LM head (output.weight, which llama.cpp reads before token_embd) made from
 * token_embd's rows, with `edit` applied: the inputs stay exactly those of the tied model.
 */
export const untiedHeadFromEmbeddings =
    (edit: (head: Float32Array, width: number, image: GgufImage) => void): TensorEdit =>
    (image) => {
        const embeddings = tensor(image, "token_embd.weight");
        const width = embeddings.dimensions[0]!;
        const head: ImageTensor = { name: "output.weight", dimensions: [...embeddings.dimensions], ggmlType: GgmlType.F32, data: Buffer.from(embeddings.data) };
        image.tensors.push(head);
        edit(new Float32Array(head.data.buffer, head.data.byteOffset, embeddings.dimensions[0]! * embeddings.dimensions[1]!), width, image);
    };

/** Exchanges two rows of a matrix in place. */
export function swapRows(data: Float32Array, width: number, a: number, b: number): void {
    const rowA = data.slice(a * width, (a + 1) * width);
    data.copyWithin(a * width, b * width, (b + 1) * width);
    data.set(rowA, b * width);
}

/** Adds `value` to element `column` of every row of a matrix (every token's embedding). */
export const shiftColumn =
    (name: string, column: number, value: number): TensorEdit =>
    (image) => {
        const width = tensor(image, name).dimensions[0]!;
        const data = values(image, name);
        for (let start = 0; start < data.length; start += width) data[start + column]! += value;
    };

/** Removes the llm_rerank.test_model.* keys: the file no longer says its weights are random. */
export const forgetProvenance: TensorEdit = (image) => {
    for (const entry of [...image.entries]) if (entry.key.startsWith("llm_rerank.test_model.")) removeEntry(image, entry.key);
};
