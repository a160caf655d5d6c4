#pragma once

#include <napi.h>

#include <string>
#include <vector>

// The paths of every shared library mapped into this process, as the dynamic loader reports them
// (dl_iterate_phdr on Linux, the dyld image list on macOS, the module list on Windows). This
// replaces process.report, which Electron's processes are not known to provide and which
// serialises the whole process state to find a few paths.
std::vector<std::string> loadedLibraryPaths();

// loadedLibraries() -> string[]
Napi::Value loadedLibraries(const Napi::CallbackInfo& info);
