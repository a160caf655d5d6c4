#pragma once

#include <string>

#include "llama.h"

// The libllama entry points the addon uses. They are resolved at run time from the libllama that
// node-llama-cpp has already loaded into the process: linking against libllama ourselves would map
// a second copy with its own backend registry, and the backend node-llama-cpp selected (CUDA,
// Metal, Vulkan, CPU variant) would not be the one that runs.
struct LlamaApi {
    decltype(&::llama_model_default_params) model_default_params = nullptr;
    decltype(&::llama_context_default_params) context_default_params = nullptr;
    decltype(&::llama_model_load_from_file) model_load_from_file = nullptr;
    decltype(&::llama_model_free) model_free = nullptr;
    decltype(&::llama_model_get_vocab) model_get_vocab = nullptr;
    decltype(&::llama_model_n_embd) model_n_embd = nullptr;
    decltype(&::llama_model_n_layer) model_n_layer = nullptr;
    decltype(&::llama_model_n_ctx_train) model_n_ctx_train = nullptr;
    decltype(&::llama_model_n_cls_out) model_n_cls_out = nullptr;
    decltype(&::llama_model_size) model_size = nullptr;
    decltype(&::llama_model_n_params) model_n_params = nullptr;
    decltype(&::llama_model_desc) model_desc = nullptr;
    decltype(&::llama_init_from_model) init_from_model = nullptr;
    decltype(&::llama_free) free_context = nullptr;
    decltype(&::llama_vocab_n_tokens) vocab_n_tokens = nullptr;
    decltype(&::llama_vocab_bos) vocab_bos = nullptr;
    decltype(&::llama_vocab_eos) vocab_eos = nullptr;
    decltype(&::llama_vocab_get_add_bos) vocab_get_add_bos = nullptr;
    decltype(&::llama_vocab_get_text) vocab_get_text = nullptr;
    decltype(&::llama_vocab_get_attr) vocab_get_attr = nullptr;
    decltype(&::llama_tokenize) tokenize = nullptr;
    decltype(&::llama_batch_init) batch_init = nullptr;
    decltype(&::llama_batch_free) batch_free = nullptr;
    decltype(&::llama_decode) decode = nullptr;
    decltype(&::llama_get_logits_ith) get_logits_ith = nullptr;
    decltype(&::llama_get_embeddings_seq) get_embeddings_seq = nullptr;
    decltype(&::llama_pooling_type) pooling_type = nullptr;
    decltype(&::llama_get_memory) get_memory = nullptr;
    decltype(&::llama_memory_seq_rm) memory_seq_rm = nullptr;
    decltype(&::llama_memory_seq_cp) memory_seq_cp = nullptr;
    decltype(&::llama_memory_clear) memory_clear = nullptr;
    decltype(&::llama_n_ctx) n_ctx = nullptr;
    decltype(&::llama_n_ctx_seq) n_ctx_seq = nullptr;
    decltype(&::llama_n_batch) n_batch = nullptr;
    decltype(&::llama_n_ubatch) n_ubatch = nullptr;
    decltype(&::llama_n_seq_max) n_seq_max = nullptr;
    decltype(&::llama_set_n_threads) set_n_threads = nullptr;
    decltype(&::llama_print_system_info) print_system_info = nullptr;
    decltype(&::llama_adapter_lora_init) adapter_lora_init = nullptr;
    decltype(&::llama_adapter_lora_free) adapter_lora_free = nullptr;
    decltype(&::llama_set_adapters_lora) set_adapters_lora = nullptr;

    // Resolves every entry point from an already-mapped library; never loads a new one.
    // Throws std::runtime_error naming the missing symbol or library.
    void bindTo(const std::string& libraryPath);
    bool isBound() const { return decode != nullptr; }
};

// One process-wide table: there is one libllama in the process, and it outlives every model.
LlamaApi& llamaApi();
