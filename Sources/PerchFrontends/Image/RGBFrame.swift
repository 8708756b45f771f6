import PerchMedia

/// Whole frames as packed RGB24, for pictures people look at (the live view's JPEGs),
/// using the same conversions the models' inputs use.
public enum RGBFrame {
    public static func convert(_ view: ImageView) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 3 * view.width * view.height)
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<view.height {
                ColourConversion.convertRow(view.row(y), format: view.format, width: view.width, channels: 3,
                                            into: dst.baseAddress! + 3 * view.width * y)
            }
        }
        return out
    }
}
