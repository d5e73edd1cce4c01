#include "system_shims.h"

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int llm_workload_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}

int llm_workload_set_thread_niceness(int niceness) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
}
#else
int llm_workload_set_thread_niceness(int niceness) {
    (void)niceness;
    return -1;
}

int llm_workload_set_timer_slack(unsigned long nanoseconds) {
    (void)nanoseconds;
    return -1;
}
#endif
