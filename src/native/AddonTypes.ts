import type { Placement } from "./describePlacement.js";
import type { AddonDevice } from "./DeviceTypes.js";
import type { HostDescription } from "./HostDescription.js";

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
    /** llama_model_n_cls_out: the classifier head's outputs (classifier.output_labels, else 1). */
    classifierOutputs: number;
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
    /**
     * Embeddings on with LLAMA_POOLING_TYPE_RANK: every token is an output, and decode returns the
     * classifier head's classifierOutputs floats for each flagged position's sequence.
     */
    rankPooling?: boolean;
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
     * In a rankPooling context, instead, llama_get_embeddings_seq of that position's sequence:
     * outputs × classifierOutputs floats (scoreTokenIds is ignored). An encoder-only model (bert)
     * has no memory (edits are skipped), needs the whole call within one ubatch and positions below
     * the trained context; the addon refuses other batches before llama.cpp sees them.
     */
    decode(batch: AddonBatch, scoreTokenIds: Int32Array, memoryEdits: Int32Array): Promise<Float32Array>;
    /** Fixed once the context is created. */
    describe(): AddonContextDescription;
    /** Refused while a decode is in flight. */
    dispose(): Promise<void>;
}

/** The raw binding of native/addon.cc. Only src/native/InProcessHost.ts calls it. */
export interface LlmRerankAddon {
    /** Resolves llama.cpp's entry points from an already-loaded libllama; returns system info. */
    bindLibllama(libraryPath: string): string;
    /** Every shared library mapped into the process, from the dynamic loader (native/LoadedLibraries.cc). */
    loadedLibraries(): string[];
    loadModel(path: string, gpuLayers: number): Promise<AddonModel>;
    createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext>;
}

/**
 * The one door to llama.cpp: node-llama-cpp's llama.cpp in this process (InProcessHost), or the
 * same in a child process (ChildProcessHost). Everything above src/native and src/isolation —
 * loading, sizing, placement, the engine — goes through it and never asks which one it has.
 */
export interface ModelHost {
    readonly description: HostDescription;
    loadModel(path: string, gpuLayers: number): Promise<AddonModel>;
    createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext>;
    /** ggml's devices with the free memory their drivers report now. */
    readDevices(): Promise<AddonDevice[]>;
    /**
     * Where llama.cpp put the model's layers and what it allocated for model and context, read
     * from llama.cpp. gpuLayers: what the model was loaded with (-1: every layer offloaded).
     */
    readPlacement(model: AddonModel, context: AddonContext, gpuLayers: number): Promise<Placement>;
    /** Frees what this host holds for one Reranker once it is disposed (the child process). */
    release(): Promise<void>;
}
