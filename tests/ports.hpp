#pragma once
// A loopback port nothing listens on now: the kernel's choice for a socket bound to port 0, then
// closed. Connecting to it is refused (a node that is down); a server may also be started on it.

namespace glisk::testing {

int unused_loopback_port();  // throws std::runtime_error when no port can be reserved

}  // namespace glisk::testing
