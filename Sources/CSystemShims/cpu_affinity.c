#if defined(__linux__)
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>
#endif
#include "system_shims.h"

#if defined(__linux__)
int llm_workload_pin_thread_to_cpu(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -1;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

int llm_workload_unpin_thread(void) {
    long count = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    for (long cpu = 0; cpu < count && cpu < CPU_SETSIZE; cpu++) CPU_SET((int)cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}
#else
int llm_workload_pin_thread_to_cpu(int cpu) {
    (void)cpu;
    return -1;
}

int llm_workload_unpin_thread(void) { return -1; }
#endif
