import PerchCommands
import PerchSystem

exitProcess(PerchCommand.run(ProcessArguments.all))
