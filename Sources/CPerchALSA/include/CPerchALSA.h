// ALSA's libasound, for Sources/PerchDevices/Microphone (its one wrapper). Its calls are
// ordinary C functions; this module only keeps the header and the link line in one place.
#ifndef CPERCH_ALSA_H
#define CPERCH_ALSA_H

#include <errno.h>
#include <alsa/asoundlib.h>

#endif
