#include "AddonClasses.h"
#include "LoadModelWorker.h"

#include "AddonModel.h"

LoadModelWorker::LoadModelWorker(Napi::Env env, std::string path, int32_t gpuLayers)
    : Napi::AsyncWorker(env),
      deferred_(Napi::Promise::Deferred::New(env)),
      path_(std::move(path)),
      gpuLayers_(gpuLayers) {}

void LoadModelWorker::Execute() {
    llama_model_params params = llamaApi().model_default_params();
    params.n_gpu_layers = gpuLayers_;
    model_ = llamaApi().model_load_from_file(path_.c_str(), params);
    if (model_ == nullptr) SetError("llama.cpp could not load the model " + path_);
}

void LoadModelWorker::OnOK() {
    Napi::Object object = addonClasses(Env()).model.New({});
    AddonModel::Unwrap(object)->adopt(model_);
    deferred_.Resolve(object);
}

void LoadModelWorker::OnError(const Napi::Error& error) { deferred_.Reject(error.Value()); }
