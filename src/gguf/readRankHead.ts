import { openSync, readSync, closeSync } from "node:fs";
import { InvalidModelFileError, UnsupportedModelError } from "../errors/errors.js";
import { tensorByteSize } from "./ggmlTypeSizes.js";
import type { RankHead } from "./RankHead.js";
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
 * The rank head of a GGUF, checked so that llama.cpp's rank pooling can read it, or undefined when
 * the file has none. Throws UnsupportedModelError for heads the library cannot score:
 * - bert without cls.output (an embedding model: rank pooling would return a hidden state), or
 *   with more than one output (a multi-class classifier, not a relevance score);
 * - qwen3 whose cls.output does not have two rows labelled "yes" and "no";
 * - qwen3 whose head rows are token_embd's rows of the other label (swapped in conversion).
 */
export function readRankHead(path: string, checked: CheckedGguf, architecture: string, tokens: string[]): RankHead | undefined {
    const tensors = new Map((checked.info.tensorInfo ?? []).map((tensor) => [tensor.name, tensor]));
    const head = tensors.get("cls.output.weight");
    const hparams = (checked.metadata[architecture] ?? {}) as { classifier?: { output_labels?: unknown }; pooling_type?: unknown };
    const labels = Array.isArray(hparams.classifier?.output_labels) ? hparams.classifier.output_labels.map(String) : [];
    // llama.cpp shapes cls.output.weight as [n_embd, number of labels]; more labels than rows would read past the head.
    if (head && Array.isArray(hparams.classifier?.output_labels) && labels.length !== Number(head.dimensions[1] ?? 1)) {
        throw new InvalidModelFileError(
            path,
            `${architecture}.classifier.output_labels has ${labels.length} labels for ${Number(head.dimensions[1] ?? 1)} rows of cls.output.weight`
        );
    }
    if (architecture === "bert" || architecture === "modern-bert") {
        if (!head)
            throw new UnsupportedModelError(
                `${path} is a ${architecture === "bert" ? "BERT" : "ModernBERT"} model without a classifier head (cls.output.weight): an embedding model, not a reranker. Convert a *ForSequenceClassification checkpoint.`
            );
        if (architecture === "modern-bert") checkModernBertHead(path, tensors);
        const outputs = Number(head.dimensions[1] ?? 1);
        if (outputs !== 1 || labels.length > 1)
            throw new UnsupportedModelError(
                `${path} has a ${outputs}-output classifier (labels ${JSON.stringify(labels)}); a reranker has one relevance logit`
            );
        return { labels, outputs, tiedToEmbeddings: undefined };
    }
    if (architecture !== "qwen3" || !head) return undefined;
    const outputs = Number(head.dimensions[1] ?? 1);
    if (outputs !== 2 || labels.length !== 2 || !labels.includes("yes") || !labels.includes("no"))
        throw new UnsupportedModelError(
            `${path} has a rank head (cls.output.weight) with ${outputs} rows and labels ${JSON.stringify(labels)}; a Qwen3-Reranker head has the two rows "yes" and "no" (convert_hf_to_gguf.py writes both)`
        );
    return { labels, outputs, tiedToEmbeddings: compareWithEmbeddings(path, checked, tensors, labels, tokens) };
}

/**
 * llama.cpp's modern-bert rank pooling (build_pooling) computes mean → cls → GELU → cls.norm →
 * cls.output: HF's ModernBertForSequenceClassification with classifier_pooling "mean" and
 * classifier_bias false. Its loader reads no cls.bias (a file with one fails to load: a tensor
 * left unread), and without cls or cls.norm the pooled vector would skip the head's dense layer or
 * LayerNorm that the checkpoint has.
 */
function checkModernBertHead(path: string, tensors: ReadonlyMap<string, unknown>): void {
    if (tensors.has("cls.bias"))
        throw new UnsupportedModelError(
            `${path} has a ModernBERT head with a dense bias (cls.bias, classifier_bias true): llama.cpp's modern-bert graph has no such bias and its loader refuses the file`
        );
    for (const [name, part] of [
        ["cls.weight", "dense layer (head.dense)"],
        ["cls.norm.weight", "LayerNorm (head.norm)"]
    ] as const)
        if (!tensors.has(name))
            throw new UnsupportedModelError(
                `${path} has a ModernBERT classifier without its prediction head's ${part} (${name}), which ModernBertForSequenceClassification always applies`
            );
}

/** True when every label's head row is its token_embd row, false when none is; undefined if not comparable. */
function compareWithEmbeddings(
    path: string,
    checked: CheckedGguf,
    tensors: Map<string, NonNullable<CheckedGguf["info"]["tensorInfo"]>[number]>,
    labels: string[],
    tokens: string[]
): boolean | undefined {
    const head = tensors.get("cls.output.weight")!;
    const embeddings = tensors.get("token_embd.weight");
    if (!embeddings || !(head.ggmlType in bytesPerValue) || !(embeddings.ggmlType in bytesPerValue)) return undefined;
    const width = Number(head.dimensions[0]);
    const dataStart = checked.info.infoEndOffset ?? 0;
    const file = openSync(path, "r");
    const readRow = (tensor: typeof head, row: number) => {
        const rowBytes = tensorByteSize(tensor.ggmlType, width)!;
        const buffer = Buffer.alloc(rowBytes);
        readSync(file, buffer, 0, rowBytes, dataStart + Number(tensor.offset) + row * rowBytes);
        return decodeRow(buffer, tensor.ggmlType);
    };
    const same = (a: number[], b: number[]) => a.every((value, i) => value === b[i]);
    try {
        const ids = labels.map((label) => tokens.indexOf(label));
        const headRows = labels.map((_, row) => readRow(head, row));
        const embeddingRows = ids.map((id) => (id >= 0 ? readRow(embeddings, id) : undefined));
        const tied = headRows.map((row, i) => embeddingRows[i] !== undefined && same(row, embeddingRows[i]!));
        if (tied.every(Boolean)) return true;
        headRows.forEach((row, i) => {
            const other = embeddingRows[1 - i];
            if (other !== undefined && same(row, other))
                throw new UnsupportedModelError(
                    `${path} has a reranker head (cls.output.weight) whose "${labels[i]}" row differs from the "${labels[i]}" token embedding and equals the "${labels[1 - i]}" one: its rows are in the wrong order for its labels`
                );
        });
        return false;
    } finally {
        closeSync(file);
    }
}
