/* A test-only MJPEG producer for the device VM (guest-mjpeg.sh): sets a v4l2loopback
 * output to MJPEG WIDTHxHEIGHT and writes the given JPEG files as frames, in turn, at FPS
 * until killed, so the capture side sees a camera that only delivers MJPEG. Built static
 * for the guest by make-initramfs.sh; not part of Perch.
 *
 *   mjpeg-feed DEVICE WIDTH HEIGHT FPS FILE.jpg...
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct image { unsigned char *bytes; size_t size; };

static int load(const char *path, struct image *image) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(path); return -1; }
    image->size = (size_t)st.st_size;
    image->bytes = malloc(image->size);
    if (!image->bytes || read(fd, image->bytes, image->size) != (ssize_t)image->size) { perror(path); return -1; }
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: mjpeg-feed DEVICE WIDTH HEIGHT FPS FILE.jpg...\n");
        return 2;
    }
    int count = argc - 5;
    struct image *images = calloc((size_t)count, sizeof *images);
    size_t largest = 0;
    for (int i = 0; i < count; i++) {
        if (load(argv[5 + i], &images[i]) != 0) return 1;
        if (images[i].size > largest) largest = images[i].size;
    }
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) { perror(argv[1]); return 1; }
    struct v4l2_format format;
    memset(&format, 0, sizeof format);
    format.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    format.fmt.pix.width = (unsigned)atoi(argv[2]);
    format.fmt.pix.height = (unsigned)atoi(argv[3]);
    format.fmt.pix.pixelformat = V4L2_PIX_FMT_MJPEG;
    format.fmt.pix.field = V4L2_FIELD_NONE;
    /* Every frame must fit the loopback's buffer: the largest file, with room to spare. */
    format.fmt.pix.sizeimage = (unsigned)(largest * 2);
    if (ioctl(fd, VIDIOC_S_FMT, &format) != 0) { perror("VIDIOC_S_FMT"); return 1; }
    printf("mjpeg-feed: %s %ux%u MJPEG, sizeimage %u, %d images\n", argv[1], format.fmt.pix.width,
           format.fmt.pix.height, format.fmt.pix.sizeimage, count);
    fflush(stdout);
    long fps = atol(argv[4]);
    struct timespec period = { 0, 1000000000L / (fps > 0 ? fps : 1) };
    for (unsigned long n = 0;; n++) {
        struct image *image = &images[n % (unsigned long)count];
        if (write(fd, image->bytes, image->size) != (ssize_t)image->size) {
            fprintf(stderr, "mjpeg-feed: write frame %lu: %s\n", n, strerror(errno));
            return 1;
        }
        nanosleep(&period, NULL);
    }
}
