#pragma once

#include <napi.h>

#include <vector>

#include "LlamaApi.h"

class AddonContext;

// Copies of the JS arrays: the worker runs on another thread while JS may reuse its buffers.
struct DecodeInput {
    std::vector<llama_token> tokens;
    std::vector<llama_pos> positions;
    std::vector<llama_seq_id> sequenceIds;
    std::vector<uint8_t> outputs;
    std::vector<llama_token> scoreTokenIds;
    // Quadruples [kind, a, b, c], checked by AddonContext::decode (see there).
    std::vector<int32_t> memoryEdits;
};

// One llama_decode off the main thread, then a gather of the requested logits from each output row.
class DecodeWorker : public Napi::AsyncWorker {
public:
    DecodeWorker(Napi::Env env, AddonContext* context, Napi::Object contextObject, DecodeInput input);

    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override;
    void OnOK() override;
    void OnError(const Napi::Error& error) override;

private:
    Napi::Promise::Deferred deferred_;
    AddonContext* context_;
    Napi::ObjectReference contextReference_;
    DecodeInput input_;
    std::vector<float> scores_;
};
