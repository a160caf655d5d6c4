import { readFileSync, statSync } from "node:fs";
import { GgufValueType } from "../../gguf/GgufValueType.js";
import { LittleEndianBuilder } from "../../gguf/LittleEndianBuilder.js";
import { readGgufHeader, type GgufScalar, type GgufValue } from "../../gguf/readGgufHeader.js";

/** One metadata entry as it will be encoded, any GGUF type, whether or not it makes sense. */
export type ImageEntry = { key: string; type: number; elementType?: number; value: GgufValue };

export type ImageTensor = {
    name: string;
    dimensions: number[];
    ggmlType: number;
    data: Buffer;
    /** Written instead of the computed data offset. */
    offsetOverride?: number;
};

/**
 * A GGUF file as an editable value: the fuzz cases change entries and tensors freely (wrong types,
 * duplicates, impossible shapes), which the checked GgufWriter rightly refuses to write. Read with
 * the library's own reader, encoded with the writer's LittleEndianBuilder.
 */
export type GgufImage = {
    version: number;
    entries: ImageEntry[];
    tensors: ImageTensor[];
    /** Alignment the encoder pads with (normally general.alignment). */
    alignment: number;
    /** Counts written into the header instead of the real ones. */
    declaredTensorCount?: number | bigint;
    declaredKeyCount?: number | bigint;
};

/** Byte ranges of the encoded header, for aiming byte-level mutations. */
export type ImageLayout = {
    headerBytes: number;
    metadataStart: number;
    tensorInfoStart: number;
    dataStart: number;
    /** Offsets of length, count and type fields: the bytes a parser allocates or branches on. */
    structuralFields: { offset: number; bytes: number; what: string }[];
};

export type EncodedImage = { chunks: Buffer[]; totalBytes: number; layout: ImageLayout };

export async function readGgufImage(path: string): Promise<GgufImage> {
    const header = await readGgufHeader(path, statSync(path).size);
    const file = readFileSync(path);
    const entries: ImageEntry[] = [...header.entries].map(([key, entry]) => ({ key, type: entry.type, elementType: entry.elementType, value: entry.value }));
    const tensors = header.tensors.map((tensor, i) => {
        const start = header.dataOffset + tensor.offset;
        const next = header.tensors[i + 1];
        const end = next ? header.dataOffset + next.offset : file.length;
        return { name: tensor.name, dimensions: [...tensor.dimensions], ggmlType: tensor.ggmlType, data: file.subarray(start, end) };
    });
    return { version: header.version, entries, tensors, alignment: header.alignment };
}

/** A deep-enough copy: entries and tensors can be edited, data buffers are shared. */
export function cloneImage(image: GgufImage): GgufImage {
    return {
        ...image,
        entries: image.entries.map((entry) => ({ ...entry, value: Array.isArray(entry.value) ? [...entry.value] : entry.value })),
        tensors: image.tensors.map((tensor) => ({ ...tensor, dimensions: [...tensor.dimensions] }))
    };
}

export function findEntry(image: GgufImage, key: string): ImageEntry | undefined {
    return image.entries.find((entry) => entry.key === key);
}

/** Sets (or adds) an entry. */
export function setEntry(image: GgufImage, key: string, type: number, value: GgufValue, elementType?: number): void {
    const entry = findEntry(image, key);
    if (entry) Object.assign(entry, { type, value, elementType });
    else image.entries.push({ key, type, value, elementType });
}

export function removeEntry(image: GgufImage, key: string): void {
    image.entries = image.entries.filter((entry) => entry.key !== key);
}

export function encodeImage(image: GgufImage): EncodedImage {
    const builder = new LittleEndianBuilder();
    const structuralFields: ImageLayout["structuralFields"] = [];
    const field = (bytes: number, what: string) => structuralFields.push({ offset: builder.byteLength, bytes, what });
    builder.uint32(0x46554747);
    field(4, "version");
    builder.uint32(image.version);
    field(8, "tensor count");
    builder.uint64(image.declaredTensorCount ?? image.tensors.length);
    field(8, "metadata key count");
    builder.uint64(image.declaredKeyCount ?? image.entries.length);
    const metadataStart = builder.byteLength;
    for (const entry of image.entries) {
        field(8, `length of key ${entry.key}`);
        builder.string(entry.key);
        field(4, `type of ${entry.key}`);
        builder.uint32(entry.type);
        if (entry.type === GgufValueType.array) {
            const values = entry.value as GgufScalar[];
            field(4, `element type of ${entry.key}`);
            builder.uint32(entry.elementType ?? GgufValueType.uint32);
            field(8, `length of ${entry.key}`);
            builder.uint64(values.length);
            values.forEach((value, i) => {
                // a few of the element lengths of a long string array, not all 256k
                if (entry.elementType === GgufValueType.string && i % 4096 === 0) field(8, `length of ${entry.key}[${i}]`);
                encodeScalar(builder, entry.elementType ?? GgufValueType.uint32, value);
            });
        } else {
            if (entry.type === GgufValueType.string) field(8, `length of ${entry.key}`);
            encodeScalar(builder, entry.type, entry.value as GgufScalar);
        }
    }
    const tensorInfoStart = builder.byteLength;
    const alignment = Math.max(1, image.alignment);
    let offset = 0;
    for (const tensor of image.tensors) {
        field(8, `name length of ${tensor.name}`);
        builder.string(tensor.name);
        field(4, `dimension count of ${tensor.name}`);
        builder.uint32(tensor.dimensions.length);
        tensor.dimensions.forEach((dimension, i) => {
            field(8, `dimension ${i} of ${tensor.name}`);
            builder.uint64(dimension);
        });
        field(4, `type of ${tensor.name}`);
        builder.uint32(tensor.ggmlType);
        field(8, `offset of ${tensor.name}`);
        builder.uint64(tensor.offsetOverride ?? offset);
        offset += alignUp(tensor.data.length, alignment);
    }
    builder.zeros(alignUp(builder.byteLength, alignment) - builder.byteLength);
    const header = builder.toBuffer();
    const chunks = [header];
    for (const tensor of image.tensors) {
        chunks.push(tensor.data);
        const padding = alignUp(tensor.data.length, alignment) - tensor.data.length;
        if (padding > 0) chunks.push(Buffer.alloc(padding));
    }
    const totalBytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    return { chunks, totalBytes, layout: { headerBytes: header.length, metadataStart, tensorInfoStart, dataStart: header.length, structuralFields } };
}

function encodeScalar(builder: LittleEndianBuilder, type: number, value: GgufScalar): void {
    const n = typeof value === "number" || typeof value === "bigint" ? value : typeof value === "boolean" ? Number(value) : Number.NaN;
    const int = (v: number | bigint) => (typeof v === "bigint" ? v : Number.isFinite(v) ? Math.trunc(v) : 0);
    switch (type) {
        case GgufValueType.uint8:
            return builder.uint8(Number(int(n)) & 0xff);
        case GgufValueType.int8:
        case GgufValueType.bool:
            return builder.int8(((Number(int(n)) + 128) & 0xff) - 128);
        case GgufValueType.uint16:
            return builder.uint16(Number(int(n)) & 0xffff);
        case GgufValueType.int16:
            return builder.int16(((Number(int(n)) + 32768) & 0xffff) - 32768);
        case GgufValueType.uint32:
            return builder.uint32(Number(int(n)) >>> 0);
        case GgufValueType.int32:
            return builder.int32(Number(int(n)) | 0);
        case GgufValueType.float32:
            return builder.float32(Number(n));
        case GgufValueType.uint64:
            return builder.uint64(BigInt.asUintN(64, BigInt(int(n))));
        case GgufValueType.int64:
            return builder.int64(BigInt.asIntN(64, BigInt(int(n))));
        case GgufValueType.float64:
            return builder.float64(Number(n));
        case GgufValueType.string:
            return builder.string(String(value));
        default:
            // an invalid type tag: write four bytes of something, the reader must stop at the tag
            return builder.uint32(Number(int(n)) >>> 0);
    }
}

function alignUp(value: number, alignment: number): number {
    return Math.ceil(value / alignment) * alignment;
}
