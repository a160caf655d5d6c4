/** A cache's figures in describe(): use and hit counts, bytes as LruCache counts them, and its bounds. */
export type CacheStats = { entries: number; hits: number; misses: number; bytes: number; maxEntries: number; maxBytes: number };

/** What an entry costs in the byte budget. */
export type EntrySize<K, V> = (key: K, value: V) => number;

/**
 * Bytes a cache entry is charged besides its key and value: the Map entry, the value's object
 * header (a typed array's is about 100 bytes in V8) and the string header. An estimate that errs
 * high, so that many tiny entries cannot outgrow the budget unseen.
 */
export const entryOverheadBytes = 128;

/** A string key's bytes: 2 per UTF-16 code unit (V8 stores Latin-1 strings in 1; 2 is the bound). */
export function stringBytes(text: string): number {
    return 2 * text.length;
}

/**
 * A map that forgets the least recently used entry first, bounded both in entries and in bytes.
 * Bytes are what `sizeOf(key, value)` says an entry costs (by default 128 bytes each); an entry
 * larger than the whole budget is never stored.
 */
export class LruCache<K, V> {
    private readonly entries = new Map<K, { value: V; bytes: number }>();
    readonly capacity: number;
    readonly maxBytes: number;
    private readonly sizeOf: EntrySize<K, V>;
    private usedBytes = 0;
    hits = 0;
    misses = 0;

    constructor(capacity: number, maxBytes = Number.POSITIVE_INFINITY, sizeOf: EntrySize<K, V> = () => entryOverheadBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.sizeOf = sizeOf;
    }

    get(key: K): V | undefined {
        const entry = this.entries.get(key);
        if (entry === undefined) {
            this.misses++;
            return undefined;
        }
        this.hits++;
        // Map keeps insertion order: re-inserting marks the entry as most recently used.
        this.entries.delete(key);
        this.entries.set(key, entry);
        return entry.value;
    }

    set(key: K, value: V): void {
        this.delete(key);
        if (this.capacity <= 0) return;
        const bytes = this.sizeOf(key, value);
        if (bytes > this.maxBytes) return;
        this.entries.set(key, { value, bytes });
        this.usedBytes += bytes;
        while (this.entries.size > this.capacity || this.usedBytes > this.maxBytes) {
            this.delete(this.entries.keys().next().value as K);
        }
    }

    delete(key: K): void {
        const entry = this.entries.get(key);
        if (entry === undefined) return;
        this.entries.delete(key);
        this.usedBytes -= entry.bytes;
    }

    /** What describe() reports of a cache: use, hits, and bytes against its bounds. */
    get stats(): CacheStats {
        return { entries: this.size, hits: this.hits, misses: this.misses, bytes: this.bytes, maxEntries: this.capacity, maxBytes: this.maxBytes };
    }

    get size(): number {
        return this.entries.size;
    }

    /** The bytes the entries held now are charged (see sizeOf). */
    get bytes(): number {
        return this.usedBytes;
    }

    clear(): void {
        this.entries.clear();
        this.usedBytes = 0;
    }
}
