#include "DeviceReport.h"

#include <map>
#include <string>
#include <vector>

#include "AddonContext.h"
#include "AddonModel.h"
#include "ggml-backend.h"
#include "llama.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace {

// llama.cpp's staging API (src/llama-ext.h, not an installed header) declares these in C++.
// The layout below mirrors llama_memory_breakdown_data of the release node-llama-cpp ships; the
// map is returned by value, so it only works when the addon and libllama share a C++ standard
// library (libstdc++ on Linux, libc++ on macOS), which is why it is resolved by its Itanium name
// and skipped elsewhere.
struct MemoryBreakdownData {
    size_t model = 0;
    size_t context = 0;
    size_t compute = 0;
};
using MemoryBreakdown = std::map<ggml_backend_buffer_type_t, MemoryBreakdownData>;

struct DeviceApi {
    decltype(&::ggml_backend_dev_count) dev_count = nullptr;
    decltype(&::ggml_backend_dev_get) dev_get = nullptr;
    decltype(&::ggml_backend_dev_name) dev_name = nullptr;
    decltype(&::ggml_backend_dev_description) dev_description = nullptr;
    decltype(&::ggml_backend_dev_memory) dev_memory = nullptr;
    decltype(&::ggml_backend_dev_type) dev_type = nullptr;
    decltype(&::ggml_backend_dev_get_props) dev_get_props = nullptr;
    decltype(&::ggml_backend_dev_backend_reg) dev_backend_reg = nullptr;
    decltype(&::ggml_backend_reg_name) reg_name = nullptr;
    decltype(&::ggml_backend_buft_name) buft_name = nullptr;
    decltype(&::ggml_backend_buft_is_host) buft_is_host = nullptr;
    decltype(&::ggml_backend_buft_get_device) buft_get_device = nullptr;
    int32_t (*model_n_devices)(const llama_model*) = nullptr;
    ggml_backend_dev_t (*model_get_device)(const llama_model*, int) = nullptr;
    MemoryBreakdown (*get_memory_breakdown)(const llama_context*) = nullptr;
    bool bound = false;
};

DeviceApi& deviceApi() {
    static DeviceApi api;
    return api;
}

#ifdef _WIN32
void* openLoaded(const std::string& path) {
    int wideLength = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
    std::wstring widePath(wideLength, L'\0');
    MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, widePath.data(), wideLength);
    return reinterpret_cast<void*>(GetModuleHandleW(widePath.c_str()));
}
// ggml's symbols live in ggml-base.dll, a dependency of llama.dll: look there by module name.
void* findSymbol(void* handle, const char* name) {
    void* symbol = reinterpret_cast<void*>(GetProcAddress(reinterpret_cast<HMODULE>(handle), name));
    if (symbol == nullptr) {
        HMODULE base = GetModuleHandleW(L"ggml-base.dll");
        if (base != nullptr) symbol = reinterpret_cast<void*>(GetProcAddress(base, name));
    }
    return symbol;
}
#else
// RTLD_NOLOAD: only a library that is already mapped. dlsym on that handle also searches the
// libraries it depends on (libggml, libggml-base), where the ggml_backend_* functions live.
void* openLoaded(const std::string& path) { return dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD); }
void* findSymbol(void* handle, const char* name) { return dlsym(handle, name); }
#endif

template <typename FunctionPointer>
void resolve(void* handle, const char* name, FunctionPointer& slot, std::vector<std::string>& missing) {
    void* symbol = findSymbol(handle, name);
    if (symbol == nullptr) missing.emplace_back(name);
    slot = reinterpret_cast<FunctionPointer>(symbol);
}

const char* deviceTypeName(enum ggml_backend_dev_type type) {
    switch (type) {
        case GGML_BACKEND_DEVICE_TYPE_CPU:
            return "cpu";
        case GGML_BACKEND_DEVICE_TYPE_GPU:
            return "gpu";
        case GGML_BACKEND_DEVICE_TYPE_IGPU:
            return "igpu";
        case GGML_BACKEND_DEVICE_TYPE_ACCEL:
            return "accel";
        default:
            return "unknown";
    }
}

void requireBound(Napi::Env env) {
    if (!deviceApi().bound) throw Napi::Error::New(env, "bindDeviceReport() must be called first");
}

Napi::Object describeDevice(Napi::Env env, ggml_backend_dev_t device) {
    const DeviceApi& api = deviceApi();
    Napi::Object object = Napi::Object::New(env);
    ggml_backend_dev_props props{};
    api.dev_get_props(device, &props);
    size_t freeBytes = 0;
    size_t totalBytes = 0;
    api.dev_memory(device, &freeBytes, &totalBytes);
    object.Set("name", Napi::String::New(env, api.dev_name(device)));
    object.Set("description", Napi::String::New(env, api.dev_description(device)));
    object.Set("type", Napi::String::New(env, deviceTypeName(api.dev_type(device))));
    ggml_backend_reg_t reg = api.dev_backend_reg(device);
    object.Set("backend", reg != nullptr ? Napi::Value(Napi::String::New(env, api.reg_name(reg))) : env.Null());
    object.Set("deviceId", props.device_id != nullptr ? Napi::Value(Napi::String::New(env, props.device_id)) : env.Null());
    object.Set("freeBytes", Napi::Number::New(env, static_cast<double>(freeBytes)));
    object.Set("totalBytes", Napi::Number::New(env, static_cast<double>(totalBytes)));
    return object;
}

}  // namespace

namespace DeviceReport {

Napi::Value bind(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw Napi::TypeError::New(env, "bindDeviceReport(path: string)");
    void* handle = openLoaded(info[0].As<Napi::String>().Utf8Value());
    if (handle == nullptr) throw Napi::Error::New(env, "libllama is not loaded in this process: " + info[0].As<Napi::String>().Utf8Value());
    DeviceApi api;
    std::vector<std::string> missing;
    resolve(handle, "ggml_backend_dev_count", api.dev_count, missing);
    resolve(handle, "ggml_backend_dev_get", api.dev_get, missing);
    resolve(handle, "ggml_backend_dev_name", api.dev_name, missing);
    resolve(handle, "ggml_backend_dev_description", api.dev_description, missing);
    resolve(handle, "ggml_backend_dev_memory", api.dev_memory, missing);
    resolve(handle, "ggml_backend_dev_type", api.dev_type, missing);
    resolve(handle, "ggml_backend_dev_get_props", api.dev_get_props, missing);
    resolve(handle, "ggml_backend_dev_backend_reg", api.dev_backend_reg, missing);
    resolve(handle, "ggml_backend_reg_name", api.reg_name, missing);
    resolve(handle, "ggml_backend_buft_name", api.buft_name, missing);
    resolve(handle, "ggml_backend_buft_is_host", api.buft_is_host, missing);
    resolve(handle, "ggml_backend_buft_get_device", api.buft_get_device, missing);
    const bool ggmlComplete = missing.empty();
#ifndef _WIN32
    resolve(handle, "_Z21llama_model_n_devicesPK11llama_model", api.model_n_devices, missing);
    resolve(handle, "_Z22llama_model_get_devicePK11llama_modeli", api.model_get_device, missing);
    resolve(handle, "_Z26llama_get_memory_breakdownPK13llama_context", api.get_memory_breakdown, missing);
#endif
    if (!ggmlComplete) {
        std::string names;
        for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
        throw Napi::Error::New(env, "the loaded ggml does not export " + names);
    }
    api.bound = true;
    deviceApi() = api;
    Napi::Array result = Napi::Array::New(env);
    for (size_t i = 0; i < missing.size(); i++) result.Set(static_cast<uint32_t>(i), Napi::String::New(env, missing[i]));
    return result;
}

Napi::Value listDevices(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireBound(env);
    const DeviceApi& api = deviceApi();
    Napi::Array devices = Napi::Array::New(env);
    const size_t count = api.dev_count();
    for (size_t i = 0; i < count; i++) devices.Set(static_cast<uint32_t>(i), describeDevice(env, api.dev_get(i)));
    return devices;
}

Napi::Value modelDevices(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireBound(env);
    const DeviceApi& api = deviceApi();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "modelDevices(model: AddonModel)");
    if (api.model_n_devices == nullptr || api.model_get_device == nullptr) return env.Null();
    const llama_model* model = Napi::ObjectWrap<AddonModel>::Unwrap(info[0].As<Napi::Object>())->model();
    if (model == nullptr) throw Napi::Error::New(env, "the model is disposed");
    Napi::Array devices = Napi::Array::New(env);
    const int32_t count = api.model_n_devices(model);
    for (int32_t i = 0; i < count; i++) {
        ggml_backend_dev_t device = api.model_get_device(model, i);
        if (device != nullptr) devices.Set(devices.Length(), describeDevice(env, device));
    }
    return devices;
}

Napi::Value contextMemory(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    requireBound(env);
    const DeviceApi& api = deviceApi();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "contextMemory(context: AddonContext)");
    if (api.get_memory_breakdown == nullptr) return env.Null();
    const llama_context* context = Napi::ObjectWrap<AddonContext>::Unwrap(info[0].As<Napi::Object>())->context();
    if (context == nullptr) throw Napi::Error::New(env, "the context is disposed");
    const MemoryBreakdown breakdown = api.get_memory_breakdown(context);
    Napi::Array entries = Napi::Array::New(env);
    for (const auto& [bufferType, data] : breakdown) {
        Napi::Object entry = Napi::Object::New(env);
        entry.Set("bufferType", Napi::String::New(env, api.buft_name(bufferType)));
        ggml_backend_dev_t device = api.buft_get_device(bufferType);
        entry.Set("device", device != nullptr ? Napi::Value(Napi::String::New(env, api.dev_name(device))) : env.Null());
        entry.Set("host", Napi::Boolean::New(env, api.buft_is_host(bufferType)));
        entry.Set("modelBytes", Napi::Number::New(env, static_cast<double>(data.model)));
        entry.Set("contextBytes", Napi::Number::New(env, static_cast<double>(data.context)));
        entry.Set("computeBytes", Napi::Number::New(env, static_cast<double>(data.compute)));
        entries.Set(entries.Length(), entry);
    }
    return entries;
}

}  // namespace DeviceReport
