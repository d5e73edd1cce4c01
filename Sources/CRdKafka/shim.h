#ifndef LLM_WORKLOAD_CRDKAFKA_SHIM_H
#define LLM_WORKLOAD_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
