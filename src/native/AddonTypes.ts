import type { BackendDescription } from "./LlamaBackend.js";

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

/**
 * Memory edits applied in order, on the decode's worker thread, before its batch: quadruples
 * [kind, a, b, c]. Kind 0 clears the whole cache; 1 removes positions [b, c) of sequence a
 * (-1 is open-ended); 2 makes sequence b hold a copy of all of sequence a's cells.
 */
export const MemoryEdit = { clear: 0, remove: 1, copy: 2 } as const;

/**
 * The typed surface everything above src/native talks to. It is asynchronous throughout and
 * passes only plain data and typed arrays, so it has two implementations that nothing above can
 * tell apart: the addon itself, in this process, and a proxy over IPC to a child process (the
 * isolated mode, src/isolation/).
 */
export interface AddonModel {
    /** Tokenizes off the main thread; never adds BOS/EOS. parseSpecial=false keeps "<bos>" typed by a user as plain text. */
    tokenize(texts: string[], parseSpecial: boolean): Promise<Int32Array[]>;
    /** The vocabulary's text of each id; ids outside [0, n_vocab) are refused. */
    tokenTexts(tokens: Int32Array): Promise<string[]>;
    /** llama_token_attr bit flags of each id. */
    tokenAttributes(tokens: Int32Array): Promise<Uint32Array>;
    /** Fixed once the model is loaded. */
    describe(): AddonModelDescription;
    loadLora(path: string): Promise<AddonLora>;
    /** Refused while contexts of this model are alive. */
    dispose(): Promise<void>;
}

export interface AddonLora {
    readonly __brand?: "AddonLora";
}

export interface AddonContext {
    /**
     * Applies memoryEdits (see MemoryEdit), then one llama_decode of batch off the main thread.
     * Resolves to, for each position flagged in batch.outputs (in batch order), the logits of
     * scoreTokenIds: outputs × scoreTokenIds floats. An empty batch only applies the edits.
     */
    decode(batch: AddonBatch, scoreTokenIds: Int32Array, memoryEdits: Int32Array): Promise<Float32Array>;
    /** Fixed once the context is created. */
    describe(): AddonContextDescription;
    /** Refused while a decode is in flight. */
    dispose(): Promise<void>;
}

/** The raw binding of native/addon.cc. Only src/native/LlamaBackend.ts calls it. */
export interface LlmRerankAddon {
    /** Resolves llama.cpp's entry points from an already-loaded libllama; returns system info. */
    bindLibllama(libraryPath: string): string;
    loadModel(path: string, gpuLayers: number): Promise<AddonModel>;
    createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext>;
}

/**
 * A llama.cpp that models are loaded into: node-llama-cpp's, in this process (LlamaBackend), or
 * the same in a child process (IsolatedBackend).
 */
export interface ModelHost {
    readonly description: BackendDescription;
    loadModel(path: string, gpuLayers: number): Promise<AddonModel>;
    createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext>;
    /** Frees what this host holds for one Reranker once it is disposed (the isolated child). */
    release(): Promise<void>;
}
