#include "TokenizeWorker.h"

#include <limits>

#include "AddonModel.h"

TokenizeWorker::TokenizeWorker(Napi::Env env, AddonModel* model, Napi::Object modelObject, std::vector<std::string> texts,
                               bool parseSpecial)
    : Napi::AsyncWorker(env),
      deferred_(Napi::Promise::Deferred::New(env)),
      model_(model),
      texts_(std::move(texts)),
      parseSpecial_(parseSpecial) {
    modelReference_ = Napi::Persistent(modelObject);
    model_->retain();  // dispose() refuses while the vocabulary is in use here
}

void TokenizeWorker::Execute() {
    const LlamaApi& api = llamaApi();
    results_.reserve(texts_.size());
    for (const std::string& text : texts_) {
        // Usually a token is at least one byte of input, but not always: SentencePiece turns each
        // space into "▁" (3 bytes), which a vocabulary without that token spells as 3 byte tokens.
        // llama_tokenize then returns minus the count it needs: retry once with that room.
        std::vector<llama_token> tokens(text.size() + 1);
        int32_t count = api.tokenize(model_->vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                                     static_cast<int32_t>(tokens.size()), false, parseSpecial_);
        if (count < 0 && count != std::numeric_limits<int32_t>::min()) {
            tokens.resize(static_cast<size_t>(-static_cast<int64_t>(count)));
            count = api.tokenize(model_->vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                                 static_cast<int32_t>(tokens.size()), false, parseSpecial_);
        }
        if (count < 0) {
            SetError("llama_tokenize failed");
            return;
        }
        tokens.resize(static_cast<size_t>(count));
        results_.push_back(std::move(tokens));
    }
}

void TokenizeWorker::OnOK() {
    model_->release();
    Napi::Env env = Env();
    Napi::Array result = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); i++) {
        Napi::Int32Array tokens = Napi::Int32Array::New(env, results_[i].size());
        std::copy(results_[i].begin(), results_[i].end(), tokens.Data());
        result.Set(static_cast<uint32_t>(i), tokens);
    }
    deferred_.Resolve(result);
}

void TokenizeWorker::OnError(const Napi::Error& error) {
    model_->release();
    deferred_.Reject(error.Value());
}
