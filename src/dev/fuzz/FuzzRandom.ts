import { SeededRandom } from "../../testModel/SeededRandom.js";

/** Seeded choices for the case generator: the same seed and case index always give the same case. */
export class FuzzRandom {
    private readonly source: SeededRandom;

    constructor(seed: number, stream: string) {
        this.source = new SeededRandom(seed, stream);
    }

    /** An integer in [0, n). */
    int(n: number): number {
        return Math.floor((this.source.nextUint32() / 0x1_0000_0000) * n);
    }

    between(low: number, high: number): number {
        return low + this.int(high - low);
    }

    chance(p: number): boolean {
        return this.source.nextUint32() / 0x1_0000_0000 < p;
    }

    pick<T>(items: readonly T[]): T {
        return items[this.int(items.length)]!;
    }

    weighted<T>(items: readonly (readonly [T, number])[]): T {
        const total = items.reduce((sum, [, weight]) => sum + weight, 0);
        let point = (this.source.nextUint32() / 0x1_0000_0000) * total;
        for (const [item, weight] of items) {
            point -= weight;
            if (point < 0) return item;
        }
        return items[items.length - 1]![0];
    }
}
