#ifndef LLM_WORKLOAD_SYSTEM_SHIMS_H
#define LLM_WORKLOAD_SYSTEM_SHIMS_H

/// Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK, Linux).
/// Returns 0 on success, -1 where unsupported or refused. prctl is variadic,
/// which Swift cannot call, hence this wrapper.
int llm_workload_set_timer_slack(unsigned long nanoseconds);

#endif
