#pragma once

#include <napi.h>

#include <string>

#include "LlamaApi.h"

// Loads a GGUF off the main thread: reading and mapping gigabytes must not freeze an app's UI.
class LoadModelWorker : public Napi::AsyncWorker {
public:
    LoadModelWorker(Napi::Env env, std::string path, int32_t gpuLayers);

    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override;
    void OnOK() override;
    void OnError(const Napi::Error& error) override;

private:
    Napi::Promise::Deferred deferred_;
    std::string path_;
    int32_t gpuLayers_;
    llama_model* model_ = nullptr;
};
