#pragma once

#include <napi.h>

// Constructors are kept per environment (instance data), not in statics: every worker thread that
// loads the addon has its own environment, and a constructor from one cannot be used in another.
struct AddonClasses {
    Napi::FunctionReference model;
    Napi::FunctionReference context;
    Napi::FunctionReference lora;
};

inline AddonClasses& addonClasses(Napi::Env env) { return *env.GetInstanceData<AddonClasses>(); }
