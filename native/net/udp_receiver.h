#pragma once
#include <sys/socket.h>

#include <cstdint>
#include <vector>

namespace roomtone {

// One record per datagram in a drain's int32 table.
constexpr int kRecvRecordFields = 4;  // slot, IPv4 address (host order), port, length
// Each datagram lands in its own stride of the arena, at index * kRecvSlotBytes.
constexpr int kRecvSlotBytes = 1500;
// A length past kRecvSlotBytes: the datagram was larger and arrived truncated.
constexpr int32_t kRecvOversized = kRecvSlotBytes + 1;
constexpr int kRecvMaxPerSocket = 16;

struct UdpReceiverStats {
  int64_t errors = 0;
  int32_t lastErrno = 0;
};

// The UDP sockets of one media thread, read at tick time instead of by the event loop: one
// epoll set for readiness and one recvmmsg() per ready socket, with the kernel's arrival time
// of each datagram (SO_TIMESTAMP). Each instance owns its epoll descriptor; nothing is global.
class UdpReceiver {
 public:
  UdpReceiver();
  ~UdpReceiver();
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;

  bool ok() const { return epoll_ >= 0; }
  // Watches fd for datagrams; its records carry `slot`. Returns 0 or an errno.
  int add(int fd, uint32_t slot);
  // Stops watching fd (before it is closed). Returns 0 or an errno.
  int remove(int fd);
  // Reads what is waiting, at most perSocket datagrams per socket and maxPackets in all, into
  // arena stride i (kRecvSlotBytes each), records[i * kRecvRecordFields] and arrivalMs[i] (ms
  // since the Unix epoch). Returns the count. Socket errors are counted in stats() and skipped.
  int32_t drain(uint8_t* arena, int32_t maxPackets, int32_t perSocket, int32_t* records, double* arrivalMs);
  void close();
  const UdpReceiverStats& stats() const { return stats_; }

 private:
  int32_t readSocket(int fd, uint32_t slot, uint8_t* arena, int32_t first, int32_t room, int32_t* records,
                     double* arrivalMs);

  int epoll_ = -1;
  UdpReceiverStats stats_;
  // Preallocated: a drain allocates nothing.
  std::vector<uint8_t> events_;
  mmsghdr msgs_[kRecvMaxPerSocket]{};
  iovec iov_[kRecvMaxPerSocket]{};
  sockaddr_storage from_[kRecvMaxPerSocket]{};
  alignas(8) uint8_t control_[kRecvMaxPerSocket][64]{};
};

}  // namespace roomtone
