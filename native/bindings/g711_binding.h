#pragma once
#include <napi.h>

namespace roomtone {

// Adds encodeUlaw/decodeUlaw/encodeAlaw/decodeAlaw(src, dst) to the exports.
void defineG711(Napi::Env env, Napi::Object exports);

}  // namespace roomtone
