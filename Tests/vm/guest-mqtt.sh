#!/bin/sh
# MQTT inside the VM (issue 16): a mosquitto from the guest architecture's Debian packages
# listens on 127.0.0.1 (the VM has no network device; only `lo` is brought up), the
# embedded perchd publishes to it, and a gpio-sim input edge must reach the broker as an
# event: mosquitto_sub checks topic and payload (label, seq, state), and that seq is the one
# the socket API gave the same event. Then `kill -9 perchd`: the broker publishes the will,
# `offline`. GPIO_CHIP and GPIO_SIM come from /init.
P=/bin/perch
D=/bin/perchd
cd /tmp
. /guest-lib.sh
mqtt_started=$(date +%s)

SOCK=/tmp/perchd-mqtt.sock
CONF=/tmp/perchd-mqtt.conf
LOG=/tmp/perchd-mqtt.log
SUB=/tmp/mqtt-sub.log
WATCH=/tmp/perchd-mqtt-watch.log
BASE=perch/vmtest

ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
# No /etc/passwd in the initramfs: `user root` keeps mosquitto from dropping to a missing user.
cat > /tmp/mosquitto.conf <<CONF
listener 1883 127.0.0.1
allow_anonymous true
persistence false
user root
log_dest file /tmp/mosquitto.log
CONF
mosquitto -c /tmp/mosquitto.conf > /tmp/mosquitto.out 2>&1 &
broker=$!
# "running" is logged once the listeners are open.
wait_for /tmp/mosquitto.log "mosquitto version .* running" 300
check "mqtt: mosquitto runs, listening on 127.0.0.1:1883" "$(cat /tmp/mosquitto.out /tmp/mosquitto.log 2>/dev/null | head -c 400)" \
  grep -q "Opening ipv4 listen socket on port 1883" /tmp/mosquitto.log
grep "mosquitto version" /tmp/mosquitto.log | sed "s/^[0-9]*: /vm-info: mqtt: /"
mosquitto_sub -h 127.0.0.1 -p 1883 -v -t "$BASE/#" > $SUB 2>&1 &
subscriber=$!
wait_for /tmp/mosquitto.log "New client connected from 127.0.0.1" 100

# Only a GPIO input: no model, so the run costs no inference time under TCG.
cat > "$CONF" <<CONF
[daemon]
log-level = info

[socket]
path = $SOCK
mode = 0600

[gpio-input doorbell]
chip = $GPIO_CHIP
line = 2
mode = event
debounce = 10ms

[mqtt]
broker = 127.0.0.1:1883
device-id = vmtest
keepalive = 5
CONF
$D --config "$CONF" > $LOG 2>&1 &
daemon=$!
check "mqtt: perchd publishes online (retained status)" "$(head -c 600 $LOG)" wait_for $SUB "^$BASE/status online" 600
check "mqtt: gpio.doorbell state OFF published before any edge" "$(grep doorbell $SUB | head -3)" \
  wait_for $SUB "^$BASE/gpio/doorbell/state OFF" 300
$P watch --json --since 0 --socket $SOCK > $WATCH 2>&1 &
watcher=$!

# payload TOPIC N: the Nth payload published on TOPIC.
payload() { grep "^$1 " $SUB | sed -n "$2s/^[^ ]* //p"; }
json_field() { echo "$1" | sed -n "s/.*\"$2\": *\"\{0,1\}\([^,\"}]*\).*/\1/p"; }
socket_seq() {  # socket_seq STATE: seq of the gpio/doorbell event with that state on the socket
  grep '"label": *"doorbell"' $WATCH | grep "\"state\": *\"$1\"" | sed -n 's/.*"seq": *\([0-9]*\).*/\1/p' | head -1
}
is_event() { echo "$1" | grep -q "^{\"event_type\":\"$2\",\"seq\":[0-9][0-9]*,.*\"model\":\"gpio\",\"label\":\"doorbell\"}$"; }
same_seq() { [ -n "$1" ] && [ "$1" = "$2" ]; }
edge() {  # edge PULL STATE ON_OFF N
  echo "$1" > "$GPIO_SIM/sim_gpio2/pull"
  wait_for $SUB "^$BASE/gpio/doorbell/event .*\"event_type\":\"$2\"" 300
  event=$(payload $BASE/gpio/doorbell/event "$4")
  echo "vm-info: mqtt: $BASE/gpio/doorbell/event $event"
  seq=$(json_field "$event" seq)
  wait_for $WATCH "\"state\": *\"$2\"" 100
  check "mqtt: edge $1 -> event $2 on $BASE/gpio/doorbell/event (model gpio, label doorbell)" "payload '$event'" \
    is_event "$event" "$2"
  check "mqtt: event $2 seq $seq is the socket API's seq ($(socket_seq "$2"))" "$(grep doorbell $WATCH)" \
    same_seq "$seq" "$(socket_seq "$2")"
  check "mqtt: retained state $3 after the $2" "$(grep doorbell/state $SUB)" \
    wait_for $SUB "^$BASE/gpio/doorbell/state $3" 300
}
edge pull-up start ON 1
start_seq=$seq
edge pull-down end OFF 2
check "mqtt: end seq follows start seq ($start_seq -> $seq)" "start $start_seq end $seq" \
  same_seq "$seq" "$((${start_seq:-0} + 1))"
events=$(grep -c "^$BASE/gpio/doorbell/event " $SUB)
check "mqtt: each event arrived once (2 events)" "$events events" [ "$events" -eq 2 ]
kill $watcher 2>/dev/null; wait $watcher 2>/dev/null

# kill -9: the broker sees the connection drop without a DISCONNECT and sends the will.
kill -9 $daemon
wait $daemon 2>/dev/null
check "mqtt: kill -9 perchd -> the will publishes offline" "$(tail -5 $SUB)" \
  wait_for $SUB "^$BASE/status offline" 300
show $SUB | head -20
show /tmp/mosquitto.log | tail -8
show $LOG | grep -v "^  | <6>" | head -20
kill $subscriber $broker 2>/dev/null
wait $subscriber $broker 2>/dev/null
rm -f $SOCK
echo "vm-info: mqtt checks took $(( $(date +%s) - mqtt_started )) s"
