#include "AddonClasses.h"
#include "AddonModel.h"

#include <string>
#include <vector>

#include "AddonLora.h"
#include "Resolved.h"
#include "TokenizeWorker.h"

Napi::Function AddonModel::defineClass(Napi::Env env) {
    Napi::Function cls = DefineClass(env, "AddonModel",
                                     {
                                         InstanceMethod("tokenize", &AddonModel::tokenize),
                                         InstanceMethod("tokenTexts", &AddonModel::tokenTexts),
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

// tokenize(texts, parseSpecial) -> Promise<Int32Array[]>, off the main thread. Never adds BOS/EOS:
// the caller places the one BOS itself.
Napi::Value AddonModel::tokenize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    if (!info[0].IsArray()) throw Napi::TypeError::New(env, "tokenize(texts: string[], parseSpecial: boolean)");
    Napi::Array array = info[0].As<Napi::Array>();
    std::vector<std::string> texts;
    texts.reserve(array.Length());
    for (uint32_t i = 0; i < array.Length(); i++) {
        Napi::Value text = array.Get(i);
        if (!text.IsString()) throw Napi::TypeError::New(env, "texts must be strings");
        texts.push_back(text.As<Napi::String>().Utf8Value());
    }
    auto* worker = new TokenizeWorker(env, this, Value(), std::move(texts), info[1].ToBoolean().Value());
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

// Reads each id of an Int32Array after checking it lies in [0, n_vocab): llama.cpp indexes its
// vocabulary with it unchecked.
std::vector<llama_token> AddonModel::readTokenIds(Napi::Env env, Napi::Value value) const {
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
        throw Napi::TypeError::New(env, "tokens must be an Int32Array");
    }
    Napi::Int32Array array = value.As<Napi::Int32Array>();
    int32_t vocabSize = llamaApi().vocab_n_tokens(vocab_);
    std::vector<llama_token> tokens(array.Data(), array.Data() + array.ElementLength());
    for (llama_token token : tokens) {
        if (token < 0 || token >= vocabSize) throw Napi::RangeError::New(env, "token id out of range");
    }
    return tokens;
}

Napi::Value AddonModel::tokenTexts(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    std::vector<llama_token> tokens = readTokenIds(env, info[0]);
    Napi::Array result = Napi::Array::New(env, tokens.size());
    for (size_t i = 0; i < tokens.size(); i++) result.Set(static_cast<uint32_t>(i), llamaApi().vocab_get_text(vocab_, tokens[i]));
    return resolved(env, result);
}

Napi::Value AddonModel::tokenAttributes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireLoaded(env);
    std::vector<llama_token> tokens = readTokenIds(env, info[0]);
    Napi::Uint32Array result = Napi::Uint32Array::New(env, tokens.size());
    for (size_t i = 0; i < tokens.size(); i++) result[i] = static_cast<uint32_t>(llamaApi().vocab_get_attr(vocab_, tokens[i]));
    return resolved(env, result);
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
        throw Napi::Error::New(info.Env(), "the model is still in use by a context, a tokenization or an adapter being loaded; dispose those first");
    }
    freeModel();
    return resolved(info.Env(), info.Env().Undefined());
}
