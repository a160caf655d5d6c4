#include "LlamaApi.h"

#include <stdexcept>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace {

#ifdef _WIN32
using LibraryHandle = HMODULE;

LibraryHandle findLoadedLibrary(const std::string& path) {
    int wideLength = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
    std::wstring widePath(wideLength, L'\0');
    MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, widePath.data(), wideLength);
    // GetModuleHandleW never loads: it only finds a module that is already mapped.
    return GetModuleHandleW(widePath.c_str());
}

void* findSymbol(LibraryHandle handle, const char* name) {
    return reinterpret_cast<void*>(GetProcAddress(handle, name));
}
#else
using LibraryHandle = void*;

LibraryHandle findLoadedLibrary(const std::string& path) {
    // RTLD_NOLOAD: succeed only if node-llama-cpp already mapped this file, so a wrong path can
    // never bring a second libllama into the process.
    return dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
}

void* findSymbol(LibraryHandle handle, const char* name) { return dlsym(handle, name); }
#endif

template <typename FunctionPointer>
void resolve(LibraryHandle handle, const char* name, FunctionPointer& slot) {
    void* symbol = findSymbol(handle, name);
    if (symbol == nullptr) {
        throw std::runtime_error(std::string("libllama does not export ") + name +
                                 ": the loaded llama.cpp is not the release this addon was built for");
    }
    slot = reinterpret_cast<FunctionPointer>(symbol);
}

}  // namespace

void LlamaApi::bindTo(const std::string& libraryPath) {
    LibraryHandle handle = findLoadedLibrary(libraryPath);
    if (handle == nullptr) {
        throw std::runtime_error("libllama is not loaded in this process: " + libraryPath);
    }
    LlamaApi bound;
    resolve(handle, "llama_model_default_params", bound.model_default_params);
    resolve(handle, "llama_context_default_params", bound.context_default_params);
    resolve(handle, "llama_model_load_from_file", bound.model_load_from_file);
    resolve(handle, "llama_model_free", bound.model_free);
    resolve(handle, "llama_model_get_vocab", bound.model_get_vocab);
    resolve(handle, "llama_model_n_embd", bound.model_n_embd);
    resolve(handle, "llama_model_n_layer", bound.model_n_layer);
    resolve(handle, "llama_model_n_ctx_train", bound.model_n_ctx_train);
    resolve(handle, "llama_model_n_cls_out", bound.model_n_cls_out);
    resolve(handle, "llama_model_size", bound.model_size);
    resolve(handle, "llama_model_n_params", bound.model_n_params);
    resolve(handle, "llama_model_desc", bound.model_desc);
    resolve(handle, "llama_init_from_model", bound.init_from_model);
    resolve(handle, "llama_free", bound.free_context);
    resolve(handle, "llama_vocab_n_tokens", bound.vocab_n_tokens);
    resolve(handle, "llama_vocab_bos", bound.vocab_bos);
    resolve(handle, "llama_vocab_eos", bound.vocab_eos);
    resolve(handle, "llama_vocab_get_add_bos", bound.vocab_get_add_bos);
    resolve(handle, "llama_vocab_get_text", bound.vocab_get_text);
    resolve(handle, "llama_vocab_get_attr", bound.vocab_get_attr);
    resolve(handle, "llama_tokenize", bound.tokenize);
    resolve(handle, "llama_batch_init", bound.batch_init);
    resolve(handle, "llama_batch_free", bound.batch_free);
    resolve(handle, "llama_decode", bound.decode);
    resolve(handle, "llama_get_logits_ith", bound.get_logits_ith);
    resolve(handle, "llama_get_embeddings_seq", bound.get_embeddings_seq);
    resolve(handle, "llama_pooling_type", bound.pooling_type);
    resolve(handle, "llama_get_memory", bound.get_memory);
    resolve(handle, "llama_memory_seq_rm", bound.memory_seq_rm);
    resolve(handle, "llama_memory_seq_cp", bound.memory_seq_cp);
    resolve(handle, "llama_memory_clear", bound.memory_clear);
    resolve(handle, "llama_n_ctx", bound.n_ctx);
    resolve(handle, "llama_n_ctx_seq", bound.n_ctx_seq);
    resolve(handle, "llama_n_batch", bound.n_batch);
    resolve(handle, "llama_n_ubatch", bound.n_ubatch);
    resolve(handle, "llama_n_seq_max", bound.n_seq_max);
    resolve(handle, "llama_set_n_threads", bound.set_n_threads);
    resolve(handle, "llama_print_system_info", bound.print_system_info);
    resolve(handle, "llama_adapter_lora_init", bound.adapter_lora_init);
    resolve(handle, "llama_adapter_lora_free", bound.adapter_lora_free);
    resolve(handle, "llama_set_adapters_lora", bound.set_adapters_lora);
    // Assign only when every symbol resolved, so a failed bind leaves the table untouched.
    *this = bound;
}

LlamaApi& llamaApi() {
    static LlamaApi api;
    return api;
}
