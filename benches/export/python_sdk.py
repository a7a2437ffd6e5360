# The Python SDK's own JSON Lines read path, timed: `galileo.export.ExportClient.records`
# (the SDK's generated `stream_detailed`, i.e. httpx `iter_lines`, then `json.loads` per
# line), against the bench's server. Only the configuration is bypassed: the SDK's
# `GalileoPythonConfig.get()` logs in to a console, which the local server is not; and
# the SDK's unversioned path (`/projects/{id}/export_records`) gets the `/v2` prefix the
# published API and the local server use (an httpx request hook, once per export).
# Usage: python python_sdk.py BASE_URL API_KEY PROJECT_ID LOG_STREAM_ID
# Prints: records seconds (from the request to the last record decoded).
import sys
import time
import types

from galileo.export import ExportClient
from galileo.resources.models import LLMExportFormat, RootType
from galileo_core.helpers.api_client import ApiClient

base_url, api_key, project_id, log_stream_id = sys.argv[1:5]
exporter = object.__new__(ExportClient)
api_client = ApiClient(host=base_url, jwt_token=api_key)


def versioned(request):
    if not request.url.path.startswith("/v2/"):
        request.url = request.url.copy_with(path="/v2" + request.url.path)


api_client.sync_client.event_hooks["request"].append(versioned)
exporter.config = types.SimpleNamespace(api_client=api_client)
start = time.perf_counter()
records = 0
for record in exporter.records(
    project_id=project_id,
    root_type=RootType.TRACE,
    export_format=LLMExportFormat.JSONL,
    log_stream_id=log_stream_id,
):
    records += 1
elapsed = time.perf_counter() - start
print(records, elapsed)
