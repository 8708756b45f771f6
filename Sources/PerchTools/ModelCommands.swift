import PerchSystem
import PerchRuntime

/// `perch model info|run`: local model tools, no daemon needed.
enum ModelCommands {
    static func run(_ arguments: [String]) -> Int32 {
        StandardStream.error.write("perch model: not available yet\n")
        return 2
    }
}
