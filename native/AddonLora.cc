#include "AddonClasses.h"
#include "AddonLora.h"

#include "AddonModel.h"

Napi::Function AddonLora::defineClass(Napi::Env env) {
    Napi::Function cls = DefineClass(env, "AddonLora", {});
    addonClasses(env).lora = Napi::Persistent(cls);
    return cls;
}

AddonLora::AddonLora(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonLora>(info) {}

namespace {

class LoadLoraWorker : public Napi::AsyncWorker {
public:
    LoadLoraWorker(Napi::Env env, AddonModel* model, Napi::Object modelObject, std::string path)
        : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), model_(model), path_(std::move(path)) {
        modelReference_ = Napi::Persistent(modelObject);
        model_->retain();  // the model must not be freed while llama.cpp reads the adapter against it
    }

    Napi::Promise promise() { return deferred_.Promise(); }

    void Execute() override {
        adapter_ = llamaApi().adapter_lora_init(model_->model(), path_.c_str());
        if (adapter_ == nullptr) SetError("llama.cpp could not load the LoRA adapter " + path_);
    }

    void OnOK() override {
        model_->release();
        Napi::Object object = addonClasses(Env()).lora.New({});
        AddonLora* lora = AddonLora::Unwrap(object);
        lora->adopt(adapter_, model_, modelReference_.Value());
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
    std::string path_;
    llama_adapter_lora* adapter_ = nullptr;
};

}  // namespace

Napi::Value AddonLora::load(Napi::Env env, AddonModel* model, const std::string& path) {
    auto* worker = new LoadLoraWorker(env, model, model->Value(), path);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}
