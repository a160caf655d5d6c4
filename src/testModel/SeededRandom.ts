/**
 * xoshiro128** seeded through splitmix32: fast, 32-bit only (exact in JS integer math
 * via Math.imul) and identical on every platform, so a seed always yields the same file.
 * Each tensor gets its own stream derived from (seed, tensor name), which keeps a
 * tensor's values independent of which other tensors exist or in what order they are written.
 */
export class SeededRandom {
    private s0: number;
    private s1: number;
    private s2: number;
    private s3: number;

    public constructor(seed: number, stream: string = "") {
        let state = (Math.trunc(seed) ^ hashString(stream)) >>> 0;
        const next = (): number => {
            state = (state + 0x9e3779b9) >>> 0;
            let z = state;
            z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
            z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
            return (z ^ (z >>> 16)) >>> 0;
        };
        this.s0 = next();
        this.s1 = next();
        this.s2 = next();
        this.s3 = next();
        if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state would only ever produce zeros
    }

    public nextUint32(): number {
        const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
        const t = this.s1 << 9;
        this.s2 ^= this.s0;
        this.s3 ^= this.s1;
        this.s1 ^= this.s2;
        this.s0 ^= this.s3;
        this.s2 ^= t;
        this.s3 = rotateLeft(this.s3, 11);
        return result;
    }

    /**
     * Fills `target` with center + halfWidth * u, u uniform in [-1, 1) at 24-bit resolution.
     * The generator state lives in locals here because this loop produces billions of values for the bench model.
     */
    public fillUniform(target: Float32Array, center: number, halfWidth: number): void {
        let s0 = this.s0,
            s1 = this.s1,
            s2 = this.s2,
            s3 = this.s3;
        const scale = halfWidth / 8388608; // 2^23: maps 24-bit integers onto [0, 2)
        for (let i = 0; i < target.length; i++) {
            const x = Math.imul(s1, 5);
            const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
            const t = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = (s3 << 11) | (s3 >>> 21);
            target[i] = center + ((result >>> 8) * scale - halfWidth);
        }
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
    }
}

function rotateLeft(value: number, bits: number): number {
    return (value << bits) | (value >>> (32 - bits));
}

/** FNV-1a over UTF-16 code units: only needs to separate tensor names. */
function hashString(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return hash >>> 0;
}
