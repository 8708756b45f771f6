import PerchSelfChecks
import PerchSystem

exitProcess(SelfCheckCommand.run(ProcessArguments.all))
