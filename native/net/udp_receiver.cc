#include "udp_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace roomtone {

namespace {

constexpr int kMaxEvents = 256;

double realtimeMs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The SO_TIMESTAMP of a received message, or `fallback` when the kernel attached none.
double arrivalOf(msghdr& h, double fallback) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMP) {
      timeval tv{};
      __builtin_memcpy(&tv, CMSG_DATA(c), sizeof(tv));
      return static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0;
    }
  }
  return fallback;
}

}  // namespace

UdpReceiver::UdpReceiver() : epoll_(epoll_create1(EPOLL_CLOEXEC)), events_(sizeof(epoll_event) * kMaxEvents) {}

UdpReceiver::~UdpReceiver() { close(); }

void UdpReceiver::close() {
  if (epoll_ >= 0) ::close(epoll_);
  epoll_ = -1;
}

int UdpReceiver::add(int fd, uint32_t slot) {
  if (epoll_ < 0) return EBADF;
  const int on = 1;
  // Without the arrival stamp the drain would date every datagram at the drain itself. (Linux
  // starts stamping a moment after the first socket asks, so the very first datagrams may be
  // dated at the read anyway.)
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof(on));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = (static_cast<uint64_t>(slot) << 32) | static_cast<uint32_t>(fd);
  return epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

int UdpReceiver::remove(int fd) {
  if (epoll_ < 0) return EBADF;
  return epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr) == 0 ? 0 : errno;
}

int32_t UdpReceiver::drain(uint8_t* arena, int32_t maxPackets, int32_t perSocket, int32_t* records, double* arrivalMs) {
  if (epoll_ < 0 || maxPackets <= 0) return 0;
  if (perSocket > kRecvMaxPerSocket) perSocket = kRecvMaxPerSocket;
  auto* events = reinterpret_cast<epoll_event*>(events_.data());
  int32_t count = 0;
  // Level-triggered: a socket left with datagrams (its share was used up) is ready again next
  // time, and epoll rotates ready sockets, so a busy one cannot starve the others.
  while (count < maxPackets) {
    const int ready = epoll_wait(epoll_, events, kMaxEvents, 0);
    if (ready <= 0) break;
    for (int e = 0; e < ready && count < maxPackets; ++e) {
      const int fd = static_cast<int>(events[e].data.u64 & 0xffffffffu);
      const auto slot = static_cast<uint32_t>(events[e].data.u64 >> 32);
      const int32_t room = maxPackets - count < perSocket ? maxPackets - count : perSocket;
      count += readSocket(fd, slot, arena, count, room, records, arrivalMs);
    }
    if (ready < kMaxEvents) break;
  }
  return count;
}

int32_t UdpReceiver::readSocket(int fd, uint32_t slot, uint8_t* arena, int32_t first, int32_t room, int32_t* records,
                                double* arrivalMs) {
  for (int32_t j = 0; j < room; ++j) {
    iov_[j].iov_base = arena + static_cast<int64_t>(first + j) * kRecvSlotBytes;
    iov_[j].iov_len = kRecvSlotBytes;
    msghdr& h = msgs_[j].msg_hdr;
    h.msg_name = &from_[j];
    h.msg_namelen = sizeof(from_[j]);
    h.msg_iov = &iov_[j];
    h.msg_iovlen = 1;
    h.msg_control = control_[j];
    h.msg_controllen = sizeof(control_[j]);
    h.msg_flags = 0;
  }
  const int got = recvmmsg(fd, msgs_, static_cast<unsigned>(room), MSG_DONTWAIT, nullptr);
  if (got < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      ++stats_.errors;
      stats_.lastErrno = errno;
    }
    return 0;
  }
  const double fallback = realtimeMs();
  for (int j = 0; j < got; ++j) {
    const msghdr& h = msgs_[j].msg_hdr;
    int32_t* r = records + static_cast<int64_t>(first + j) * kRecvRecordFields;
    const auto* in = reinterpret_cast<const sockaddr_in*>(&from_[j]);
    const bool v4 = from_[j].ss_family == AF_INET;
    r[0] = static_cast<int32_t>(slot);
    r[1] = v4 ? static_cast<int32_t>(ntohl(in->sin_addr.s_addr)) : 0;
    r[2] = v4 ? ntohs(in->sin_port) : 0;
    r[3] = (h.msg_flags & MSG_TRUNC) != 0 ? kRecvOversized : static_cast<int32_t>(msgs_[j].msg_len);
    arrivalMs[first + j] = arrivalOf(msgs_[j].msg_hdr, fallback);
  }
  return got;
}

}  // namespace roomtone
