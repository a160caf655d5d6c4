import { openSync, readSync, closeSync } from "node:fs";
import { InvalidModelFileError, UnsupportedModelError } from "../errors/errors.js";
import { tensorByteSize } from "./ggmlTypeSizes.js";
import type { CheckedGguf } from "./readCheckedGguf.js";

const bytesPerValue: Record<number, number> = { 0: 4, 1: 2, 30: 2 };

function decodeRow(bytes: Buffer, type: number): number[] {
    const values: number[] = [];
    for (let offset = 0; offset < bytes.length; offset += bytesPerValue[type]!) {
        if (type === 0) values.push(bytes.readFloatLE(offset));
        else if (type === 30) values.push(new Float32Array(new Uint32Array([bytes.readUInt16LE(offset) << 16]).buffer)[0]!);
        else values.push(halfToFloat(bytes.readUInt16LE(offset)));
    }
    return values;
}

function halfToFloat(bits: number): number {
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    const sign = bits & 0x8000 ? -1 : 1;
    if (exponent === 0) return sign * fraction * 2 ** -24;
    if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * A GGUF converted with a reranker head (cls.output.weight, the rows of the LM head for the
 * classifier labels) and without output.weight makes llama.cpp read logits through token_embd. That
 * is right only when the model ties its output to its embeddings; for an untied model the converter
 * dropped the real LM head and every score would be silently wrong. So the head's rows must equal
 * the embedding rows of the same tokens.
 *
 * Returns false when the tensor types cannot be compared here (quantized), true when checked.
 */
export function checkRerankHead(path: string, checked: CheckedGguf, architecture: string, tokens: string[]): boolean {
    const tensors = new Map((checked.info.tensorInfo ?? []).map((tensor) => [tensor.name, tensor]));
    const head = tensors.get("cls.output.weight");
    const embeddings = tensors.get("token_embd.weight");
    if (!head || !embeddings || tensors.has("output.weight")) return true;
    const labels = (checked.metadata[architecture]?.classifier as { output_labels?: unknown } | undefined)?.output_labels;
    if (!Array.isArray(labels)) return true;
    // llama.cpp shapes cls.output.weight as [n_embd, number of labels]; more labels than rows would read past the head
    if (labels.length !== Number(head.dimensions[1] ?? 1)) {
        throw new InvalidModelFileError(
            path,
            `${architecture}.classifier.output_labels has ${labels.length} labels for ${Number(head.dimensions[1] ?? 1)} rows of cls.output.weight`
        );
    }
    if (!(head.ggmlType in bytesPerValue) || !(embeddings.ggmlType in bytesPerValue)) return false;
    const width = Number(head.dimensions[0]);
    const dataStart = checked.info.infoEndOffset ?? 0;
    const file = openSync(path, "r");
    const readRow = (tensor: typeof head, row: number) => {
        const rowBytes = tensorByteSize(tensor.ggmlType, width)!;
        const buffer = Buffer.alloc(rowBytes);
        readSync(file, buffer, 0, rowBytes, dataStart + Number(tensor.offset) + row * rowBytes);
        return decodeRow(buffer, tensor.ggmlType);
    };
    try {
        labels.forEach((label, row) => checkLabelRow(path, String(label), readRow(head, row), tokens.indexOf(String(label)), (id) => readRow(embeddings, id)));
    } finally {
        closeSync(file);
    }
    return true;
}

function checkLabelRow(path: string, label: string, headRow: number[], tokenId: number, readEmbeddingRow: (id: number) => number[]): void {
    const embeddingRow = tokenId >= 0 ? readEmbeddingRow(tokenId) : [];
    if (tokenId >= 0 && headRow.every((value, i) => value === embeddingRow[i])) return;
    throw new UnsupportedModelError(
        `${path} has a reranker head (cls.output.weight) whose "${label}" row differs from the token embedding that llama.cpp would use as its output: ` +
            "the model's LM head was dropped in conversion. Convert it as a plain causal LM (without the reranker head) so output.weight is kept."
    );
}
