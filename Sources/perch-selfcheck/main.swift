import PerchSystem
import PerchTools

exitProcess(SelfCheckCommand.run(ProcessArguments.all))
