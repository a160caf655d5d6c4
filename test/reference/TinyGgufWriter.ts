import { GgufValueType } from "./GgufFile.js";

type ScalarType = Exclude<(typeof GgufValueType)[keyof typeof GgufValueType], typeof GgufValueType.ARRAY>;
type Scalar = number | bigint | boolean | string;

interface PendingTensor {
    name: string;
    dims: number[];
    ggmlType: number;
    data: Uint8Array;
}

/**
 * Just enough of a GGUF v3 writer to hand-build models for the reference's
 * self-test. Deliberately separate from any production writer, so a shared
 * misunderstanding of the format cannot hide in both.
 */
export class TinyGgufWriter {
    private readonly headerBytes: number[] = [];
    private readonly kvs: Array<(out: TinyGgufWriter) => void> = [];
    private readonly tensors: PendingTensor[] = [];

    constructor(
        private readonly alignment = 32,
        private readonly version = 3
    ) {}

    scalar(key: string, type: ScalarType, value: Scalar): this {
        this.kvs.push((out) => {
            out.string(key);
            out.u32(type);
            out.value(type, value);
        });
        return this;
    }

    array(key: string, elementType: ScalarType, values: Scalar[]): this {
        this.kvs.push((out) => {
            out.string(key);
            out.u32(GgufValueType.ARRAY);
            out.u32(elementType);
            out.u64(BigInt(values.length));
            for (const v of values) out.value(elementType, v);
        });
        return this;
    }

    /** `dims` in ggml order: dims[0] is the row length. */
    tensorF32(name: string, dims: number[], values: ArrayLike<number>): this {
        const data = new Uint8Array(values.length * 4);
        const view = new DataView(data.buffer);
        for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
        return this.tensorRaw(name, dims, 0, data);
    }

    /** Values must be exactly representable as F16, so the test knows the decoded numbers exactly. */
    tensorF16(name: string, dims: number[], values: ArrayLike<number>): this {
        const data = new Uint8Array(values.length * 2);
        const view = new DataView(data.buffer);
        for (let i = 0; i < values.length; i++) view.setUint16(i * 2, exactFloat16Bits(values[i]), true);
        return this.tensorRaw(name, dims, 1, data);
    }

    /** Values must be exactly representable as BF16 (a float32 whose low 16 bits are zero). */
    tensorBF16(name: string, dims: number[], values: ArrayLike<number>): this {
        const data = new Uint8Array(values.length * 2);
        const view = new DataView(data.buffer);
        const scratch = new DataView(new ArrayBuffer(4));
        for (let i = 0; i < values.length; i++) {
            scratch.setFloat32(0, values[i]);
            const bits = scratch.getUint32(0);
            if ((bits & 0xffff) !== 0 || scratch.getFloat32(0) !== values[i]) throw new Error(`${values[i]} not exact in bf16`);
            view.setUint16(i * 2, bits >>> 16, true);
        }
        return this.tensorRaw(name, dims, 30, data);
    }

    tensorRaw(name: string, dims: number[], ggmlType: number, data: Uint8Array): this {
        this.tensors.push({ name, dims, ggmlType, data });
        return this;
    }

    toBytes(): Uint8Array {
        this.headerBytes.length = 0;
        for (const c of "GGUF") this.u8(c.charCodeAt(0));
        this.u32(this.version);
        this.u64(BigInt(this.tensors.length));
        this.u64(BigInt(this.kvs.length));
        for (const writeKv of this.kvs) writeKv(this);
        let offset = 0;
        const offsets: number[] = [];
        for (const t of this.tensors) {
            this.string(t.name);
            this.u32(t.dims.length);
            for (const d of t.dims) this.u64(BigInt(d));
            this.u32(t.ggmlType);
            offsets.push(offset);
            this.u64(BigInt(offset));
            offset = Math.ceil((offset + t.data.length) / this.alignment) * this.alignment;
        }
        this.padTo(this.alignment);
        const header = Uint8Array.from(this.headerBytes);
        const out = new Uint8Array(header.length + offset);
        out.set(header);
        this.tensors.forEach((t, i) => out.set(t.data, header.length + offsets[i]));
        return out;
    }

    private padTo(alignment: number): void {
        while (this.headerBytes.length % alignment !== 0) this.u8(0);
    }

    private value(type: ScalarType, v: Scalar): void {
        const buf = new DataView(new ArrayBuffer(8));
        const bytes = (n: number) => {
            for (let i = 0; i < n; i++) this.u8(buf.getUint8(i));
        };
        switch (type) {
            case GgufValueType.UINT8:
                return this.u8(Number(v));
            case GgufValueType.INT8:
                buf.setInt8(0, Number(v));
                return bytes(1);
            case GgufValueType.UINT16:
                buf.setUint16(0, Number(v), true);
                return bytes(2);
            case GgufValueType.INT16:
                buf.setInt16(0, Number(v), true);
                return bytes(2);
            case GgufValueType.UINT32:
                return this.u32(Number(v));
            case GgufValueType.INT32:
                buf.setInt32(0, Number(v), true);
                return bytes(4);
            case GgufValueType.FLOAT32:
                buf.setFloat32(0, Number(v), true);
                return bytes(4);
            case GgufValueType.BOOL:
                return this.u8(v ? 1 : 0);
            case GgufValueType.STRING:
                return this.string(String(v));
            case GgufValueType.UINT64:
                return this.u64(BigInt(v as bigint | number));
            case GgufValueType.INT64:
                buf.setBigInt64(0, BigInt(v as bigint | number), true);
                return bytes(8);
            case GgufValueType.FLOAT64:
                buf.setFloat64(0, Number(v), true);
                return bytes(8);
        }
    }

    private u8(b: number): void {
        this.headerBytes.push(b & 0xff);
    }
    private u32(v: number): void {
        for (let i = 0; i < 4; i++) this.u8(v >>> (8 * i));
    }
    private u64(v: bigint): void {
        for (let i = 0n; i < 8n; i++) this.u8(Number((v >> (8n * i)) & 0xffn));
    }
    private string(s: string): void {
        const encoded = new TextEncoder().encode(s);
        this.u64(BigInt(encoded.length));
        for (const b of encoded) this.u8(b);
    }
}

/** Encodes only normal numbers and zero, and only if exact: enough for hand-picked test values. */
function exactFloat16Bits(value: number): number {
    if (value === 0) return Object.is(value, -0) ? 0x8000 : 0;
    const sign = value < 0 ? 0x8000 : 0;
    const magnitude = Math.abs(value);
    const exponent = Math.floor(Math.log2(magnitude));
    const mantissa = (magnitude / 2 ** exponent - 1) * 1024;
    if (exponent < -14 || exponent > 15 || !Number.isInteger(mantissa)) throw new Error(`${value} not exact in f16`);
    return sign | ((exponent + 15) << 10) | mantissa;
}
