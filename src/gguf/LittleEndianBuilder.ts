/**
 * Accumulates little-endian binary data in growing chunks, for the GGUF header
 * (metadata plus tensor infos), which can be several MB with a 256k-token vocabulary.
 */
export class LittleEndianBuilder {
    private readonly chunks: Buffer[] = [];
    private current: Buffer;
    private position = 0;
    private completedBytes = 0;

    public constructor(private readonly chunkBytes: number = 1 << 20) {
        this.current = Buffer.allocUnsafe(chunkBytes);
    }

    public get byteLength(): number {
        return this.completedBytes + this.position;
    }

    public uint8(value: number): void {
        this.reserve(1);
        this.current.writeUInt8(value, this.position);
        this.position += 1;
    }

    public int8(value: number): void {
        this.reserve(1);
        this.current.writeInt8(value, this.position);
        this.position += 1;
    }

    public uint16(value: number): void {
        this.reserve(2);
        this.current.writeUInt16LE(value, this.position);
        this.position += 2;
    }

    public int16(value: number): void {
        this.reserve(2);
        this.current.writeInt16LE(value, this.position);
        this.position += 2;
    }

    public int64(value: number | bigint): void {
        this.reserve(8);
        this.current.writeBigInt64LE(BigInt(value), this.position);
        this.position += 8;
    }

    public float64(value: number): void {
        this.reserve(8);
        this.current.writeDoubleLE(value, this.position);
        this.position += 8;
    }

    public uint32(value: number): void {
        this.reserve(4);
        this.current.writeUInt32LE(value, this.position);
        this.position += 4;
    }

    public int32(value: number): void {
        this.reserve(4);
        this.current.writeInt32LE(value, this.position);
        this.position += 4;
    }

    public float32(value: number): void {
        this.reserve(4);
        this.current.writeFloatLE(value, this.position);
        this.position += 4;
    }

    public uint64(value: number | bigint): void {
        this.reserve(8);
        this.current.writeBigUInt64LE(BigInt(value), this.position);
        this.position += 8;
    }

    /** GGUF strings: uint64 byte length, then UTF-8 bytes without a terminator. */
    public string(value: string): void {
        const byteLength = Buffer.byteLength(value, "utf8");
        this.uint64(byteLength);
        this.reserve(byteLength);
        this.current.write(value, this.position, byteLength, "utf8");
        this.position += byteLength;
    }

    public zeros(count: number): void {
        this.reserve(count);
        this.current.fill(0, this.position, this.position + count);
        this.position += count;
    }

    public toBuffer(): Buffer {
        return Buffer.concat([...this.chunks, this.current.subarray(0, this.position)]);
    }

    private reserve(bytes: number): void {
        if (this.position + bytes <= this.current.length) return;

        this.chunks.push(this.current.subarray(0, this.position));
        this.completedBytes += this.position;
        this.current = Buffer.allocUnsafe(Math.max(this.chunkBytes, bytes));
        this.position = 0;
    }
}
