#pragma once
#include <cstdint>

namespace roomtone {

// One record per datagram in the batch's int32 table.
constexpr int kUdpRecordFields = 5;  // fd, IPv4 address (host order), port, offset, length

// Sends `count` datagrams described by `records` from `arena`, each with one non-blocking
// sendto() on its own socket. errors[i] gets 0 or the errno of datagram i. Returns how many
// were sent.
int32_t sendUdpBatch(const uint8_t* arena, int64_t arenaLength, const int32_t* records, int32_t count,
                     int32_t* errors);

}  // namespace roomtone
