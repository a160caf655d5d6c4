#pragma once

#include <napi.h>

// The typed surface (src/native/AddonTypes.ts) is asynchronous throughout, so that the same
// interface can be served over IPC by the isolated mode. Cheap calls answer with a settled promise.
inline Napi::Promise resolved(Napi::Env env, Napi::Value value) {
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    deferred.Resolve(value);
    return deferred.Promise();
}
