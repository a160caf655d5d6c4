#include "DecodeWorker.h"

#include <string>

#include "AddonContext.h"

DecodeWorker::DecodeWorker(Napi::Env env, AddonContext* context, Napi::Object contextObject, DecodeInput input)
    : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), context_(context), input_(std::move(input)) {
    // Keeps the context alive (and out of the garbage collector's reach) until the decode ends.
    contextReference_ = Napi::Persistent(contextObject);
}

void DecodeWorker::Execute() {
    const LlamaApi& api = llamaApi();
    llama_context* context = context_->context();
    const int32_t count = static_cast<int32_t>(input_.tokens.size());
    llama_memory_t memory = api.get_memory(context);
    for (size_t i = 0; i < input_.memoryEdits.size(); i += 4) {
        const int32_t* edit = &input_.memoryEdits[i];
        if (edit[0] == 0) {
            api.memory_clear(memory, false);
        } else if (edit[0] == 1) {
            if (!api.memory_seq_rm(memory, edit[1], edit[2], edit[3])) {
                SetError("llama.cpp could not remove positions " + std::to_string(edit[2]) + ".." + std::to_string(edit[3]) +
                         " of sequence " + std::to_string(edit[1]));
                return;
            }
        } else {
            api.memory_seq_cp(memory, edit[1], edit[2], -1, -1);
        }
    }
    if (count == 0) return;

    llama_batch batch = api.batch_init(count, 0, 1);
    for (int32_t i = 0; i < count; i++) {
        batch.token[i] = input_.tokens[i];
        batch.pos[i] = input_.positions[i];
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = input_.sequenceIds[i];
        batch.logits[i] = input_.outputs[i] != 0;
    }
    batch.n_tokens = count;
    int32_t status = api.decode(context, batch);
    api.batch_free(batch);
    if (status != 0) {
        SetError("llama_decode failed with status " + std::to_string(status));
        return;
    }

    const size_t scoreCount = input_.scoreTokenIds.size();
    for (int32_t i = 0; i < count; i++) {
        if (input_.outputs[i] == 0) continue;
        const float* logits = api.get_logits_ith(context, i);
        if (logits == nullptr) {
            SetError("llama.cpp returned no logits for batch position " + std::to_string(i));
            return;
        }
        for (size_t s = 0; s < scoreCount; s++) scores_.push_back(logits[input_.scoreTokenIds[s]]);
    }
}

void DecodeWorker::OnOK() {
    context_->finishDecode();
    Napi::Float32Array result = Napi::Float32Array::New(Env(), scores_.size());
    std::copy(scores_.begin(), scores_.end(), result.Data());
    deferred_.Resolve(result);
}

void DecodeWorker::OnError(const Napi::Error& error) {
    context_->finishDecode();
    deferred_.Reject(error.Value());
}
