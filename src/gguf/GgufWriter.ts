import { open, type FileHandle } from "node:fs/promises";
import { endianness } from "node:os";
import { GgmlType, bytesPerElement, q8_0BlockElements } from "./GgmlType.js";
import type { GgufMetadataEntry } from "./GgufMetadataEntry.js";
import type { GgufTensorSource } from "./GgufTensorSource.js";
import { GgufValueType } from "./GgufValueType.js";
import { LittleEndianBuilder } from "./LittleEndianBuilder.js";
import { float32ToBfloat16Bits } from "./bfloat16.js";
import { float32ToFloat16Bits } from "./float16.js";
import { quantizeQ8_0 } from "./quantizeQ8_0.js";

const ggufMagic = 0x46554747; // "GGUF" read as a little-endian uint32
const ggufVersion = 3;
const alignmentKey = "general.alignment";
const defaultAlignment = 32;
// mirrors GGML_MAX_NAME (64 including the terminator): llama.cpp rejects longer names
const maxTensorNameBytes = 63;
const maxDimensions = 4;

type PlannedTensor = GgufTensorSource & {
    readonly elementCount: number;
    readonly byteLength: number;
    readonly offset: number;
};

/**
 * Writes GGUF v3 files (little-endian). Metadata is kept in memory; tensor data is
 * generated chunk by chunk while writing, so multi-GB models never sit in memory.
 */
export class GgufWriter {
    private readonly metadata = new Map<string, GgufMetadataEntry>();
    private readonly tensors: GgufTensorSource[] = [];

    public constructor(private readonly chunkElements: number = 1 << 20) {
        this.setUint32(alignmentKey, defaultAlignment);
    }

    public get alignment(): number {
        const entry = this.metadata.get(alignmentKey);
        return entry?.type === GgufValueType.uint32 ? entry.value : defaultAlignment;
    }

    public setUint32(key: string, value: number): this {
        assertInteger(key, value, 0, 0xffffffff);
        return this.set(key, { type: GgufValueType.uint32, value });
    }

    public setInt32(key: string, value: number): this {
        assertInteger(key, value, -0x80000000, 0x7fffffff);
        return this.set(key, { type: GgufValueType.int32, value });
    }

    public setFloat32(key: string, value: number): this {
        return this.set(key, { type: GgufValueType.float32, value });
    }

    public setBool(key: string, value: boolean): this {
        return this.set(key, { type: GgufValueType.bool, value });
    }

    public setString(key: string, value: string): this {
        return this.set(key, { type: GgufValueType.string, value });
    }

    public setStringArray(key: string, value: readonly string[]): this {
        return this.set(key, { type: GgufValueType.array, elementType: GgufValueType.string, value });
    }

    public setFloat32Array(key: string, value: ArrayLike<number>): this {
        return this.set(key, { type: GgufValueType.array, elementType: GgufValueType.float32, value });
    }

    public setInt32Array(key: string, value: ArrayLike<number>): this {
        return this.set(key, { type: GgufValueType.array, elementType: GgufValueType.int32, value });
    }

    public addTensor(tensor: GgufTensorSource): this {
        if (Buffer.byteLength(tensor.name, "utf8") > maxTensorNameBytes)
            throw new Error(`GGUF tensor name "${tensor.name}" is longer than ${maxTensorNameBytes} bytes`);
        if (this.tensors.some((existing) => existing.name === tensor.name)) throw new Error(`GGUF tensor "${tensor.name}" was added twice`);
        if (tensor.shape.length === 0 || tensor.shape.length > maxDimensions)
            throw new Error(`GGUF tensor "${tensor.name}" must have 1 to ${maxDimensions} dimensions`);
        for (const dimension of tensor.shape) assertInteger(`shape of ${tensor.name}`, dimension, 1, Number.MAX_SAFE_INTEGER);

        this.tensors.push(tensor);
        return this;
    }

    /** The size in bytes writeToFile would write, without generating any tensor data. */
    public plannedByteLength(): number {
        const plannedTensors = this.planTensors();
        const last = plannedTensors.at(-1);
        const dataBytes = last === undefined ? 0 : last.offset + alignUp(last.byteLength, this.alignment);
        return this.encodeHeader(plannedTensors).length + dataBytes;
    }

    /** Writes the whole file and returns its size in bytes. */
    public async writeToFile(path: string): Promise<number> {
        // tensor data is written straight from Float32Array/Uint16Array memory
        if (endianness() !== "LE") throw new Error("GgufWriter only supports little-endian hosts");

        const plannedTensors = this.planTensors();
        const header = this.encodeHeader(plannedTensors);
        const file = await open(path, "w");
        try {
            await writeFully(file, header, 0);
            let written = header.length;
            for (const tensor of plannedTensors) written += await this.writeTensorData(file, tensor, written);

            return written;
        } finally {
            await file.close();
        }
    }

    private set(key: string, entry: GgufMetadataEntry): this {
        this.metadata.set(key, entry);
        return this;
    }

    private planTensors(): PlannedTensor[] {
        let offset = 0;
        return this.tensors.map((tensor) => {
            const elementCount = tensor.shape.reduce((product, dimension) => product * dimension, 1);
            if (tensor.type === GgmlType.Q8_0 && tensor.shape[0]! % q8_0BlockElements !== 0)
                throw new RangeError(`${tensor.name}: a Q8_0 tensor's rows must hold whole blocks of ${q8_0BlockElements}, got ${tensor.shape[0]}`);
            const byteLength = elementCount * bytesPerElement(tensor.type);
            const planned = { ...tensor, elementCount, byteLength, offset };
            offset += alignUp(byteLength, this.alignment);
            return planned;
        });
    }

    private encodeHeader(tensors: readonly PlannedTensor[]): Buffer {
        const builder = new LittleEndianBuilder();
        builder.uint32(ggufMagic);
        builder.uint32(ggufVersion);
        builder.uint64(tensors.length);
        builder.uint64(this.metadata.size);

        for (const [key, entry] of this.metadata) {
            builder.string(key);
            encodeMetadataValue(builder, entry);
        }

        for (const tensor of tensors) {
            builder.string(tensor.name);
            builder.uint32(tensor.shape.length);
            for (const dimension of tensor.shape) builder.uint64(dimension);
            builder.uint32(tensor.type);
            builder.uint64(tensor.offset);
        }

        builder.zeros(alignUp(builder.byteLength, this.alignment) - builder.byteLength);
        return builder.toBuffer();
    }

    /**
     * Alternates two chunk buffers so that filling the next chunk (CPU) overlaps
     * with the pending file write of the previous one (thread pool). Two writes can
     * be in flight at once, hence explicit file positions rather than the file cursor.
     */
    private async writeTensorData(file: FileHandle, tensor: PlannedTensor, filePosition: number): Promise<number> {
        const bytesPerValue = bytesPerElement(tensor.type);
        const chunkElements = Math.min(this.chunkElements, tensor.elementCount);
        const toHalves = tensor.type === GgmlType.F16 ? float32ToFloat16Bits : tensor.type === GgmlType.BF16 ? float32ToBfloat16Bits : undefined;
        const slots = [0, 1].map(() => ({
            values: new Float32Array(chunkElements),
            halves: toHalves ? new Uint16Array(chunkElements) : undefined,
            blocks: tensor.type === GgmlType.Q8_0 ? new Uint8Array(Math.ceil(chunkElements * bytesPerValue)) : undefined,
            pendingWrite: Promise.resolve()
        }));

        let slotIndex = 0;
        try {
            for (let firstElement = 0; firstElement < tensor.elementCount; firstElement += chunkElements) {
                const slot = slots[slotIndex]!;
                await slot.pendingWrite;

                const count = Math.min(chunkElements, tensor.elementCount - firstElement);
                const values = count === chunkElements ? slot.values : slot.values.subarray(0, count);
                tensor.fill(values, firstElement);

                let bytes: Buffer;
                if (slot.blocks != null) {
                    quantizeQ8_0(values, slot.blocks, count);
                    bytes = Buffer.from(slot.blocks.buffer, slot.blocks.byteOffset, count * bytesPerValue);
                } else if (slot.halves != null && toHalves) {
                    toHalves(values, slot.halves, count);
                    bytes = Buffer.from(slot.halves.buffer, slot.halves.byteOffset, count * 2);
                } else bytes = Buffer.from(values.buffer, values.byteOffset, count * 4);

                slot.pendingWrite = writeFully(file, bytes, filePosition + firstElement * bytesPerValue);
                // a failure is rethrown when the slot is awaited; this only stops Node from
                // reporting it as unhandled while the next chunk is being filled
                slot.pendingWrite.catch(() => undefined);
                slotIndex = 1 - slotIndex;
            }
        } finally {
            // never close the file (or surface a fill error) while a write still uses a buffer
            const results = await Promise.allSettled(slots.map((slot) => slot.pendingWrite));
            const failure = results.find((result) => result.status === "rejected");
            if (failure != null) throw failure.reason;
        }

        const padding = alignUp(tensor.byteLength, this.alignment) - tensor.byteLength;
        if (padding > 0) await writeFully(file, Buffer.alloc(padding), filePosition + tensor.byteLength);

        return tensor.byteLength + padding;
    }
}

function encodeMetadataValue(builder: LittleEndianBuilder, entry: GgufMetadataEntry): void {
    builder.uint32(entry.type);
    switch (entry.type) {
        case GgufValueType.uint32:
            builder.uint32(entry.value);
            return;
        case GgufValueType.int32:
            builder.int32(entry.value);
            return;
        case GgufValueType.float32:
            builder.float32(entry.value);
            return;
        case GgufValueType.bool:
            builder.int8(entry.value ? 1 : 0);
            return;
        case GgufValueType.string:
            builder.string(entry.value);
            return;
        case GgufValueType.array:
            builder.uint32(entry.elementType);
            builder.uint64(entry.value.length);
            if (entry.elementType === GgufValueType.string) for (const item of entry.value) builder.string(item);
            else if (entry.elementType === GgufValueType.float32) for (let i = 0; i < entry.value.length; i++) builder.float32(entry.value[i]!);
            else for (let i = 0; i < entry.value.length; i++) builder.int32(entry.value[i]!);
            return;
    }
}

/** FileHandle.write may write less than asked; GGUF offsets are useless if a byte goes missing. */
async function writeFully(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
        const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
        done += bytesWritten;
    }
}

function alignUp(value: number, alignment: number): number {
    return Math.ceil(value / alignment) * alignment;
}

function assertInteger(name: string, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
}
