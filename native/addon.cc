#include <napi.h>

#include <stdexcept>
#include <string>

#include "AddonClasses.h"
#include "AddonContext.h"
#include "AddonLora.h"
#include "AddonModel.h"
#include "DeviceReport.h"
#include "LlamaApi.h"
#include "LoadedLibraries.h"
#include "LoadModelWorker.h"

namespace {

// bindLibllama(path): resolve llama.cpp's entry points from the libllama node-llama-cpp loaded.
// Binding again to the same library is harmless; that is what a second Reranker.load() does.
Napi::Value bindLibllama(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw Napi::TypeError::New(env, "bindLibllama(path: string)");
    try {
        llamaApi().bindTo(info[0].As<Napi::String>().Utf8Value());
    } catch (const std::exception& error) {
        throw Napi::Error::New(env, error.what());
    }
    return Napi::String::New(env, llamaApi().print_system_info());
}

void requireBound(Napi::Env env) {
    if (!llamaApi().isBound()) throw Napi::Error::New(env, "bindLibllama() must be called first");
}

// loadModel(path, gpuLayers) -> Promise<AddonModel>
Napi::Value loadModel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireBound(env);
    if (!info[0].IsString() || !info[1].IsNumber()) throw Napi::TypeError::New(env, "loadModel(path, gpuLayers)");
    auto* worker = new LoadModelWorker(env, info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Number>().Int32Value());
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
}

Napi::Value createContext(const Napi::CallbackInfo& info) {
    requireBound(info.Env());
    return AddonContext::create(info);
}

Napi::Object initialize(Napi::Env env, Napi::Object exports) {
    env.SetInstanceData(new AddonClasses());
    exports.Set("bindLibllama", Napi::Function::New(env, bindLibllama));
    exports.Set("loadedLibraries", Napi::Function::New(env, loadedLibraries));
    exports.Set("loadModel", Napi::Function::New(env, loadModel));
    exports.Set("createContext", Napi::Function::New(env, createContext));
    exports.Set("bindDeviceReport", Napi::Function::New(env, DeviceReport::bind));
    exports.Set("listDevices", Napi::Function::New(env, DeviceReport::listDevices));
    exports.Set("modelDevices", Napi::Function::New(env, DeviceReport::modelDevices));
    exports.Set("contextMemory", Napi::Function::New(env, DeviceReport::contextMemory));
    exports.Set("AddonModel", AddonModel::defineClass(env));
    exports.Set("AddonContext", AddonContext::defineClass(env));
    exports.Set("AddonLora", AddonLora::defineClass(env));
    return exports;
}

}  // namespace

NODE_API_MODULE(llm_rerank, initialize)
