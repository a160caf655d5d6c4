#include "AddonClasses.h"
#include "AddonContext.h"

#include <string>
#include <vector>

#include "AddonLora.h"
#include "AddonModel.h"
#include "DecodeWorker.h"
#include "Resolved.h"

namespace {

uint32_t readUint(Napi::Object options, const char* key) {
    Napi::Value value = options.Get(key);
    if (!value.IsNumber()) throw Napi::TypeError::New(options.Env(), std::string(key) + " must be a number");
    int64_t number = value.As<Napi::Number>().Int64Value();
    if (number < 0 || number > UINT32_MAX) throw Napi::RangeError::New(options.Env(), std::string(key) + " is out of range");
    return static_cast<uint32_t>(number);
}

struct LoraBinding {
    llama_adapter_lora* adapter;
    float scale;
};

class CreateContextWorker : public Napi::AsyncWorker {
public:
    CreateContextWorker(Napi::Env env, AddonModel* model, Napi::Object modelObject, llama_context_params params,
                        std::vector<LoraBinding> loras, int64_t reportedBytes)
        : Napi::AsyncWorker(env),
          deferred_(Napi::Promise::Deferred::New(env)),
          model_(model),
          params_(params),
          loras_(std::move(loras)),
          reportedBytes_(reportedBytes) {
        modelReference_ = Napi::Persistent(modelObject);
        model_->retain();  // the model must outlive this worker even if JS disposes meanwhile
    }

    Napi::Promise promise() { return deferred_.Promise(); }

    void Execute() override {
        const LlamaApi& api = llamaApi();
        context_ = api.init_from_model(model_->model(), params_);
        if (context_ == nullptr) {
            SetError("llama.cpp could not create a context (out of memory, or unsupported options)");
            return;
        }
        if (!loras_.empty()) {
            std::vector<llama_adapter_lora*> adapters;
            std::vector<float> scales;
            for (const LoraBinding& lora : loras_) {
                adapters.push_back(lora.adapter);
                scales.push_back(lora.scale);
            }
            if (api.set_adapters_lora(context_, adapters.data(), adapters.size(), scales.data()) != 0) {
                api.free_context(context_);
                context_ = nullptr;
                SetError("llama.cpp could not apply the LoRA adapters to the context");
            }
        }
    }

    void OnOK() override {
        model_->release();
        Napi::Object object = addonClasses(Env()).context.New({});
        AddonContext::Unwrap(object)->adopt(context_, model_, modelReference_.Value(), reportedBytes_);
        deferred_.Resolve(object);
    }

    void OnError(const Napi::Error& error) override {
        model_->release();
        deferred_.Reject(error.Value());
    }

private:
    Napi::Promise::Deferred deferred_;
    AddonModel* model_;
    Napi::ObjectReference modelReference_;
    llama_context_params params_;
    std::vector<LoraBinding> loras_;
    int64_t reportedBytes_;
    llama_context* context_ = nullptr;
};

}  // namespace

Napi::Function AddonContext::defineClass(Napi::Env env) {
    Napi::Function cls = DefineClass(env, "AddonContext",
                                     {
                                         InstanceMethod("decode", &AddonContext::decode),
                                         InstanceMethod("describe", &AddonContext::describe),
                                         InstanceMethod("dispose", &AddonContext::dispose),
                                     });
    addonClasses(env).context = Napi::Persistent(cls);
    return cls;
}

// Options are validated in TypeScript; the checks here only keep malformed calls from reaching
// llama.cpp, whose GGML_ASSERTs abort the whole process.
Napi::Value AddonContext::create(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject() || !info[1].IsObject()) throw Napi::TypeError::New(env, "createContext(model, options)");
    Napi::Object modelObject = info[0].As<Napi::Object>();
    AddonModel* model = AddonModel::Unwrap(modelObject);
    if (model->model() == nullptr) throw Napi::Error::New(env, "the model is disposed");
    Napi::Object options = info[1].As<Napi::Object>();

    llama_context_params params = llamaApi().context_default_params();
    params.n_ctx = readUint(options, "contextSize");
    params.n_batch = readUint(options, "batchSize");
    params.n_ubatch = readUint(options, "ubatchSize");
    params.n_seq_max = readUint(options, "sequences");
    params.n_threads = static_cast<int32_t>(readUint(options, "threads"));
    params.n_threads_batch = params.n_threads;
    if (params.n_seq_max < 1 || params.n_batch < 1 || params.n_ubatch < 1 || params.n_ctx < params.n_seq_max) {
        throw Napi::RangeError::New(env, "contextSize, batchSize, ubatchSize and sequences must be positive");
    }
    // Each output row holds n_vocab floats; n_outputs_max below n_seq_max trips a GGML_ASSERT, and
    // the default (n_batch rows) would reserve gigabytes for a 256k vocabulary.
    params.n_outputs_max = params.n_seq_max;
    bool useF16Cache = options.Get("kvType").ToString().Utf8Value() == "f16";
    params.type_k = useF16Cache ? GGML_TYPE_F16 : GGML_TYPE_F32;
    params.type_v = params.type_k;
    params.flash_attn_type =
        options.Get("flashAttention").ToBoolean().Value() ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    params.kv_unified = options.Get("unifiedKv").ToBoolean().Value();
    params.embeddings = false;
    params.no_perf = true;

    std::vector<LoraBinding> loras;
    Napi::Value loraList = options.Get("loras");
    if (loraList.IsArray()) {
        Napi::Array array = loraList.As<Napi::Array>();
        for (uint32_t i = 0; i < array.Length(); i++) {
            Napi::Object entry = array.Get(i).As<Napi::Object>();
            AddonLora* lora = AddonLora::Unwrap(entry.Get("adapter").As<Napi::Object>());
            if (lora->owner() != model) throw Napi::Error::New(env, "a LoRA adapter belongs to another model");
            loras.push_back({lora->adapter(), entry.Get("scale").As<Napi::Number>().FloatValue()});
        }
    }
    int64_t reportedBytes = options.Get("estimatedBytes").IsNumber() ? options.Get("estimatedBytes").As<Napi::Number>().Int64Value() : 0;

    auto* worker = new CreateContextWorker(env, model, modelObject, params, std::move(loras), reportedBytes);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

AddonContext::AddonContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonContext>(info), env_(info.Env()) {}

AddonContext::~AddonContext() {
    // A context dropped by the garbage collector mid-decode is kept alive by the worker's
    // reference, so busy_ cannot be true here.
    freeContext();
}

void AddonContext::adopt(llama_context* context, AddonModel* model, Napi::Object modelObject, int64_t reportedBytes) {
    context_ = context;
    model_ = model;
    model_->retain();
    modelReference_ = Napi::Persistent(modelObject);
    reportedBytes_ = reportedBytes;
    Napi::MemoryManagement::AdjustExternalMemory(env_, reportedBytes_);
}

void AddonContext::freeContext() {
    if (context_ == nullptr) return;
    llamaApi().free_context(context_);
    context_ = nullptr;
    model_->release();
    modelReference_.Reset();
    Napi::MemoryManagement::AdjustExternalMemory(env_, -reportedBytes_);
    reportedBytes_ = 0;
}

void AddonContext::requireIdle(Napi::Env env) const {
    if (context_ == nullptr) throw Napi::Error::New(env, "the context is disposed");
    if (busy_) throw Napi::Error::New(env, "the context is busy with a decode");
}

// decode({tokens, positions, sequenceIds, outputs}, scoreTokenIds, memoryEdits) -> Promise<Float32Array>
// memoryEdits (quadruples, applied in order before the batch, on the worker thread):
//   [0, 0, 0, 0] clear the whole cache; [1, seq, from, to] llama_memory_seq_rm over [from, to)
//   (-1 is open-ended); [2, source, destination, 0] make destination hold source's cells (whole
//   sequence: llama.cpp asserts on a partial copy across KV streams).
// The result holds, for each token flagged in outputs (in batch order), the logits of
// scoreTokenIds: the full vocabulary row never leaves native memory. An empty batch only edits.
Napi::Value AddonContext::decode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireIdle(env);
    if (!info[0].IsObject() || !info[1].IsTypedArray() || !info[2].IsTypedArray()) {
        throw Napi::TypeError::New(env, "decode(batch, scoreTokenIds, memoryEdits)");
    }
    Napi::Object batch = info[0].As<Napi::Object>();
    Napi::Int32Array tokens = batch.Get("tokens").As<Napi::Int32Array>();
    Napi::Int32Array positions = batch.Get("positions").As<Napi::Int32Array>();
    Napi::Int32Array sequenceIds = batch.Get("sequenceIds").As<Napi::Int32Array>();
    Napi::Uint8Array outputs = batch.Get("outputs").As<Napi::Uint8Array>();
    Napi::Int32Array scoreTokenIds = info[1].As<Napi::Int32Array>();
    Napi::Int32Array edits = info[2].As<Napi::Int32Array>();
    size_t count = tokens.ElementLength();
    if (positions.ElementLength() != count || sequenceIds.ElementLength() != count || outputs.ElementLength() != count) {
        throw Napi::RangeError::New(env, "batch arrays must be of equal length");
    }
    const LlamaApi& api = llamaApi();
    const llama_vocab* vocab = model_->vocab();
    int32_t vocabSize = api.vocab_n_tokens(vocab);
    uint32_t sequenceLimit = api.n_seq_max(context_);
    uint32_t cellsPerSequence = api.n_ctx_seq(context_);
    auto validSequence = [sequenceLimit](int32_t sequence) { return sequence >= 0 && static_cast<uint32_t>(sequence) < sequenceLimit; };
    size_t outputCount = 0;
    for (size_t i = 0; i < count; i++) {
        if (tokens[i] < 0 || tokens[i] >= vocabSize) throw Napi::RangeError::New(env, "token id out of range");
        if (!validSequence(sequenceIds[i])) throw Napi::RangeError::New(env, "sequence id out of range");
        if (positions[i] < 0 || static_cast<uint32_t>(positions[i]) >= cellsPerSequence) throw Napi::RangeError::New(env, "position out of range");
        if (outputs[i] != 0) outputCount++;
    }
    if (count > api.n_batch(context_)) throw Napi::RangeError::New(env, "batch larger than the context's batch size");
    if (outputCount > sequenceLimit) throw Napi::RangeError::New(env, "more outputs than sequences in one batch");
    for (size_t i = 0; i < scoreTokenIds.ElementLength(); i++) {
        if (scoreTokenIds[i] < 0 || scoreTokenIds[i] >= vocabSize) throw Napi::RangeError::New(env, "score token id out of range");
    }
    if (edits.ElementLength() % 4 != 0) throw Napi::RangeError::New(env, "memoryEdits must hold quadruples");
    for (size_t i = 0; i < edits.ElementLength(); i += 4) {
        int32_t kind = edits[i];
        bool valid = kind == 0 || (kind == 1 && validSequence(edits[i + 1])) ||
                     (kind == 2 && validSequence(edits[i + 1]) && validSequence(edits[i + 2]));
        if (!valid) throw Napi::RangeError::New(env, "invalid memory edit (unknown kind or sequence id out of range)");
    }

    DecodeInput input;
    input.tokens.assign(tokens.Data(), tokens.Data() + count);
    input.positions.assign(positions.Data(), positions.Data() + count);
    input.sequenceIds.assign(sequenceIds.Data(), sequenceIds.Data() + count);
    input.outputs.assign(outputs.Data(), outputs.Data() + count);
    input.scoreTokenIds.assign(scoreTokenIds.Data(), scoreTokenIds.Data() + scoreTokenIds.ElementLength());
    input.memoryEdits.assign(edits.Data(), edits.Data() + edits.ElementLength());

    busy_ = true;
    auto* worker = new DecodeWorker(env, this, Value(), std::move(input));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

Napi::Value AddonContext::describe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (context_ == nullptr) throw Napi::Error::New(env, "the context is disposed");
    const LlamaApi& api = llamaApi();
    Napi::Object result = Napi::Object::New(env);
    result.Set("contextSize", api.n_ctx(context_));
    result.Set("sequenceContextSize", api.n_ctx_seq(context_));
    result.Set("batchSize", api.n_batch(context_));
    result.Set("ubatchSize", api.n_ubatch(context_));
    result.Set("sequences", api.n_seq_max(context_));
    return result;
}

Napi::Value AddonContext::dispose(const Napi::CallbackInfo& info) {
    if (busy_) throw Napi::Error::New(info.Env(), "the context is busy with a decode; await it before dispose()");
    freeContext();
    return resolved(info.Env(), info.Env().Undefined());
}
