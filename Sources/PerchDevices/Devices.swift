// Devices: camera, microphone, GPIO (see the devices issue).
