// Debian: libturbojpeg0-dev (build), libturbojpeg0 (run time).
#include <turbojpeg.h>
