#pragma once
#include <napi.h>

namespace roomtone {

// Adds sendUdpBatch(arena: Uint8Array, records: Int32Array, count: number, errors: Int32Array):
// number. One call per tick sends every plain-RTP packet the tick produced, without a Buffer,
// a send request object or a callback per packet.
void defineUdpBatch(Napi::Env env, Napi::Object exports);

}  // namespace roomtone
