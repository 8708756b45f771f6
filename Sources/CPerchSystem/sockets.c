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
