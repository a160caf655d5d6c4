#pragma once

#include <napi.h>

#include "LlamaApi.h"

class AddonModel;

// A LoRA adapter bound to one model. llama.cpp frees adapters together with their model, so the
// adapter keeps a reference to the model's JS object and never frees the adapter after the model.
class AddonLora : public Napi::ObjectWrap<AddonLora> {
public:
    static Napi::Function defineClass(Napi::Env env);
    static Napi::Value load(Napi::Env env, AddonModel* model, const std::string& path);

    explicit AddonLora(const Napi::CallbackInfo& info);

    void adopt(llama_adapter_lora* adapter, AddonModel* owner, Napi::Object ownerObject) {
        adapter_ = adapter;
        owner_ = owner;
        ownerReference_ = Napi::Persistent(ownerObject);
    }
    llama_adapter_lora* adapter() const { return adapter_; }
    AddonModel* owner() const { return owner_; }

private:
    llama_adapter_lora* adapter_ = nullptr;
    AddonModel* owner_ = nullptr;
    Napi::ObjectReference ownerReference_;
};
