import PerchSystem
import PerchdCommands

exitProcess(PerchdCommand.run(ProcessArguments.all))
