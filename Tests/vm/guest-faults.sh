#!/bin/sh
# Faults under a running perchd, on the real drivers (issues 9 and 15): a GPIO chip that does
# not exist at start and appears later (a second gpio-sim chip created while perchd runs: the
# action on it must start working without a reload), the camera and the microphone unplugged
# and plugged back (vivid and snd-aloop unbound from and rebound to their platform drivers
# through sysfs while perchd streams), and ALSA overruns from a stalled daemon (SIGSTOP for
# 2 s, then SIGCONT). perchd must log each fault naming the device, show it in /v1/status,
# keep inferring on what is left, and recover on its own.
# Under TCG on a loaded host the guest can be starved for seconds: every wait is on a
# condition with a generous timeout; the only fixed sleep is the 2 s stall itself.
P=/bin/perch
D=/bin/perchd
cd /tmp
. /guest-lib.sh
faults_started=$(date +%s)

SOCK=/tmp/perchd-faults.sock
CONF=/tmp/perchd-faults.conf
LOG=/tmp/perchd-faults.log
STATUS=/tmp/perchd-faults-status.json
MISSING_CHIP=perch-sim-late
VIVID=/sys/bus/platform/drivers/vivid
ALOOP=/sys/bus/platform/drivers/snd_aloop

cat > "$CONF" <<CONF
[daemon]
log-level = info

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
audio-labels = speech, doorbell, smoke_alarm, knock, glass_break
rate = 2

[rule av.person]
on = 0.9

# An input on the chip that exists drives an action on a chip that does not, yet: a
# second gpio-sim chip labelled $MISSING_CHIP is created once perchd runs.
[gpio-input late-button]
chip = $GPIO_CHIP
line = 1
mode = event

[action late-led]
rule = gpio.late-button
chip = $MISSING_CHIP
line = 0
CONF

# The status is compact JSON; sources and models are flat objects, so one per line after
# splitting at "{". field NAME KEY: KEY of the source or model called NAME.
refresh() { $P status --json --socket $SOCK > $STATUS 2>&1; }
# results_say PATTERN: /v1/results/latest (perch results --json) matches, e.g. "stale": true.
results_say() { $P results --json --socket $SOCK > /tmp/perchd-faults-results.json 2>&1 && grep -q "$1" /tmp/perchd-faults-results.json; }
stale_is() { results_say "\"stale\": *$1"; }
entry() { tr '{' '\n' < $STATUS | grep "\"name\": *\"$1\"" | head -1; }
field() { entry "$1" | sed -n "s/.*\"$2\": *\"\{0,1\}\([^,\"}]*\).*/\1/p"; }
state_is() { [ "$(field "$1" state)" = "$2" ]; }
above() { v=$(field "$1" "$2"); [ -n "$v" ] && [ "$v" -gt "$3" ]; }
has_error() { entry "$1" | grep -q "\"last_error\": *\"[^\"]*$2"; }
brief() { echo "$1: state $(field "$1" state), frames $(field "$1" frames), xruns $(field "$1" xruns)," \
  "retries $(field "$1" retries), reconnects $(field "$1" reconnects); $(entry "$1" | sed -n 's/.*"last_error": *\(.*\)}.*/\1/p')"; }
# until_status TENTHS COMMAND...: polls the status until COMMAND holds (or perchd is gone).
until_status() {
  limit=$1; shift
  i=0
  while [ $i -lt "$limit" ] && kill -0 $daemon 2>/dev/null; do
    refresh && "$@" && return 0
    usleep 500000; i=$((i + 5))
  done
  return 1
}

$D --config "$CONF" > $LOG 2>&1 &
daemon=$!
i=0
while [ $i -lt 600 ] && [ ! -S $SOCK ] && kill -0 $daemon 2>/dev/null; do usleep 100000; i=$((i + 1)); done
listening() { [ -S $SOCK ] && kill -0 $daemon 2>/dev/null; }
check "faults: perchd starts with GPIO chip $MISSING_CHIP missing" "no socket after $((i / 10)) s" listening
until_status 600 state_is camera running
until_status 600 state_is microphone running
until_status 600 above av inferences 0
echo "vm-info: faults: $(brief camera)"
echo "vm-info: faults: $(brief microphone)"

# --- 3. GPIO chip missing at start ---
echo "vm-info: faults: $(brief $MISSING_CHIP)"
check "gpio chip missing at start: logged naming $MISSING_CHIP" "no warning or error line" \
  grep -q "^<[0-4]>.*$MISSING_CHIP" $LOG
chip_down() { s=$(field $MISSING_CHIP state); [ "$s" = failed ] || [ "$s" = waiting ]; }
check "gpio chip missing at start: status shows $MISSING_CHIP waiting (or failed)" "$(entry $MISSING_CHIP)" chip_down
check "gpio chip missing at start: last_error names it" "$(entry $MISSING_CHIP)" has_error $MISSING_CHIP $MISSING_CHIP
check "gpio chip missing at start: action late-led waiting (retried, no reload needed)" "$(entry late-led)" \
  state_is late-led waiting
check "gpio chip missing at start: model av infers (inferences > 0)" "inferences $(field av inferences)" \
  above av inferences 0

# The chip appears: perchd's retry (1 s doubling to 30 s) picks it up while the camera and
# microphone checks run; the action is checked at the line's value after them.
LATE=/sys/kernel/config/gpio-sim/chip-late
mkdir $LATE $LATE/bank0 && echo 4 > $LATE/bank0/num_lines && echo $MISSING_CHIP > $LATE/bank0/label && echo 1 > $LATE/live
LATE_SIM=/sys/devices/platform/$(cat $LATE/dev_name)/$(cat $LATE/bank0/chip_name)
late_appeared=$(date +%s)
check "gpio chip appears: gpio-sim chip $MISSING_CHIP created after perchd started" "no $LATE_SIM" [ -e $LATE_SIM/sim_gpio0/value ]

# --- 1. Camera unplugged and plugged back while perchd streams ---
echo vivid.0 > $VIVID/unbind
check "camera unplug: vivid.0 unbound through sysfs" "still bound" [ ! -e $VIVID/vivid.0 ]
until_status 300 state_is camera waiting
echo "vm-info: faults: unplugged: $(brief camera)"
check "camera unplug: status shows camera waiting" "$(entry camera)" state_is camera waiting
check "camera unplug: last_error names /dev/video0" "$(entry camera)" has_error camera /dev/video0
check "camera unplug: perchd logs it naming /dev/video0" "no line" \
  wait_for $LOG "^<[0-4]>camera.*/dev/video0.*disconnected" 300
inferences0=$(field av inferences) mic0=$(field microphone frames) camera0=$(field camera frames)
outage_progress() { above av inferences "$inferences0" && above microphone frames "$mic0"; }
until_status 300 outage_progress
inferences1=$(field av inferences) mic1=$(field microphone frames) camera1=$(field camera frames)
echo "vm-info: faults: during the outage: inferences $inferences0 -> $inferences1, microphone frames $mic0 -> $mic1, camera frames $camera0 -> $camera1"
check "camera unplug: model av keeps inferring during the outage" "inferences $inferences0 -> $inferences1" \
  above av inferences "$inferences0"
check "camera unplug: microphone keeps capturing during the outage" "frames $mic0 -> $mic1" \
  above microphone frames "$mic0"
camera_idle() { [ "$camera1" = "$camera0" ] && state_is camera waiting; }
check "camera unplug: no camera frames during the outage" "frames $camera0 -> $camera1" camera_idle
# The last frame goes stale after 3 periods (1.5 s at rate 2): results say so and the image
# and fused labels are held off (their rules see 0), the audio labels keep theirs.
until_status 300 stale_is true
check "camera unplug: results of av say stale" "$(head -c 400 /tmp/perchd-faults-results.json)" stale_is true
check "camera unplug: perchd logs image labels held off naming camera" "no line" \
  wait_for $LOG "^<4>model av: no new frame from camera for 1.5 s; image and fused labels held off (audio labels: speech," 300

echo vivid.0 > $VIVID/bind
check "camera replug: vivid.0 bound again" "not bound" [ -e $VIVID/vivid.0 ]
until_status 600 state_is camera running
echo "vm-info: faults: replugged: $(brief camera)"
check "camera replug: status shows camera running" "$(entry camera)" state_is camera running
check "camera replug: reconnects = 1" "$(entry camera)" [ "$(field camera reconnects)" = 1 ]
check "camera replug: perchd logs the reconnection" "no line" wait_for $LOG "camera /dev/video0: reconnected" 300
camera2=$(field camera frames)
until_status 300 above camera frames "$camera2"
check "camera replug: frames count again" "frames $camera2 -> $(field camera frames)" above camera frames "$camera2"
until_status 300 stale_is false
check "camera replug: results of av live again (stale false)" "$(head -c 400 /tmp/perchd-faults-results.json)" stale_is false
check "camera replug: perchd logs image labels live" "no line" wait_for $LOG "model av: camera frames again; image labels live" 300

# --- Microphone unplugged and plugged back: snd-aloop's card goes away under perchd ---
mic_unplug_started=$(date +%s)
refresh
mic_reconnects0=$(field microphone reconnects)
echo snd_aloop.0 > $ALOOP/unbind
check "mic unplug: snd_aloop.0 unbound through sysfs" "still bound" [ ! -e $ALOOP/snd_aloop.0 ]
mic_down() { s=$(field microphone state); [ "$s" = waiting ] || [ "$s" = failed ]; }
until_status 300 mic_down
echo "vm-info: faults: mic unplugged: $(brief microphone)"
check "mic unplug: status shows microphone waiting" "$(entry microphone)" state_is microphone waiting
check "mic unplug: last_error names hw:Loopback,1,0" "$(entry microphone)" has_error microphone "hw:Loopback,1,0"
check "mic unplug: perchd logs it naming hw:Loopback,1,0" "no line" \
  wait_for $LOG "^<[0-4]>microphone.*hw:Loopback,1,0" 300
mic_fault() { grep -q '"faults".*microphone' $STATUS; }
check "mic unplug: /v1/status lists the fault" "$(sed -n 's/.*\("faults".*\)/\1/p' $STATUS | head -c 300)" mic_fault
inferences0=$(field av inferences) mic0=$(field microphone frames) camera0=$(field camera frames)
camera_progress() { above av inferences "$inferences0" && above camera frames "$camera0"; }
until_status 300 camera_progress
echo "vm-info: faults: mic outage: inferences $inferences0 -> $(field av inferences), camera frames $camera0 -> $(field camera frames), microphone frames $mic0 -> $(field microphone frames)"
check "mic unplug: model av keeps inferring on the camera" "inferences $inferences0 -> $(field av inferences)" \
  above av inferences "$inferences0"
check "mic unplug: camera keeps capturing" "frames $camera0 -> $(field camera frames)" above camera frames "$camera0"
echo snd_aloop.0 > $ALOOP/bind
check "mic replug: snd_aloop.0 bound again" "not bound" [ -e $ALOOP/snd_aloop.0 ]
until_status 600 state_is microphone running
echo "vm-info: faults: mic replugged: $(brief microphone)"
check "mic replug: status shows microphone running" "$(entry microphone)" state_is microphone running
check "mic replug: reconnects counted (${mic_reconnects0:-0} -> $(field microphone reconnects))" "$(entry microphone)" \
  above microphone reconnects "${mic_reconnects0:-0}"
check "mic replug: perchd logs the reconnection" "no line" wait_for $LOG "microphone hw:Loopback,1,0: reconnected" 300
mic3=$(field microphone frames)
until_status 300 above microphone frames "$mic3"
check "mic replug: frames count again" "frames $mic3 -> $(field microphone frames)" above microphone frames "$mic3"
echo "vm-info: faults: the microphone unplug checks took $(( $(date +%s) - mic_unplug_started )) s"

# --- 2. ALSA overrun: the whole daemon stalled for 2 s, far beyond the 120 ms buffer ---
# Once, under heavy host load (aarch64), the read after the stall failed with EIO rather
# than EPIPE: perchd reopened the PCM (a retry and a reconnect in its status) and the
# overrun was counted only because the reopened stream overran too. So a second stall is
# allowed, as the loopback comparison allows attempts; the check's name says which worked.
refresh
xruns0=$(field microphone xruns)
stall=1
while :; do
  kill -STOP $daemon
  sleep 2
  kill -CONT $daemon
  until_status 300 above microphone xruns "${xruns0:-0}" && break
  echo "vm-info: faults: no overrun counted after stall $stall: $(brief microphone)"
  [ $stall -ge 2 ] && break
  stall=$((stall + 1))
done
echo "vm-info: faults: after the stall: $(brief microphone)"
check "mic stall: status counts the overrun (xruns ${xruns0:-?} -> $(field microphone xruns); stall $stall of 2)" "$(entry microphone)" \
  above microphone xruns "${xruns0:-0}"
check "mic stall: perchd logs the overrun naming hw:Loopback,1,0" "no line" \
  wait_for $LOG "^<4>microphone hw:Loopback,1,0: overrun" 300
mic2=$(field microphone frames) inferences2=$(field av inferences)
mic_back() { state_is microphone running && above microphone frames "$mic2" && above av inferences "$inferences2"; }
until_status 300 mic_back
check "mic stall: microphone running and capturing again" "$(entry microphone)" mic_back
check "mic stall: model av infers again" "inferences $inferences2 -> $(field av inferences)" above av inferences "$inferences2"

# --- The chip that appeared: the action on it works, with no reload ---
late_started=$(date +%s)
late_value() { cat $LATE_SIM/sim_gpio0/value; }
late_line_held() { grep -A5 "$MISSING_CHIP" /sys/kernel/debug/gpio | grep -q perchd && [ "$(late_value)" = 0 ]; }
until_status 400 state_is late-led held
echo "vm-info: faults: late chip: $(entry late-led); held $(( $(date +%s) - late_appeared )) s after it appeared"
check "gpio chip appears: status shows action late-led held" "$(entry late-led)" state_is late-led held
check "gpio chip appears: perchd logs the action held" "no line" wait_for $LOG "action late-led ($MISSING_CHIP line 0): held at retry" 300
check "gpio chip appears: line 0 of $MISSING_CHIP held by perchd, idle at 0" "value $(late_value); $(grep -A5 $MISSING_CHIP /sys/kernel/debug/gpio)" \
  late_line_held
echo pull-up > "$GPIO_SIM/sim_gpio1/pull"
late_is() { [ "$(late_value)" = "$1" ]; }
wait_late() { i=0; while [ $i -lt 100 ]; do late_is "$1" && return 0; usleep 100000; i=$((i + 1)); done; return 1; }
check "gpio chip appears: input pressed -> action sets line 0 of $MISSING_CHIP = 1" "value $(late_value)" wait_late 1
echo pull-down > "$GPIO_SIM/sim_gpio1/pull"
check "gpio chip appears: input released -> line 0 back to 0" "value $(late_value)" wait_late 0
refresh
no_late_fault() { ! grep -q "\"faults\".*late-led" $STATUS; }
check "gpio chip appears: the fault is gone from /v1/status" "$(sed -n 's/.*\("faults".*\)/\1/p' $STATUS | head -c 300)" no_late_fault
echo "vm-info: faults: the late chip checks took $(( $(date +%s) - late_started )) s after the other checks"

kill -TERM $daemon
wait $daemon
status=$?
show $LOG | grep -v "^  | <6>" | head -40
check "faults: perchd exits 0 on SIGTERM after the faults" "status $status" [ $status -eq 0 ]
echo "vm-info: fault checks took $(( $(date +%s) - faults_started )) s"
