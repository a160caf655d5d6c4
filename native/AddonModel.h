#pragma once

#include <napi.h>

#include <vector>

#include "LlamaApi.h"

// A loaded llama_model. JavaScript owns its lifetime: dispose() frees it, and the finalizer is
// only a backstop for objects that were dropped without dispose().
class AddonModel : public Napi::ObjectWrap<AddonModel> {
public:
    static Napi::Function defineClass(Napi::Env env);

    explicit AddonModel(const Napi::CallbackInfo& info);
    ~AddonModel() override;

    llama_model* model() const { return model_; }
    const llama_vocab* vocab() const { return vocab_; }
    void adopt(llama_model* model);
    void retain() { ++liveContexts_; }
    void release() { --liveContexts_; }

private:
    Napi::Value tokenize(const Napi::CallbackInfo& info);
    Napi::Value tokenTexts(const Napi::CallbackInfo& info);
    Napi::Value tokenAttributes(const Napi::CallbackInfo& info);
    Napi::Value describe(const Napi::CallbackInfo& info);
    Napi::Value loadLora(const Napi::CallbackInfo& info);
    Napi::Value dispose(const Napi::CallbackInfo& info);
    void requireLoaded(Napi::Env env) const;
    std::vector<llama_token> readTokenIds(Napi::Env env, Napi::Value value) const;
    void freeModel();

    llama_model* model_ = nullptr;
    const llama_vocab* vocab_ = nullptr;
    int64_t reportedBytes_ = 0;
    Napi::Env env_ = nullptr;
    // Contexts and adapter loads borrow the model; freeing it under them would leave dangling pointers.
    int liveContexts_ = 0;
};
