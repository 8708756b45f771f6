// Socket calls that need _GNU_SOURCE (accept4, struct ucred). Defined here, in a .c file of
// its own, because defining it in CPerchSystem.h would change how glibc declares sockaddr
// parameters for Swift. The header declares these with plain types.
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

int perch_accept4(int listen_fd) {
    return accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int perch_peer_credentials(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *uid = credentials.uid;
    *gid = credentials.gid;
    *pid = credentials.pid;
    return 0;
}

int perch_group_id(const char *name, uint32_t *gid) {
    size_t size = 1024;
    for (;;) {
        char *buffer = malloc(size);
        if (!buffer) return ENOMEM;
        struct group entry, *result = NULL;
        int error = getgrnam_r(name, &entry, buffer, size, &result);
        if (error == 0 && result) *gid = result->gr_gid;
        free(buffer);
        if (error == ERANGE && size < (1 << 20)) { size *= 2; continue; }
        if (error != 0) return error;
        return result ? 0 : ENOENT;
    }
}

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

// A listening TCP socket on host:port (IPv4 dotted quad, or IPv6 without brackets),
// non-blocking and close-on-exec, SO_REUSEADDR so a restart can bind at once while old
// connections linger in TIME_WAIT. -1 with errno (EINVAL: not a numeric address).
int perch_tcp_listen(const char *host, int port, int backlog) {
    struct sockaddr_storage storage;
    memset(&storage, 0, sizeof(storage));
    socklen_t length;
    int family;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        family = AF_INET;
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        length = sizeof(*v4);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        family = AF_INET6;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        length = sizeof(*v6);
    } else {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0
        || bind(fd, (struct sockaddr *)&storage, length) != 0 || listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

// The port a TCP socket is bound to (after binding port 0), or -1 with errno.
int perch_tcp_local_port(int fd) {
    struct sockaddr_storage storage;
    socklen_t length = sizeof(storage);
    if (getsockname(fd, (struct sockaddr *)&storage, &length) != 0) return -1;
    if (storage.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&storage)->sin_port);
    if (storage.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&storage)->sin6_port);
    errno = EAFNOSUPPORT;
    return -1;
}

// Disables Nagle on a TCP connection: streamed parts go out when written. Harmless on
// Unix sockets (the call fails with EOPNOTSUPP, which the caller ignores).
int perch_tcp_nodelay(int fd) {
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}
