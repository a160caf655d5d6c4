/**
 * Sequential little-endian reader over a byte array; GGUF is little-endian
 * throughout (we do not support the rare big-endian variant).
 */
export class GgufByteCursor {
    private readonly view: DataView;
    private readonly textDecoder = new TextDecoder("utf-8", { fatal: true });
    position: number;

    constructor(
        private readonly bytes: Uint8Array,
        start = 0
    ) {
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        this.position = start;
    }

    private advance(size: number): number {
        const at = this.position;
        if (at + size > this.bytes.byteLength) {
            throw new Error(`GGUF truncated: need ${size} bytes at offset ${at}, file has ${this.bytes.byteLength}`);
        }
        this.position = at + size;
        return at;
    }

    u8(): number {
        return this.view.getUint8(this.advance(1));
    }
    i8(): number {
        return this.view.getInt8(this.advance(1));
    }
    u16(): number {
        return this.view.getUint16(this.advance(2), true);
    }
    i16(): number {
        return this.view.getInt16(this.advance(2), true);
    }
    u32(): number {
        return this.view.getUint32(this.advance(4), true);
    }
    i32(): number {
        return this.view.getInt32(this.advance(4), true);
    }
    f32(): number {
        return this.view.getFloat32(this.advance(4), true);
    }
    f64(): number {
        return this.view.getFloat64(this.advance(8), true);
    }
    u64(): bigint {
        return this.view.getBigUint64(this.advance(8), true);
    }
    i64(): bigint {
        return this.view.getBigInt64(this.advance(8), true);
    }

    /** A u64 that is used as a size or offset, where anything beyond 2^53 means a corrupt file. */
    u64AsNumber(): number {
        const value = this.u64();
        if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`GGUF value ${value} too large at offset ${this.position - 8}`);
        return Number(value);
    }

    string(): string {
        const length = this.u64AsNumber();
        const at = this.advance(length);
        return this.textDecoder.decode(this.bytes.subarray(at, at + length));
    }
}
