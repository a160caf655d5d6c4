import { readFileSync } from "node:fs";
import { GgufByteCursor } from "./GgufByteCursor.js";
import { bfloat16Table64, float16Table64 } from "./floatFormats.js";

/** GGUF metadata value types (gguf.h `gguf_type`). */
export const GgufValueType = {
    UINT8: 0,
    INT8: 1,
    UINT16: 2,
    INT16: 3,
    UINT32: 4,
    INT32: 5,
    FLOAT32: 6,
    BOOL: 7,
    STRING: 8,
    ARRAY: 9,
    UINT64: 10,
    INT64: 11,
    FLOAT64: 12
} as const;

/** The ggml tensor types this reader can turn into numbers; anything else is rejected loudly. */
export const GgmlType = { F32: 0, F16: 1, BF16: 30 } as const;

/** 64-bit integers stay bigint so that nothing is silently rounded. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

export interface GgufTensorInfo {
    name: string;
    /** ggml order: dims[0] (ne0) is the fastest-moving dimension, i.e. the length of one row. */
    dims: number[];
    type: number;
    /** Absolute byte offset of the tensor's data in the file. */
    fileOffset: number;
    elementCount: number;
}

const DEFAULT_ALIGNMENT = 32;

/** A whole GGUF v2/v3 file held in memory, with float tensors decoded to float64 on request. */
export class GgufFile {
    readonly version: number;
    readonly alignment: number;
    readonly metadata = new Map<string, GgufValue>();
    readonly tensors = new Map<string, GgufTensorInfo>();
    private readonly view: DataView;

    static open(path: string): GgufFile {
        return new GgufFile(readFileSync(path));
    }

    static fromBytes(bytes: Uint8Array): GgufFile {
        return new GgufFile(bytes);
    }

    private constructor(bytes: Uint8Array) {
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const cursor = new GgufByteCursor(bytes);
        const magic = String.fromCharCode(cursor.u8(), cursor.u8(), cursor.u8(), cursor.u8());
        if (magic !== "GGUF") throw new Error(`not a GGUF file (magic ${JSON.stringify(magic)})`);
        this.version = cursor.u32();
        // v1 used 32-bit counts and lengths; nothing we load is that old, so refuse rather than misparse.
        if (this.version !== 2 && this.version !== 3) throw new Error(`unsupported GGUF version ${this.version}`);
        const tensorCount = cursor.u64AsNumber();
        const kvCount = cursor.u64AsNumber();

        for (let i = 0; i < kvCount; i++) {
            const key = cursor.string();
            if (this.metadata.has(key)) throw new Error(`duplicate GGUF key ${key}`);
            this.metadata.set(key, GgufFile.readValue(cursor, cursor.u32()));
        }

        const alignment = this.metadata.get("general.alignment") ?? DEFAULT_ALIGNMENT;
        if (typeof alignment !== "number" || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
            throw new Error(`invalid general.alignment ${String(alignment)}`);
        }
        this.alignment = alignment;

        const infos: Array<Omit<GgufTensorInfo, "fileOffset"> & { relativeOffset: number }> = [];
        for (let i = 0; i < tensorCount; i++) {
            const name = cursor.string();
            const nDims = cursor.u32();
            const dims: number[] = [];
            for (let d = 0; d < nDims; d++) dims.push(cursor.u64AsNumber());
            const type = cursor.u32();
            const relativeOffset = cursor.u64AsNumber();
            infos.push({ name, dims, type, relativeOffset, elementCount: dims.reduce((a, b) => a * b, 1) });
        }

        const dataStart = Math.ceil(cursor.position / alignment) * alignment;
        for (const { relativeOffset, ...info } of infos) {
            if (this.tensors.has(info.name)) throw new Error(`duplicate tensor ${info.name}`);
            if (relativeOffset % alignment !== 0) throw new Error(`tensor ${info.name} offset ${relativeOffset} not aligned to ${alignment}`);
            const tensor = { ...info, fileOffset: dataStart + relativeOffset };
            const byteSize = GgufFile.bytesPerElement(tensor) * tensor.elementCount;
            // Only checkable for types we can size; other types are rejected when their data is asked for.
            if (byteSize > 0 && tensor.fileOffset + byteSize > bytes.byteLength) throw new Error(`tensor ${info.name} runs past end of file`);
            this.tensors.set(info.name, tensor);
        }
    }

    private static readValue(cursor: GgufByteCursor, type: number): GgufValue {
        switch (type) {
            case GgufValueType.UINT8:
                return cursor.u8();
            case GgufValueType.INT8:
                return cursor.i8();
            case GgufValueType.UINT16:
                return cursor.u16();
            case GgufValueType.INT16:
                return cursor.i16();
            case GgufValueType.UINT32:
                return cursor.u32();
            case GgufValueType.INT32:
                return cursor.i32();
            case GgufValueType.FLOAT32:
                return cursor.f32();
            case GgufValueType.BOOL: {
                const raw = cursor.i8();
                if (raw !== 0 && raw !== 1) throw new Error(`invalid GGUF bool ${raw}`);
                return raw === 1;
            }
            case GgufValueType.STRING:
                return cursor.string();
            case GgufValueType.ARRAY: {
                const elementType = cursor.u32();
                const length = cursor.u64AsNumber();
                const values: GgufValue[] = new Array(length);
                for (let i = 0; i < length; i++) values[i] = GgufFile.readValue(cursor, elementType);
                return values;
            }
            case GgufValueType.UINT64:
                return cursor.u64();
            case GgufValueType.INT64:
                return cursor.i64();
            case GgufValueType.FLOAT64:
                return cursor.f64();
            default:
                throw new Error(`unknown GGUF value type ${type} at offset ${cursor.position - 4}`);
        }
    }

    private static bytesPerElement(tensor: Pick<GgufTensorInfo, "type">): number {
        switch (tensor.type) {
            case GgmlType.F32:
                return 4;
            case GgmlType.F16:
            case GgmlType.BF16:
                return 2;
            default:
                return 0;
        }
    }

    get(key: string): GgufValue | undefined {
        return this.metadata.get(key);
    }

    /** A numeric metadata value as a JS number; throws if it is missing (and no fallback is given) or not numeric. */
    number(key: string, fallback?: number): number {
        const value = this.metadata.get(key);
        if (value === undefined) {
            if (fallback === undefined) throw new Error(`GGUF key ${key} missing`);
            return fallback;
        }
        if (typeof value === "number") return value;
        if (typeof value === "bigint") return Number(value);
        throw new Error(`GGUF key ${key} is not a number: ${JSON.stringify(value)}`);
    }

    string(key: string): string {
        const value = this.metadata.get(key);
        if (typeof value !== "string") throw new Error(`GGUF key ${key} is not a string`);
        return value;
    }

    tensor(name: string): GgufTensorInfo {
        const info = this.tensors.get(name);
        if (!info) throw new Error(`tensor ${name} not in GGUF`);
        return info;
    }

    hasTensor(name: string): boolean {
        return this.tensors.has(name);
    }

    /** The whole tensor as float64, in ggml element order. */
    tensorFloat64(name: string): Float64Array {
        const info = this.tensor(name);
        const out = new Float64Array(info.elementCount);
        this.decode(info, 0, info.elementCount, out);
        return out;
    }

    /**
     * One row (dims[0] contiguous values) decoded into `out`; lets callers touch a
     * few rows of the 256000-row embedding without widening all of it to float64.
     */
    readRow(name: string, row: number, out: Float64Array = new Float64Array(this.tensor(name).dims[0])): Float64Array {
        const info = this.tensor(name);
        const rowLength = info.dims[0];
        const rowCount = info.elementCount / rowLength;
        if (!Number.isInteger(row) || row < 0 || row >= rowCount) throw new Error(`row ${row} out of range for ${name} (${rowCount} rows)`);
        if (out.length < rowLength) throw new Error(`output buffer too small for a row of ${name}`);
        this.decode(info, row * rowLength, rowLength, out);
        return out;
    }

    private decode(info: GgufTensorInfo, firstElement: number, count: number, out: Float64Array): void {
        switch (info.type) {
            case GgmlType.F32: {
                let at = info.fileOffset + firstElement * 4;
                for (let i = 0; i < count; i++, at += 4) out[i] = this.view.getFloat32(at, true);
                return;
            }
            case GgmlType.F16:
            case GgmlType.BF16: {
                const table = info.type === GgmlType.F16 ? float16Table64() : bfloat16Table64();
                let at = info.fileOffset + firstElement * 2;
                for (let i = 0; i < count; i++, at += 2) out[i] = table[this.view.getUint16(at, true)];
                return;
            }
            default:
                throw new Error(`tensor ${info.name} has ggml type ${info.type}; the reference reads only F32, F16 and BF16`);
        }
    }
}
