// The one typed description of the native addon's surface (native/*.cc). Nothing outside
// src/native touches the raw binding; the rest of the library talks to these types.

export type AddonBatch = {
    /** Token ids, one per batch position. */
    tokens: Int32Array;
    /** Position of each token inside its own sequence. */
    positions: Int32Array;
    /** KV slot (llama.cpp sequence id) of each token, in [0, sequences). */
    sequenceIds: Int32Array;
    /** 1 where the logits of that position are wanted (a sequence's last token), else 0. */
    outputs: Uint8Array;
};

export type AddonModelDescription = {
    description: string;
    vocabularySize: number;
    embeddingLength: number;
    layerCount: number;
    trainContextLength: number;
    sizeBytes: number;
    parameterCount: number;
    bosToken: number;
    eosToken: number;
    addsBos: boolean;
};

export type AddonContextOptions = {
    contextSize: number;
    batchSize: number;
    ubatchSize: number;
    sequences: number;
    threads: number;
    kvType: "f32" | "f16";
    flashAttention: boolean;
    unifiedKv: boolean;
    loras: { adapter: AddonLora; scale: number }[];
    /** Reported to V8 as external memory so the garbage collector sees what the context holds. */
    estimatedBytes: number;
};

export type AddonContextDescription = {
    contextSize: number;
    sequenceContextSize: number;
    batchSize: number;
    ubatchSize: number;
    sequences: number;
};

export interface AddonModel {
    /** Never adds BOS/EOS. parseSpecial=false keeps "<bos>" typed by a user as plain text. */
    tokenize(text: string, parseSpecial: boolean): Int32Array;
    tokenText(token: number): string;
    /** llama_token_attr bit flags. */
    tokenAttributes(token: number): number;
    describe(): AddonModelDescription;
    loadLora(path: string): Promise<AddonLora>;
    /** Throws while contexts of this model are alive. */
    dispose(): void;
}

export interface AddonLora {
    readonly __brand?: "AddonLora";
}

export interface AddonContext {
    /**
     * One llama_decode off the main thread. Resolves to, for each position flagged in
     * batch.outputs (in batch order), the logits of scoreTokenIds: outputs × scoreTokenIds floats.
     */
    decode(batch: AddonBatch, scoreTokenIds: Int32Array): Promise<Float32Array>;
    /** llama_memory_seq_rm over positions [from, to); -1 is open-ended. */
    removeTokens(sequenceId: number, from: number, to: number): boolean;
    /** Makes destination hold the same cells as source (whole sequence). */
    copySequence(source: number, destination: number): void;
    clear(): void;
    describe(): AddonContextDescription;
    /** Throws while a decode is in flight. */
    dispose(): void;
}

export interface LlmRerankAddon {
    /** Resolves llama.cpp's entry points from an already-loaded libllama; returns system info. */
    bindLibllama(libraryPath: string): string;
    /** Every shared library mapped into the process, from the dynamic loader (native/LoadedLibraries.cc). */
    loadedLibraries(): string[];
    loadModel(path: string, gpuLayers: number): Promise<AddonModel>;
    createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext>;
}
