#pragma once

#include <napi.h>

// Where llama.cpp put a model and how much device memory it holds, read from ggml's backend
// registry and llama.cpp's own memory accounting. Entry points are resolved from the libllama
// node-llama-cpp loaded (and the ggml libraries it depends on), like LlamaApi; nothing is loaded.
//
//   bindDeviceReport(libllamaPath): resolve the entry points; returns the names that are missing
//     (llama.cpp's C++-only staging API may be absent from another release).
//   listDevices() -> [{ name, description, type, backend, deviceId, freeBytes, totalBytes }]
//   modelDevices(model) -> the devices llama.cpp assigned the model's offloaded layers to
//   contextMemory(context) -> [{ bufferType, device, host, modelBytes, contextBytes, computeBytes }]
namespace DeviceReport {
Napi::Value bind(const Napi::CallbackInfo& info);
Napi::Value listDevices(const Napi::CallbackInfo& info);
Napi::Value modelDevices(const Napi::CallbackInfo& info);
Napi::Value contextMemory(const Napi::CallbackInfo& info);
}  // namespace DeviceReport
