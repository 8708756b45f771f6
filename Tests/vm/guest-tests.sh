#!/bin/sh
# The device tests inside the VM, against vivid, snd-aloop and gpio-sim. Each check
# prints "vm-check: PASS name" or "vm-check: FAIL name: why"; the host counts them.
# GPIO_CHIP and GPIO_SIM come from /init.
P=/bin/perch
cd /tmp
. /guest-lib.sh

# --- camera: vivid through libv4l2 ---
camera_format() {  # camera_format FORMAT BYTES_PER_PIXEL
  log=/tmp/camera-$1.log
  $P device camera /dev/video0 --width 320 --height 240 --format "$1" --frames 12 --list > "$log" 2>&1
  status=$?
  show "$log" | grep -v -e "^  | frame " -e "^  |   size" -e "^  | format" | head -20
  grep "^negotiated:" "$log" | sed "s/^/vm-info: vivid $1 /"
  echo "vm-info: vivid lists $(grep -c '^format' "$log") formats; RGB3 sizes:" \
    $(sed -n '/^format RGB3/,/^format/s/^  size \([^ ]*\) fps \(.*\)/\1 (\2 fps)/p' "$log" | head -4 | tr '\n' ';')
  check "camera $1 capture (12 frames, distinct, sequence, not constant)" "status $status" [ $status -eq 0 ]
  size=$(sed -n 's/^negotiated: \([0-9]*\)x\([0-9]*\) .*/\1 \2/p' "$log")
  set -- $size "$2" "$1"
  expected=$(($1 * $2 * $3))
  frames=$(grep -c "^frame .* bytes=$expected " "$log")
  check "camera $4 frame size $1x$2x$3 = $expected bytes" "$frames frames had it" [ "$frames" -eq 12 ]
}
camera_format rgb24 3
camera_format grey 1
camera_format yuyv 2

# Dropped frames: vivid skips buffers (keeping its sequence count) at this percentage;
# the gaps in sequence numbers must be counted.
$P device camera /dev/video0 --control "Percentage of Dropped Buffers=50" > /dev/null
$P device camera /dev/video0 --frames 12 -q > /tmp/camera-drops.log 2>&1
$P device camera /dev/video0 --control "Percentage of Dropped Buffers=0" > /dev/null
show /tmp/camera-drops.log | grep summary
check "camera dropped frames counted from sequence gaps" "no dropped>0" \
  grep -q "^camera summary: frames=12/12 .* dropped=[1-9]" /tmp/camera-drops.log

# Disappearing camera: vivid's "Disconnect" control unregisters the node under a
# streaming reader; the reader must log it, close, retry, and resume when vivid
# re-registers the node after the last close.
log=/tmp/camera-disconnect.log
$P device camera /dev/video0 --format rgb24 --frames 30 --retry-seconds 30 > "$log" 2>&1 &
reader=$!
if wait_for "$log" "^frame 5 " 300; then
  $P device camera /dev/video0 --control Disconnect=1
fi
wait $reader
status=$?
show "$log" | grep -v "^  | frame " | head -20
check "camera disconnect: recovered and finished" "status $status" [ $status -eq 0 ]
check "camera disconnect: logged" "no disconnected line" grep -q "device disconnected" "$log"
check "camera disconnect: reconnected once" "no reconnects=1" grep -q "reconnects=1 " "$log"

$P device camera /dev/video9 > /tmp/camera-missing.log 2>&1
status=$?
show /tmp/camera-missing.log
check "camera missing: clear error" "status $status" grep -q "^camera: /dev/video9: not found" /tmp/camera-missing.log

# --- microphone: snd-aloop ---
# Record while playing a known signal, then compare sample for sample. Under TCG on a
# loaded host the single emulated CPU can be starved long enough to lose audio, which says
# nothing about Perch: up to 3 attempts, each logged; the comparison itself stays strict.
loopback_attempt() {  # loopback_attempt N
  $P device mic hw:Loopback,1,0 --rate 16000 --seconds 4 --output /tmp/recorded.raw > /tmp/mic.log 2>&1 &
  recorder=$!
  if wait_for /tmp/mic.log "^mic hw:Loopback,1,0: S16_LE" 300; then
    if [ "$1" = 1 ]; then
      $P device mic hw:Loopback,1,0 --seconds 1 > /tmp/mic-busy.log 2>&1
      busy=$?
      show /tmp/mic-busy.log
      check "mic busy: second open fails naming the device" "status $busy" \
        grep -q "^mic: hw:Loopback,1,0: device busy" /tmp/mic-busy.log
    fi
    $P device play hw:Loopback,0,0 /tmp/reference.wav --pad-ms 200 > /tmp/play.log 2>&1 || echo "vm-info: play failed (attempt $1)"
    show /tmp/play.log
  fi
  wait $recorder
  record_status=$?
  show /tmp/mic.log
  grep "^mic hw:Loopback" /tmp/mic.log | sed "s/^/vm-info: /"
  $P device compare /tmp/reference.wav /tmp/recorded.raw --max-gap-ms 4 --allowed-gaps 1 > /tmp/compare.log 2>&1
  status=$?
  show /tmp/compare.log
  echo "vm-info: loopback attempt $1: record status $record_status, compare status $status"
  [ $record_status -eq 0 ] && [ $status -eq 0 ]
}
$P device signal /tmp/reference.wav --rate 16000 --milliseconds 2000 > /dev/null
attempt=1
until loopback_attempt $attempt || [ $attempt -ge 3 ]; do attempt=$((attempt + 1)); done
check "mic record 4 s at 16000 Hz" "status $record_status" grep -q "^mic summary: frames=64000 rate=16000 " /tmp/mic.log
check "mic loopback samples match (one 4 ms gap allowed; attempt $attempt of 3)" "status $status" [ $status -eq 0 ]

# Overrun: stop reading for longer than the 128 ms buffer; the read loop must recover,
# count it, and still deliver the whole second.
$P device mic hw:Loopback,1,0 --seconds 1 --stall-ms 500 > /tmp/mic-xrun.log 2>&1
status=$?
show /tmp/mic-xrun.log
check "mic overrun recovered and counted" "status $status" \
  sh -c '[ '$status' -eq 0 ] && grep -q "^mic summary: frames=16000 .* overruns=[1-9]" /tmp/mic-xrun.log'

$P device mic hw:7,0 --seconds 1 > /tmp/mic-missing.log 2>&1
show /tmp/mic-missing.log
check "mic missing: clear error" "no not-found line" grep -q "^mic: hw:7,0: not found" /tmp/mic-missing.log

# --- GPIO: gpio-sim ---
value() { cat "$GPIO_SIM/sim_gpio$1/value"; }
$P device gpio "$GPIO_CHIP" --set 3=1 --set 4=0 --hold-ms 3000 > /tmp/gpio-out.log 2>&1 &
holder=$!
wait_for /tmp/gpio-out.log "^holding" 300
check "gpio output line 3 = 1 in sysfs" "value $(value 3)" [ "$(value 3)" = 1 ]
check "gpio output line 4 = 0 in sysfs" "value $(value 4)" [ "$(value 4)" = 0 ]
held=$(grep -c "perchd" /sys/kernel/debug/gpio)
check "gpio lines held by consumer perchd" "$(cat /sys/kernel/debug/gpio)" [ "$held" -eq 2 ]
wait $holder
show /tmp/gpio-out.log
check "gpio released at exit: line 3 back to its pull-down" "value $(value 3)" [ "$(value 3)" = 0 ]

# The chip by path here and by label below (by name above).
$P device gpio "/dev/$GPIO_CHIP" --set 5=1 --active-low --hold-ms 3000 > /tmp/gpio-low.log 2>&1 &
holder=$!
wait_for /tmp/gpio-low.log "^holding" 300
check "gpio active-low: logical 1 drives the pin to 0" "value $(value 5)" [ "$(value 5)" = 0 ]
wait $holder

$P device gpio perch-sim --pulse 6 --pulse-ms 50 > /tmp/gpio-pulse.log 2>&1
status=$?
show /tmp/gpio-pulse.log
check "gpio chip found by label" "no label line" grep -q "^chip $GPIO_CHIP label 'perch-sim'" /tmp/gpio-pulse.log
check "gpio pulse ends inactive" "status $status value $(value 6)" [ $status -eq 0 -a "$(value 6)" = 0 ]

$P device gpio "$GPIO_CHIP" --watch 7 --edges 2 --timeout-ms 20000 > /tmp/gpio-in.log 2>&1 &
watcher=$!
wait_for /tmp/gpio-in.log "^watching line 7" 300
echo pull-up > "$GPIO_SIM/sim_gpio7/pull"
usleep 300000
echo pull-down > "$GPIO_SIM/sim_gpio7/pull"
wait $watcher
status=$?
show /tmp/gpio-in.log
check "gpio input saw 2 edges" "status $status" [ $status -eq 0 ]
check "gpio input edges are rising then falling" "wrong edges" \
  sh -c 'grep "^edge" /tmp/gpio-in.log | awk "{print \$4}" | tr "\n" " " | grep -q "^rising falling "'

$P device gpio gpiochip9 --set 0=1 > /tmp/gpio-missing.log 2>&1
show /tmp/gpio-missing.log
check "gpio missing chip: clear error" "no not-found line" grep -q "^gpio: gpio chip gpiochip9: not found" /tmp/gpio-missing.log

# --- perchd: the daemon on vivid, snd-aloop and gpio-sim ---
# The default model on the camera and the (silent) loopback capture; a gpio-sim input in
# event mode whose events drive a gpio-sim output through an action.
D=/bin/perchd
SOCK=/tmp/perchd.sock
CONF=/tmp/perchd-vm.conf
cat > "$CONF" <<CONF
[daemon]
log-level = info
event-buffer = 64

[socket]
path = $SOCK
mode = 0600

[camera]
device = /dev/video0
width = 320
height = 240
fps = 10
format = rgb24

[microphone]
device = hw:Loopback,1,0
rate = 16000
channels = 1
period = 320

[model av]
file = /models/perch-av/model.tflite
input.0 = camera
input.1 = microphone
labels-file = /models/perch-av/labels.txt
scores-output = 1
attribution = image, audio
attribution-output = 0
rate = 2

[rule av.person]
on = 0.9
off = 0.5
hits = 2

[gpio-input button]
chip = $GPIO_CHIP
line = 5
mode = event
debounce = 10ms

[action button-led]
rule = gpio.button
chip = $GPIO_CHIP
line = 6
mode = level
CONF
$D --check-config "$CONF" > /tmp/perchd-check.log 2>&1
status=$?
show /tmp/perchd-check.log | head -20
check "perchd --check-config accepts the VM config" "status $status" [ $status -eq 0 ]

# wait_value LINE VALUE TENTHS: until gpio-sim line LINE reads VALUE.
wait_value() {
  i=0
  while [ $i -lt "$3" ]; do
    [ "$(value "$1")" = "$2" ] && return 0
    usleep 100000; i=$((i + 1))
  done
  return 1
}
# status_until PATTERN TENTHS: until `perch status --json` matches (saved in /tmp/perchd-status.json).
status_until() {
  i=0
  while [ $i -lt "$2" ]; do
    $P status --json --socket $SOCK > /tmp/perchd-status.json 2>&1 && grep -q "$1" /tmp/perchd-status.json && return 0
    sleep 1; i=$((i + 10))
  done
  return 1
}
inferences() { sed -n 's/.*"inferences": *\([0-9][0-9]*\).*/\1/p' /tmp/perchd-status.json; }
events() { sed -n 's/.*"events": *\([0-9][0-9]*\).*/\1/p' /tmp/perchd-status.json; }
has_inferences() { n=$(inferences); [ -n "$n" ] && [ "$n" -gt 0 ]; }
event_seen() {  # event_seen STATE: a gpio/button event with that state in the watch output
  grep '"model": *"gpio"' /tmp/perchd-watch.log 2>/dev/null | grep '"label": *"button"' | grep -q "\"state\": *\"$1\""
}
wait_event() {
  i=0
  while [ $i -lt "$2" ]; do event_seen "$1" && return 0; usleep 100000; i=$((i + 1)); done
  return 1
}

$D --config "$CONF" > /tmp/perchd.log 2>&1 &
daemon=$!
i=0
while [ $i -lt 600 ] && [ ! -S $SOCK ] && kill -0 $daemon 2>/dev/null; do usleep 100000; i=$((i + 1)); done
echo "vm-info: perchd socket after $((i / 10)).$((i % 10)) s"
check "perchd starts and listens on $SOCK" "no socket after 60 s" [ -S $SOCK ]
check "perch status answers" "$(head -c 300 /tmp/perchd-status.json 2>/dev/null)" status_until '"version"' 100
status_until '"name": *"camera"[^}]*"state": *"running"' 300
check "perchd camera /dev/video0 running" "$(head -c 600 /tmp/perchd-status.json)" \
  grep -q '"name": *"camera"[^}]*"state": *"running"' /tmp/perchd-status.json
status_until '"name": *"microphone"[^}]*"state": *"running"' 300
check "perchd microphone hw:Loopback,1,0 running" "$(head -c 600 /tmp/perchd-status.json)" \
  grep -q '"name": *"microphone"[^}]*"state": *"running"' /tmp/perchd-status.json
i=0
while [ $i -lt 30 ] && ! has_inferences; do sleep 1; $P status --json --socket $SOCK > /tmp/perchd-status.json 2>&1; i=$((i + 1)); done
sleep 3
$P status --json --socket $SOCK > /tmp/perchd-status.json 2>&1
echo "vm-info: perchd status: $(head -c 900 /tmp/perchd-status.json)"
check "perchd runs the model (inferences > 0)" "inferences $(inferences)" has_inferences

# The button: its events replay from the ring, so the watcher may start at any time.
$P watch --json --since 0 --socket $SOCK > /tmp/perchd-watch.log 2>&1 &
watcher=$!
events_before=$(events)
check "perchd action line 6 idle at 0 before the button" "value $(value 6)" [ "$(value 6)" = 0 ]
echo pull-up > "$GPIO_SIM/sim_gpio5/pull"
check "perchd gpio event input pressed: action sets line 6 = 1 in sysfs" "value $(value 6)" wait_value 6 1 100
check "perchd event gpio.button start read from the socket" "$(cat /tmp/perchd-watch.log)" wait_event start 100
echo pull-down > "$GPIO_SIM/sim_gpio5/pull"
check "perchd gpio event input released: line 6 back to 0" "value $(value 6)" wait_value 6 0 100
check "perchd event gpio.button end read from the socket" "$(cat /tmp/perchd-watch.log)" wait_event end 100
show /tmp/perchd-watch.log | grep '"gpio"'
$P status --json --socket $SOCK > /tmp/perchd-status.json 2>&1
events_after=$(events)
check "perch status counts the 2 button events" "events $events_before -> $events_after" \
  [ "${events_after:-0}" -ge $((${events_before:-0} + 2)) ]
kill $watcher 2>/dev/null; wait $watcher 2>/dev/null

# Shutdown with the line active: perchd must exit 0 and leave it inactive, released (the
# line then reads its pull-down).
echo pull-up > "$GPIO_SIM/sim_gpio5/pull"
wait_value 6 1 100
echo "vm-info: line 6 before SIGTERM: $(value 6)"
kill -TERM $daemon
wait $daemon
status=$?
echo pull-down > "$GPIO_SIM/sim_gpio5/pull"
show /tmp/perchd.log | head -40
check "perchd SIGTERM: exits 0" "status $status" [ $status -eq 0 ]
check "perchd SIGTERM: line 6 back to its pull-down" "value $(value 6)" [ "$(value 6)" = 0 ]
held=$(grep -c "perchd" /sys/kernel/debug/gpio)
check "perchd SIGTERM: gpio lines released" "$(cat /sys/kernel/debug/gpio)" [ "$held" -eq 0 ]
check "perchd SIGTERM: socket removed" "still there" [ ! -e $SOCK ]
