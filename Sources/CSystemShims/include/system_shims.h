#ifndef LLM_WORKLOAD_SYSTEM_SHIMS_H
#define LLM_WORKLOAD_SYSTEM_SHIMS_H

/// Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK, Linux).
/// Returns 0 on success, -1 where unsupported or refused. prctl is variadic,
/// which Swift cannot call, hence this wrapper.
int llm_workload_set_timer_slack(unsigned long nanoseconds);

/// Pins the calling thread to one CPU (sched_setaffinity, Linux); threads and
/// processes it starts afterwards inherit the mask. Returns 0 on success, -1 where
/// unsupported or refused. CPU_SET and friends are macros, which Swift cannot call.
int llm_workload_pin_thread_to_cpu(int cpu);

/// Lets the calling thread run on every online CPU again. Returns 0 or -1.
int llm_workload_unpin_thread(void);

#endif
