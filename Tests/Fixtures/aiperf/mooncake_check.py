"""Reads a Mooncake export with AIPerf's own loader (PyPI `aiperf`, 0.13.0).

Usage: python mooncake_check.py FILE. Prints `can_load`, the number of traces
loaded and skipped, and the first record; exits 1 when AIPerf cannot load the
file or skips a row. The loader is built with a mocked benchmark run and prompt
generator: turning traces into prompts needs a tokenizer download, which this
check does not exercise. Used by KVBlocksExportTests when AIPERF_PYTHON names
an interpreter that has aiperf installed.
"""
import json
import sys
from types import SimpleNamespace
from unittest.mock import MagicMock

from aiperf.dataset.loader.mooncake_trace import MooncakeTraceDatasetLoader

path = sys.argv[1]
with open(path) as f:
    first = json.loads(f.readline())
can_load = MooncakeTraceDatasetLoader.can_load(data=first, filename=path)
cfg = MagicMock()
cfg.get_default_dataset.return_value = SimpleNamespace(inter_turn_delay_cap_seconds=None, synthesis=None)
cfg.phases = []
run = MagicMock()
run.cfg = cfg
loader = MooncakeTraceDatasetLoader(filename=path, prompt_generator=MagicMock(), run=run)
data = loader.load_dataset()
loaded = sum(len(v) for v in data.values())
skipped = loader._skipped_traces
trace = next(iter(data.values()))[0]
print(f"can_load={can_load} loaded={loaded} skipped={skipped}")
print(f"first timestamp={trace.timestamp} input_length={trace.input_length} output_length={trace.output_length} hash_ids={trace.hash_ids[:3]}")
sys.exit(0 if can_load and skipped == 0 else 1)
