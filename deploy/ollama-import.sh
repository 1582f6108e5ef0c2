#!/bin/sh
# One-shot model import for compose.yaml's `ollama-init` service (runs in the ollama image, as a
# client of the Ollama server at $OLLAMA_HOST). Imports /models/$OLLAMA_GGUF (a host folder
# mounted read-only) as the tag $OLLAMA_MODEL, so that nothing is pulled from the internet.
# Does nothing when the tag is already on the server (a later `up`, or a models volume prepared
# with `ollama pull` on a connected machine); fails, and so holds back the chat, when neither the
# tag nor the file is there.
set -eu
model="${OLLAMA_MODEL:?OLLAMA_MODEL is not set}"
gguf="/models/${OLLAMA_GGUF:?OLLAMA_GGUF is not set}"

if ollama show "$model" >/dev/null 2>&1; then
  echo "ollama-init: $model is already on the server; nothing to import"
  exit 0
fi
if [ ! -f "$gguf" ]; then
  echo "ollama-init: the model $model is not on the Ollama server and $gguf does not exist." >&2
  echo "  Put the GGUF file in the models folder (RIGHTS_MODELS_DIR, default ./models) and name it" >&2
  echo "  in RIGHTS_GGUF, or restore a models volume prepared with 'ollama pull' (README," >&2
  echo "  \"Production deployment\")." >&2
  exit 1
fi
sed "s|^FROM .*|FROM $gguf|" /deploy/Modelfile > /tmp/Modelfile
echo "ollama-init: importing $gguf as $model (the server copies it into its models volume)"
ollama create "$model" -f /tmp/Modelfile
ollama show "$model" >/dev/null
echo "ollama-init: $model is ready"
