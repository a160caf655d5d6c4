#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "LlamaApi.h"

class AddonModel;

// Tokenizes many texts off the main thread: a 1 MB passage takes about half a second, which would
// freeze an Electron window if it ran on the JS thread. Never adds BOS/EOS.
class TokenizeWorker : public Napi::AsyncWorker {
public:
    TokenizeWorker(Napi::Env env, AddonModel* model, Napi::Object modelObject, std::vector<std::string> texts, bool parseSpecial);

    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override;
    void OnOK() override;
    void OnError(const Napi::Error& error) override;

private:
    Napi::Promise::Deferred deferred_;
    AddonModel* model_;
    Napi::ObjectReference modelReference_;
    std::vector<std::string> texts_;
    bool parseSpecial_;
    std::vector<std::vector<llama_token>> results_;
};
