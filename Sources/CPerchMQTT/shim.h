// libmosquitto (Debian libmosquitto-dev), imported only by Sources/PerchMQTT/Mosquitto.swift.
// Its own module so the MQTT client's C surface stays in one place.
#include <mosquitto.h>
