import PerchSystem
import PerchTools

exitProcess(PerchCommand.run(ProcessArguments.all))
