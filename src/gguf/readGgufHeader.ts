import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";
import { InvalidModelFileError } from "../errors/errors.js";
import { ggufHeaderLimits } from "./GgufHeaderLimits.js";
import { GgufValueType } from "./GgufValueType.js";
import { ggmlBlockElements, ggmlTypeName } from "./ggmlTypeSizes.js";

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufScalar[];

export type GgufEntry = {
    readonly type: number;
    readonly elementType?: number;
    readonly value: GgufValue;
    /**
     * For a string array: the elements whose bytes are not valid UTF-8 (their `value` holds U+FFFD
     * in place of the bad bytes), by index, as latin1 text, one character per byte. llama.cpp
     * compares the bytes; with these, so can the library.
     */
    readonly invalidUtf8?: ReadonlyMap<number, string>;
};

export type GgufTensorInfo = {
    readonly name: string;
    /** ggml order: ne0 (the contiguous one) first. */
    readonly dimensions: number[];
    readonly ggmlType: number;
    /** Relative to the start of the data section. */
    readonly offset: number;
};

export type GgufHeader = {
    readonly version: number;
    /** Every key in file order, as written: the flat view. */
    readonly entries: ReadonlyMap<string, GgufEntry>;
    /**
     * The same values nested at the dots ("tokenizer.ggml.tokens" → metadata.tokenizer.ggml.tokens),
     * the shape node-llama-cpp's reader returns. A key below a key that holds a value
     * ("tokenizer.chat_template.rerank" under "tokenizer.chat_template") is only in `entries`.
     */
    readonly metadata: Record<string, Record<string, unknown>>;
    readonly tensors: GgufTensorInfo[];
    readonly alignment: number;
    /** Where tensor data starts: the end of the tensor infos, padded to the alignment. */
    readonly dataOffset: number;
};

const ggufMagic = 0x46554747; // "GGUF" read as a little-endian uint32
const defaultAlignment = 32; // GGUF_DEFAULT_ALIGNMENT
const initialWindowBytes = 16 * 1024 * 1024;
const scalarBytes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** The parse ran past the bytes read so far, in a file that has more. */
class WindowTooSmall extends Error {}

/**
 * Reads a GGUF header (metadata and tensor infos) with every count and length checked against the
 * bytes that remain and against ggufHeaderLimits before anything is allocated from it. This is the
 * only GGUF parser the library hands a user's file to: node-llama-cpp's reader allocates from
 * unchecked lengths, and one flipped byte can take the process down inside it.
 */
export async function readGgufHeader(path: string, fileBytes: number): Promise<GgufHeader> {
    const file = await open(path, "r");
    try {
        let windowBytes = Math.min(fileBytes, initialWindowBytes);
        for (;;) {
            const window = Buffer.allocUnsafe(windowBytes);
            const { bytesRead } = await file.read(window, 0, windowBytes, 0);
            try {
                return parseHeader(new HeaderCursor(path, window.subarray(0, bytesRead), fileBytes));
            } catch (error) {
                if (!(error instanceof WindowTooSmall)) throw error;
                const limit = Math.min(fileBytes, ggufHeaderLimits.headerBytes);
                if (windowBytes >= limit) {
                    throw new InvalidModelFileError(path, `its header is larger than ${ggufHeaderLimits.headerBytes} bytes`);
                }
                windowBytes = Math.min(limit, windowBytes * 4);
            }
        }
    } finally {
        await file.close();
    }
}

class HeaderCursor {
    position = 0;

    constructor(
        private readonly path: string,
        readonly bytes: Buffer,
        private readonly fileBytes: number
    ) {}

    get remaining(): number {
        return this.bytes.length - this.position;
    }

    fail(reason: string): never {
        throw new InvalidModelFileError(this.path, reason);
    }

    /** Makes sure `count` more bytes are there, or says why not. */
    need(count: number, what: string): void {
        if (count <= this.remaining) return;
        if (this.position + count > this.fileBytes) {
            this.fail(`${what} runs past the end of the file at byte ${this.position} (the file is truncated or corrupt)`);
        }
        throw new WindowTooSmall();
    }

    uint32(what: string): number {
        this.need(4, what);
        const value = this.bytes.readUInt32LE(this.position);
        this.position += 4;
        return value;
    }

    /** A uint64 that must fit a JS number exactly. */
    uint64(what: string): number {
        this.need(8, what);
        const value = this.bytes.readBigUInt64LE(this.position);
        this.position += 8;
        if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is ${value}, beyond any file`);
        return Number(value);
    }

    string(what: string, maxBytes: number): string {
        const length = this.uint64(`the length of ${what}`);
        if (length > maxBytes) this.fail(`${what} is ${length} bytes long, more than the ${maxBytes} allowed`);
        this.need(length, what);
        const start = this.position;
        this.position += length;
        this.lastStringStart = start;
        return this.bytes.toString("utf8", start, this.position);
    }

    /** Where the string read last started: for telling its raw bytes apart. */
    lastStringStart = 0;

    /** The last string read as latin1 (one character per byte) when it is not valid UTF-8. */
    lastStringIfInvalidUtf8(): string | undefined {
        const raw = this.bytes.subarray(this.lastStringStart, this.position);
        return isUtf8(raw) ? undefined : raw.toString("latin1");
    }

    scalar(type: number, what: string): GgufScalar {
        if (type === GgufValueType.string) return this.string(what, Number.MAX_SAFE_INTEGER);
        const size = scalarBytes[type];
        if (size === undefined) this.fail(`${what} has the invalid GGUF value type ${type}`);
        this.need(size, what);
        const at = this.position;
        this.position += size;
        const bytes = this.bytes;
        switch (type) {
            case GgufValueType.uint8:
                return bytes.readUInt8(at);
            case GgufValueType.int8:
                return bytes.readInt8(at);
            case GgufValueType.uint16:
                return bytes.readUInt16LE(at);
            case GgufValueType.int16:
                return bytes.readInt16LE(at);
            case GgufValueType.uint32:
                return bytes.readUInt32LE(at);
            case GgufValueType.int32:
                return bytes.readInt32LE(at);
            case GgufValueType.float32:
                return bytes.readFloatLE(at);
            case GgufValueType.bool:
                // gguf.cpp reads an int8 and takes any non-zero value as true
                return bytes.readInt8(at) !== 0;
            case GgufValueType.uint64:
                return safeNumber(bytes.readBigUInt64LE(at));
            case GgufValueType.int64:
                return safeNumber(bytes.readBigInt64LE(at));
            default:
                return bytes.readDoubleLE(at);
        }
    }
}

function safeNumber(value: bigint): number | bigint {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseHeader(cursor: HeaderCursor): GgufHeader {
    if (cursor.uint32("the GGUF magic") !== ggufMagic) cursor.fail('it does not start with the GGUF magic "GGUF"');
    const version = cursor.uint32("the GGUF version");
    // gguf.cpp: version 1 is no longer supported, above GGUF_VERSION (3) is unknown
    if (version !== 2 && version !== 3) cursor.fail(`it is GGUF version ${version}; llama.cpp reads versions 2 and 3`);
    const tensorCount = cursor.uint64("the tensor count");
    const keyCount = cursor.uint64("the metadata key count");
    if (tensorCount > ggufHeaderLimits.tensors) cursor.fail(`it declares ${tensorCount} tensors, more than the ${ggufHeaderLimits.tensors} allowed`);
    if (keyCount > ggufHeaderLimits.metadataKeys) {
        cursor.fail(`it declares ${keyCount} metadata keys, more than the ${ggufHeaderLimits.metadataKeys} allowed`);
    }

    const entries = new Map<string, GgufEntry>();
    for (let i = 0; i < keyCount; i++) {
        const key = cursor.string(`metadata key ${i}`, ggufHeaderLimits.keyBytes);
        if (key.length === 0) cursor.fail(`metadata key ${i} is empty`);
        if (entries.has(key)) cursor.fail(`metadata key "${key}" appears twice`);
        entries.set(key, readEntry(cursor, key));
    }

    const alignmentEntry = entries.get("general.alignment");
    if (alignmentEntry !== undefined && alignmentEntry.type !== GgufValueType.uint32) {
        cursor.fail(`general.alignment must be a uint32 (gguf.cpp), found GGUF type ${alignmentEntry.type}`);
    }
    const alignment = alignmentEntry === undefined ? defaultAlignment : (alignmentEntry.value as number);

    const tensors: GgufTensorInfo[] = [];
    const tensorNames = new Set<string>();
    for (let i = 0; i < tensorCount; i++) {
        const tensor = readTensorInfo(cursor, i);
        if (tensorNames.has(tensor.name)) cursor.fail(`tensor name "${tensor.name}" appears twice`);
        tensorNames.add(tensor.name);
        tensors.push(tensor);
    }
    const dataOffset = alignment > 0 ? Math.ceil(cursor.position / alignment) * alignment : cursor.position;
    return { version, entries, metadata: nestMetadata(entries), tensors, alignment, dataOffset };
}

function readEntry(cursor: HeaderCursor, key: string): GgufEntry {
    const type = cursor.uint32(`the type of ${key}`);
    if (type !== GgufValueType.array) return { type, value: cursor.scalar(type, key) };

    const elementType = cursor.uint32(`the element type of ${key}`);
    const count = cursor.uint64(`the length of ${key}`);
    // gguf.cpp refuses arrays of arrays; the smallest element of any other type is 1 byte (8 for a
    // string: its length), so a count the remaining bytes cannot hold is refused before allocating
    const minimumBytes = elementType === GgufValueType.string ? 8 : scalarBytes[elementType];
    if (minimumBytes === undefined) cursor.fail(`${key} is an array of the invalid GGUF value type ${elementType}`);
    if (count > ggufHeaderLimits.arrayElements) cursor.fail(`${key} holds ${count} elements, more than the ${ggufHeaderLimits.arrayElements} allowed`);
    cursor.need(count * minimumBytes, `${key} (${count} elements)`);
    const values = new Array<GgufScalar>(count);
    if (elementType !== GgufValueType.string) {
        for (let i = 0; i < count; i++) values[i] = cursor.scalar(elementType, `${key}[${i}]`);
        return { type, elementType, value: values };
    }
    const invalidUtf8 = new Map<number, string>();
    for (let i = 0; i < count; i++) {
        const value = cursor.string(`${key}[${i}]`, Number.MAX_SAFE_INTEGER);
        values[i] = value;
        // the decoder puts U+FFFD where bytes are invalid: only such strings need a second look
        const raw = value.includes("\uFFFD") ? cursor.lastStringIfInvalidUtf8() : undefined;
        if (raw !== undefined) invalidUtf8.set(i, raw);
    }
    return { type, elementType, value: values, invalidUtf8 };
}

function readTensorInfo(cursor: HeaderCursor, index: number): GgufTensorInfo {
    const name = cursor.string(`the name of tensor ${index}`, Number.MAX_SAFE_INTEGER);
    if (Buffer.byteLength(name, "utf8") > ggufHeaderLimits.tensorNameBytes) {
        cursor.fail(`tensor name "${name.slice(0, 80)}" is longer than ${ggufHeaderLimits.tensorNameBytes} bytes (GGML_MAX_NAME)`);
    }
    const dimensionCount = cursor.uint32(`the dimension count of ${name}`);
    if (dimensionCount > ggufHeaderLimits.dimensions)
        cursor.fail(`tensor ${name} has ${dimensionCount} dimensions; ggml allows ${ggufHeaderLimits.dimensions}`);
    const dimensions: number[] = [];
    for (let i = 0; i < dimensionCount; i++) dimensions.push(cursor.uint64(`dimension ${i} of ${name}`));
    const ggmlType = cursor.uint32(`the type of ${name}`);
    const elements = dimensions.reduce((product, dimension) => product * dimension, 1);
    if (!Number.isSafeInteger(elements)) cursor.fail(`tensor ${name} has ${dimensions.join(" x ")} elements, beyond any file`);
    const blockElements = ggmlBlockElements(ggmlType);
    if (blockElements === undefined) cursor.fail(`tensor ${name} has the unknown ggml type ${ggmlType}`);
    if ((dimensions[0] ?? 1) % blockElements !== 0) {
        cursor.fail(`tensor ${name} (${ggmlTypeName(ggmlType)}) has rows of ${dimensions[0]} elements, not whole blocks of its type`);
    }
    const offset = cursor.uint64(`the data offset of ${name}`);
    return { name, dimensions, ggmlType, offset };
}

function nestMetadata(entries: ReadonlyMap<string, GgufEntry>): Record<string, Record<string, unknown>> {
    // no prototype: a key named "__proto__" or "constructor" stays data
    const root: Record<string, unknown> = Object.create(null);
    for (const [key, entry] of entries) {
        const parts = key.split(".");
        let node: Record<string, unknown> | undefined = root;
        for (const part of parts.slice(0, -1)) {
            const next: unknown = node[part] ?? (node[part] = Object.create(null));
            node = typeof next === "object" && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : undefined;
            if (node === undefined) break;
        }
        const last = parts[parts.length - 1]!;
        if (node !== undefined && !(last in node)) node[last] = entry.value;
    }
    return root as Record<string, Record<string, unknown>>;
}
