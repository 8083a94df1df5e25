#!/usr/bin/env bash
# The agent command: installs what the reference agent needs, then runs it on its embedded defaults.
# Extra arguments go to the agent's CLI (e.g. `npm start -- report`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export ONNXRUNTIME_NODE_INSTALL=skip
if [ "$#" -eq 0 ]; then set -- run; fi
exec node examples/reference-agent/bin/chimera-agent.mjs "$@"
