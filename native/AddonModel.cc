#include "AddonClasses.h"
#include "AddonModel.h"

#include <string>
#include <vector>

#include "AddonLora.h"

Napi::Function AddonModel::defineClass(Napi::Env env) {
    Napi::Function cls = DefineClass(env, "AddonModel",
                                     {
                                         InstanceMethod("tokenize", &AddonModel::tokenize),
                                         InstanceMethod("tokenText", &AddonModel::tokenText),
                                         InstanceMethod("tokenAttributes", &AddonModel::tokenAttributes),
                                         InstanceMethod("describe", &AddonModel::describe),
                                         InstanceMethod("loadLora", &AddonModel::loadLora),
                                         InstanceMethod("dispose", &AddonModel::dispose),
                                     });
    addonClasses(env).model = Napi::Persistent(cls);
    return cls;
}

AddonModel::AddonModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonModel>(info), env_(info.Env()) {}

AddonModel::~AddonModel() { freeModel(); }

void AddonModel::adopt(llama_model* model) {
    model_ = model;
    vocab_ = llamaApi().model_get_vocab(model);
    reportedBytes_ = static_cast<int64_t>(llamaApi().model_size(model));
    Napi::MemoryManagement::AdjustExternalMemory(env_, reportedBytes_);
}

void AddonModel::freeModel() {
    if (model_ == nullptr) return;
    llamaApi().model_free(model_);
    model_ = nullptr;
    vocab_ = nullptr;
    Napi::MemoryManagement::AdjustExternalMemory(env_, -reportedBytes_);
    reportedBytes_ = 0;
}

void AddonModel::requireLoaded(Napi::Env env) const {
    if (model_ == nullptr) throw Napi::Error::New(env, "the model is disposed");
}

// tokenize(text, parseSpecial): never adds BOS/EOS; the caller places the one BOS itself.
Napi::Value AddonModel::tokenize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    if (!info[0].IsString()) throw Napi::TypeError::New(env, "text must be a string");
    std::string text = info[0].As<Napi::String>().Utf8Value();
    bool parseSpecial = info[1].ToBoolean().Value();

    // A token is at least one byte of input, so text.size() + 1 ids always suffice.
    std::vector<llama_token> tokens(text.size() + 1);
    int32_t count = llamaApi().tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                                        static_cast<int32_t>(tokens.size()), false, parseSpecial);
    if (count < 0) throw Napi::Error::New(env, "llama_tokenize failed");
    Napi::Int32Array result = Napi::Int32Array::New(env, count);
    std::copy(tokens.begin(), tokens.begin() + count, result.Data());
    return result;
}

Napi::Value AddonModel::tokenText(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    int32_t token = info[0].As<Napi::Number>().Int32Value();
    if (token < 0 || token >= llamaApi().vocab_n_tokens(vocab_)) throw Napi::RangeError::New(env, "token id out of range");
    return Napi::String::New(env, llamaApi().vocab_get_text(vocab_, token));
}

Napi::Value AddonModel::tokenAttributes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    int32_t token = info[0].As<Napi::Number>().Int32Value();
    if (token < 0 || token >= llamaApi().vocab_n_tokens(vocab_)) throw Napi::RangeError::New(env, "token id out of range");
    return Napi::Number::New(env, static_cast<double>(llamaApi().vocab_get_attr(vocab_, token)));
}

Napi::Value AddonModel::describe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    const LlamaApi& api = llamaApi();
    char description[256] = {0};
    api.model_desc(model_, description, sizeof(description));
    Napi::Object result = Napi::Object::New(env);
    result.Set("description", std::string(description));
    result.Set("vocabularySize", api.vocab_n_tokens(vocab_));
    result.Set("embeddingLength", api.model_n_embd(model_));
    result.Set("layerCount", api.model_n_layer(model_));
    result.Set("trainContextLength", api.model_n_ctx_train(model_));
    result.Set("classifierOutputs", api.model_n_cls_out(model_));
    result.Set("sizeBytes", static_cast<double>(api.model_size(model_)));
    result.Set("parameterCount", static_cast<double>(api.model_n_params(model_)));
    result.Set("bosToken", api.vocab_bos(vocab_));
    result.Set("eosToken", api.vocab_eos(vocab_));
    result.Set("addsBos", api.vocab_get_add_bos(vocab_));
    return result;
}

Napi::Value AddonModel::loadLora(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    if (!info[0].IsString()) throw Napi::TypeError::New(env, "path must be a string");
    return AddonLora::load(env, this, info[0].As<Napi::String>().Utf8Value());
}

Napi::Value AddonModel::dispose(const Napi::CallbackInfo& info) {
    if (liveContexts_ > 0) {
        throw Napi::Error::New(info.Env(), "the model is still in use by a context or an adapter being loaded; dispose those first");
    }
    freeModel();
    return info.Env().Undefined();
}
