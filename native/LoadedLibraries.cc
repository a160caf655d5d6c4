#include "LoadedLibraries.h"

#include <stdexcept>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <psapi.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#else
#include <link.h>
#endif

namespace {

#if defined(_WIN32)

std::string toUtf8(const wchar_t* wide) {
    int bytes = WideCharToMultiByte(CP_UTF8, 0, wide, -1, nullptr, 0, nullptr, nullptr);
    if (bytes <= 1) return std::string();
    std::string utf8(static_cast<size_t>(bytes - 1), '\0');
    WideCharToMultiByte(CP_UTF8, 0, wide, -1, utf8.data(), bytes, nullptr, nullptr);
    return utf8;
}

#elif !defined(__APPLE__)

int collectObject(struct dl_phdr_info* info, size_t, void* data) {
    // The main program comes first with an empty name; the vDSO has a name but no file.
    if (info->dlpi_name != nullptr && info->dlpi_name[0] == '/') {
        static_cast<std::vector<std::string>*>(data)->emplace_back(info->dlpi_name);
    }
    return 0;
}

#endif

}  // namespace

std::vector<std::string> loadedLibraryPaths() {
    std::vector<std::string> paths;
#if defined(_WIN32)
    // Untested: only Linux can be exercised where this library is developed.
    HANDLE process = GetCurrentProcess();
    std::vector<HMODULE> modules(256);
    DWORD neededBytes = 0;
    for (;;) {
        DWORD givenBytes = static_cast<DWORD>(modules.size() * sizeof(HMODULE));
        if (!EnumProcessModules(process, modules.data(), givenBytes, &neededBytes)) {
            throw std::runtime_error("EnumProcessModules failed");
        }
        if (neededBytes <= givenBytes) break;
        modules.resize(neededBytes / sizeof(HMODULE));
    }
    modules.resize(neededBytes / sizeof(HMODULE));
    for (HMODULE module : modules) {
        std::vector<wchar_t> name(32768);
        DWORD length = GetModuleFileNameW(module, name.data(), static_cast<DWORD>(name.size()));
        if (length > 0 && length < name.size()) paths.push_back(toUtf8(name.data()));
    }
#elif defined(__APPLE__)
    // Untested: only Linux can be exercised where this library is developed. The image list can
    // grow while it is read; a name that has gone becomes nullptr and is skipped.
    uint32_t count = _dyld_image_count();
    for (uint32_t index = 0; index < count; ++index) {
        const char* name = _dyld_get_image_name(index);
        if (name != nullptr && name[0] != '\0') paths.emplace_back(name);
    }
#else
    dl_iterate_phdr(collectObject, &paths);
#endif
    return paths;
}

Napi::Value loadedLibraries(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::vector<std::string> paths;
    try {
        paths = loadedLibraryPaths();
    } catch (const std::exception& error) {
        throw Napi::Error::New(env, error.what());
    }
    Napi::Array result = Napi::Array::New(env, paths.size());
    for (size_t index = 0; index < paths.size(); ++index) result.Set(static_cast<uint32_t>(index), Napi::String::New(env, paths[index]));
    return result;
}
