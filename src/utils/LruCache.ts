/** A size-bounded map that forgets the least recently used entry first. */
export class LruCache<K, V> {
    private readonly entries = new Map<K, V>();
    readonly capacity: number;
    hits = 0;
    misses = 0;

    constructor(capacity: number) {
        this.capacity = capacity;
    }

    get(key: K): V | undefined {
        const value = this.entries.get(key);
        if (value === undefined) {
            this.misses++;
            return undefined;
        }
        this.hits++;
        // Map keeps insertion order: re-inserting marks the entry as most recently used.
        this.entries.delete(key);
        this.entries.set(key, value);
        return value;
    }

    set(key: K, value: V): void {
        if (this.capacity <= 0) return;
        this.entries.delete(key);
        this.entries.set(key, value);
        if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    }

    get size(): number {
        return this.entries.size;
    }

    clear(): void {
        this.entries.clear();
    }
}
