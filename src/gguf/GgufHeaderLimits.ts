/**
 * Bounds on what a GGUF header may hold before the library parses it any further, each far above
 * what a real model needs and far below what makes a parser (ours, node-llama-cpp's, gguf.cpp's)
 * allocate or loop without end.
 */
export const ggufHeaderLimits = {
    /**
     * gguf.cpp checks each new key against every earlier one (gguf_init_from_reader, "duplicate
     * key"): quadratic. Real models carry under 100 keys.
     */
    metadataKeys: 4096,
    /**
     * gguf.cpp compares each tensor name with every earlier one ("duplicate tensor name"):
     * quadratic. 16,384 tensors is 512 layers (LLAMA_MAX_LAYERS) of 32 tensors; the check then costs
     * about 1.3e8 short strcmp calls, well under a second.
     */
    tensors: 16384,
    /** Longer keys exist in no converter; gguf.cpp itself allows up to 1 GiB. */
    keyBytes: 1024,
    /**
     * Elements of one metadata array. The largest vocabularies hold about 256k tokens (and as many
     * merges); each element becomes a JS value, so this bounds the memory one array can take.
     */
    arrayElements: 1 << 24,
    /** The whole header (metadata and tensor infos) is read into memory: at most this much of it. */
    headerBytes: 256 * 1024 * 1024,
    /** GGML_MAX_NAME is 64 including the terminator: gguf.cpp refuses names of 64 bytes or more. */
    tensorNameBytes: 63,
    /** GGML_MAX_DIMS. */
    dimensions: 4
} as const;
