#!/bin/sh
# A camera that only delivers MJPEG: v4l2loopback (built out of tree by
# build-v4l2loopback.sh) fed by mjpeg-feed with two JPEGs of the demo scene in turn; perch
# and perchd capture it as RGB24, which libv4l2 decodes from the MJPEG frames (the driver lists MJPG
# only). The two images must come out as exactly two distinct, full-size, non-constant frames,
# each the pixels an independent decoder (djpeg) gets.
P=/bin/perch
cd /tmp
. /guest-lib.sh
mjpeg_started=$(date +%s)
DEV=/dev/video20
LOG=/tmp/mjpeg-camera.log

modprobe v4l2loopback devices=1 video_nr=20 card_label=perch-mjpeg exclusive_caps=1
check "mjpeg: v4l2loopback loaded, $DEV present" "no $DEV" [ -e $DEV ]
mjpeg-feed $DEV 160 120 10 /mjpeg/room.jpg /mjpeg/person.jpg > /tmp/mjpeg-feed.log 2>&1 &
feeder=$!
check "mjpeg: mjpeg-feed sets $DEV to MJPEG 160x120 and writes frames" "$(cat /tmp/mjpeg-feed.log)" \
  wait_for /tmp/mjpeg-feed.log "^mjpeg-feed: $DEV 160x120 MJPEG" 100
show /tmp/mjpeg-feed.log

$P device camera $DEV --width 160 --height 120 --format rgb24 --frames 12 --list --save /tmp/mjpeg-last.rgb > $LOG 2>&1
status=$?
show $LOG | grep -v -e "^  | frame " -e "^  | controls" | head -20
grep "^negotiated:" $LOG | sed "s/^/vm-info: mjpeg /"
check "mjpeg: the driver lists MJPG" "$(grep '^format' $LOG)" grep -q "^format MJPG" $LOG
check "mjpeg: libv4l2 offers RGB3 converted from it" "$(grep '^format' $LOG)" grep -q "^format RGB3 .*(libv4l2)" $LOG
check "mjpeg: perch captures 12 RGB24 frames (full size, not constant, distinct)" "status $status" [ $status -eq 0 ]
check "mjpeg: negotiated 160x120 rgb24" "$(grep '^negotiated' $LOG)" grep -q "^negotiated: 160x120 rgb24" $LOG
frames=$(grep -c "^frame .* bytes=57600 " $LOG)
check "mjpeg: every frame 160x120x3 = 57600 bytes" "$frames of 12" [ "$frames" -eq 12 ]
# The same JPEG decodes to the same pixels: two images in turn give exactly two hashes.
hashes=$(sed -n 's/^frame .* hash=\([0-9a-f]*\)$/\1/p' $LOG | sort -u | wc -l)
check "mjpeg: the two JPEGs decode to exactly two distinct frames" "$hashes distinct hashes" [ "$hashes" -eq 2 ]
# libv4l2 decodes with libjpeg-turbo: the last frame is byte for byte what djpeg on the host
# made of one of the two JPEGs (make-initramfs.sh).
same_as_djpeg() { cmp -s /tmp/mjpeg-last.rgb /mjpeg/room.rgb || cmp -s /tmp/mjpeg-last.rgb /mjpeg/person.rgb; }
check "mjpeg: the last frame equals djpeg's decoding of room.jpg or person.jpg" \
  "differs in $(cmp -l /tmp/mjpeg-last.rgb /mjpeg/room.rgb 2>/dev/null | wc -l) and $(cmp -l /tmp/mjpeg-last.rgb /mjpeg/person.rgb 2>/dev/null | wc -l) bytes" \
  same_as_djpeg

# perchd on the same camera: its source runs and counts frames.
cat > /tmp/perchd-mjpeg.conf <<CONF
[socket]
path = /tmp/perchd-mjpeg.sock
mode = 0600

[camera]
device = $DEV
width = 160
height = 120
CONF
/bin/perchd --config /tmp/perchd-mjpeg.conf > /tmp/perchd-mjpeg.log 2>&1 &
daemon=$!
camera_frames() {
  $P status --json --socket /tmp/perchd-mjpeg.sock 2>/dev/null | tr '{' '\n' | grep '"name": *"camera"' \
    | grep '"state": *"running"' | sed -n 's/.*"frames": *\([0-9]*\).*/\1/p'
}
camera_counts() { f=$(camera_frames); [ -n "$f" ] && [ "$f" -gt 5 ]; }
i=0; while [ $i -lt 60 ] && ! camera_counts; do usleep 500000; i=$((i + 1)); done
check "mjpeg: perchd's camera on $DEV runs and counts frames ($(camera_frames))" "$(head -c 600 /tmp/perchd-mjpeg.log)" camera_counts
kill -TERM $daemon; wait $daemon
show /tmp/perchd-mjpeg.log | head -8
kill $feeder 2>/dev/null
wait $feeder 2>/dev/null
echo "vm-info: mjpeg checks took $(( $(date +%s) - mjpeg_started )) s"
