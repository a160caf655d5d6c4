#pragma once

#include <napi.h>

#include <atomic>

#include "LlamaApi.h"

class AddonModel;

// A llama_context with one KV slot per sequence id. One decode runs at a time: the JS scheduler
// serialises work, and the busy flag is the native backstop that turns a second concurrent call
// into an exception instead of a data race inside llama.cpp.
class AddonContext : public Napi::ObjectWrap<AddonContext> {
public:
    static Napi::Function defineClass(Napi::Env env);
    // createContext(model, options) -> Promise<AddonContext>
    static Napi::Value create(const Napi::CallbackInfo& info);

    explicit AddonContext(const Napi::CallbackInfo& info);
    ~AddonContext() override;

    void adopt(llama_context* context, AddonModel* model, Napi::Object modelObject, int64_t reportedBytes);
    llama_context* context() const { return context_; }
    void finishDecode() { busy_ = false; }

private:
    Napi::Value decode(const Napi::CallbackInfo& info);
    Napi::Value describe(const Napi::CallbackInfo& info);
    Napi::Value dispose(const Napi::CallbackInfo& info);
    void requireIdle(Napi::Env env) const;
    void freeContext();

    llama_context* context_ = nullptr;
    AddonModel* model_ = nullptr;
    Napi::ObjectReference modelReference_;
    std::atomic<bool> busy_{false};
    int64_t reportedBytes_ = 0;
    Napi::Env env_ = nullptr;
};
