import CPerchV4L2

/// Camera controls by name ("Brightness", vivid's "Disconnect" button).
extension V4L2Session {
    /// Names of all controls, walking the driver's list with V4L2_CTRL_FLAG_NEXT_CTRL.
    func controlNames() -> [String] {
        var names: [String] = []
        var id = perch_v4l2_ctrl_flag_next_ctrl()
        while names.count < 256 {
            var query = v4l2_queryctrl()
            query.id = id
            guard case .success = V4L2.ioctl(fd, V4L2.queryControl, &query) else { break }
            if query.flags & UInt32(V4L2_CTRL_FLAG_DISABLED) == 0 { names.append(V4L2.text(query.name)) }
            id = query.id | perch_v4l2_ctrl_flag_next_ctrl()
        }
        return names
    }

    /// Sets the control whose name matches `name` (case-insensitive) to `value`.
    func setControl(named name: String, to value: Int32) throws(DeviceError) {
        var id = perch_v4l2_ctrl_flag_next_ctrl()
        let wanted = name.lowercased()
        while true {
            var query = v4l2_queryctrl()
            query.id = id
            guard case .success = V4L2.ioctl(fd, V4L2.queryControl, &query) else {
                throw .unsupported(device: path, "no control named '" + name + "'")
            }
            if V4L2.text(query.name).lowercased() == wanted {
                var control = v4l2_control(id: query.id, value: value)
                if case .failure(let e) = V4L2.ioctl(fd, V4L2.setControl, &control) {
                    throw DeviceError.from(e, device: path, operation: "VIDIOC_S_CTRL " + name)
                }
                return
            }
            id = query.id | perch_v4l2_ctrl_flag_next_ctrl()
        }
    }
}
