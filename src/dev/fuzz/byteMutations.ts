import type { EncodedImage } from "./GgufImage.js";
import type { FuzzRandom } from "./FuzzRandom.js";

/** A case's file: byte chunks written one after another. */
export type CaseFile = { chunks: Buffer[]; totalBytes: number };

export function truncate(file: CaseFile, length: number): CaseFile {
    const chunks: Buffer[] = [];
    let left = Math.max(0, Math.min(length, file.totalBytes));
    for (const chunk of file.chunks) {
        if (left === 0) break;
        const piece = chunk.length <= left ? chunk : chunk.subarray(0, left);
        chunks.push(piece);
        left -= piece.length;
    }
    return { chunks, totalBytes: Math.max(0, Math.min(length, file.totalBytes)) };
}

/** A copy of the header chunk, edited; the tensor data chunks stay shared. */
export function patchHeader(encoded: EncodedImage, patch: (header: Buffer) => void): CaseFile {
    const header = Buffer.from(encoded.chunks[0]!);
    patch(header);
    return { chunks: [header, ...encoded.chunks.slice(1)], totalBytes: encoded.totalBytes };
}

/** Truncation at an offset in one of the file's regions. */
export function truncationCase(encoded: EncodedImage, random: FuzzRandom): { description: string; file: CaseFile } {
    const { layout, totalBytes } = encoded;
    const region = random.weighted([
        ["fixed header", 2],
        ["metadata", 4],
        ["tensor infos", 2],
        ["tensor data", 3],
        ["last bytes", 1]
    ] as const);
    const [low, high] =
        region === "fixed header"
            ? [0, layout.metadataStart]
            : region === "metadata"
              ? [layout.metadataStart, layout.tensorInfoStart]
              : region === "tensor infos"
                ? [layout.tensorInfoStart, layout.dataStart]
                : region === "tensor data"
                  ? [layout.dataStart, totalBytes]
                  : [totalBytes - 64, totalBytes];
    const at = random.between(low, high);
    return { description: `truncated at byte ${at} (in the ${region})`, file: truncate(encoded, at) };
}

/** Flipped bits or bytes in a region, aimed at length/count/type fields most of the time. */
export function flipCase(
    encoded: EncodedImage,
    random: FuzzRandom,
    region: "fixed header" | "metadata" | "tensor infos"
): { description: string; file: CaseFile } {
    const { layout } = encoded;
    const [low, high] =
        region === "fixed header"
            ? [0, layout.metadataStart]
            : region === "metadata"
              ? [layout.metadataStart, layout.tensorInfoStart]
              : [layout.tensorInfoStart, layout.dataStart];
    const fields = layout.structuralFields.filter((field) => field.offset >= low && field.offset < high);
    const aimed = fields.length > 0 && random.chance(0.7);
    const field = aimed ? random.pick(fields) : undefined;
    const at = field ? field.offset + random.int(field.bytes) : random.between(low, high);
    const bitFlip = random.chance(0.6);
    const bit = random.int(8);
    const byte = random.int(256);
    const file = patchHeader(encoded, (header) => {
        header[at] = bitFlip ? header[at]! ^ (1 << bit) : byte;
    });
    const what = field ? ` (${field.what})` : "";
    return { description: `${bitFlip ? `bit ${bit} flipped` : `set to 0x${byte.toString(16)}`} at byte ${at} in the ${region}${what}`, file };
}

const hugeUint64 = [2n ** 64n - 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 40n, 2n ** 32n, 2n ** 32n - 1n, 2n ** 31n, 2n ** 24n + 1n];
const hugeUint32 = [0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 13, 43, 100];

/** A length, count or type field replaced by an extreme value. */
export function hugeValueCase(encoded: EncodedImage, random: FuzzRandom): { description: string; file: CaseFile } {
    const field = random.pick(encoded.layout.structuralFields);
    const candidates = field.bytes === 8 ? [...hugeUint64, BigInt(encoded.totalBytes), BigInt(encoded.totalBytes) * 2n] : hugeUint32;
    const value = random.pick<bigint | number>(candidates);
    const file = patchHeader(encoded, (header) => {
        if (field.bytes === 8) header.writeBigUInt64LE(BigInt(value), field.offset);
        else header.writeUInt32LE(Number(value), field.offset);
    });
    return { description: `${field.what} set to ${value}`, file };
}

/** Several random bytes anywhere in the header. */
export function randomBytesCase(encoded: EncodedImage, random: FuzzRandom): { description: string; file: CaseFile } {
    const count = random.between(2, 17);
    const spots: number[] = [];
    const file = patchHeader(encoded, (header) => {
        for (let i = 0; i < count; i++) {
            const at = random.int(header.length);
            spots.push(at);
            header[at] = random.int(256);
        }
    });
    return { description: `${count} random bytes written at ${spots.slice(0, 6).join(", ")}${count > 6 ? ", ..." : ""}`, file };
}
