#include "udp_batch.h"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>

namespace roomtone {

int32_t sendUdpBatch(const uint8_t* arena, int64_t arenaLength, const int32_t* records, int32_t count,
                     int32_t* errors) {
  int32_t sent = 0;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  for (int32_t i = 0; i < count; ++i) {
    const int32_t* r = records + static_cast<int64_t>(i) * kUdpRecordFields;
    const int64_t offset = r[3];
    const int64_t length = r[4];
    if (r[0] < 0 || offset < 0 || length < 0 || offset + length > arenaLength) {
      errors[i] = EINVAL;
      continue;
    }
    to.sin_addr.s_addr = htonl(static_cast<uint32_t>(r[1]));
    to.sin_port = htons(static_cast<uint16_t>(r[2]));
    const ssize_t n = sendto(r[0], arena + offset, static_cast<size_t>(length), MSG_DONTWAIT | MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    if (n < 0) {
      errors[i] = errno;
    } else {
      errors[i] = 0;
      ++sent;
    }
  }
  return sent;
}

}  // namespace roomtone
