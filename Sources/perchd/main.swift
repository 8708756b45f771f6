import PerchSystem
import PerchTools

exitProcess(PerchdCommand.run(ProcessArguments.all))
