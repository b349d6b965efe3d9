#!/usr/bin/env bash
# Build faiss-node@0.5.1 from source against Debian bookworm's libfaiss-dev 1.7.3
# (static /usr/lib/x86_64-linux-gnu/libfaiss.a) + OpenBLAS + LAPACK, with node-gyp
# and Node's own headers (nodedir=/usr). Run from the project root; the root
# package.json "postinstall" does that. faiss-node's own install script
# (prebuild download / git clone of faiss) must be denied via "allowScripts".
#
# Needs: apt-get install -y libfaiss-dev libopenblas-dev liblapack-dev g++ make
set -euo pipefail

ROOT="$(pwd)"
PKG_DIR="${FAISS_NODE_DIR:-$(node -p "require('path').dirname(require.resolve('faiss-node/package.json'))")}"
NODEDIR="${npm_config_nodedir:-/usr}"
FAISS_LIB="${FAISS_LIB:-/usr/lib/x86_64-linux-gnu/libfaiss.a}"
PATCH_DIR="${FAISS_NODE_PATCH_DIR:-$ROOT/scripts/patches}"

# Without the system libraries, leave faiss-node unbuilt rather than failing the whole install: exact search
# still works, and `frw identify --index flat|ivf|hnsw` says what to install.
for f in /usr/include/faiss/Index.h "$FAISS_LIB" "$NODEDIR/include/node/node_api.h"; do
  if [ ! -e "$f" ]; then
    echo "build-faiss-node: WARNING: $f is missing, faiss-node is not built (apt-get install -y libfaiss-dev libopenblas-dev liblapack-dev patch; nodedir=$NODEDIR)" >&2
    exit 0
  fi
done

# Source patches, in name order (Float32Array input, then typed results and reset). Idempotent: each patch's first
# line names a string (no spaces) its change adds and the file it adds it to (`# frw-marker: <string> <file>`);
# a patch whose marker is already there is skipped. (A reverse dry-run cannot tell: a later patch edits an earlier
# one's context.)
shopt -s nullglob
for p in "$PATCH_DIR"/faiss-node-*.patch; do
  marker=$(sed -n '1s/^# frw-marker: //p' "$p")
  if [ -z "$marker" ]; then
    echo "build-faiss-node: $(basename "$p") has no '# frw-marker: <string> <file>' first line" >&2
    exit 1
  fi
  if grep -qF "${marker%% *}" "$PKG_DIR/${marker#* }"; then
    echo "build-faiss-node: already applied $(basename "$p")"
  else
    patch -d "$PKG_DIR" -p0 -N -s < "$p"; echo "build-faiss-node: applied $(basename "$p")"
  fi
done

# faiss >= 1.7.4 has namespace-level faiss::idx_t; 1.7.3 only has faiss::Index::idx_t.
# Force-included shim, so faiss-node's source needs no edit for this.
cat > "$PKG_DIR/faiss_idx_compat.h" <<'H'
#pragma once
#include <faiss/Index.h>
namespace faiss { using idx_t = Index::idx_t; }
H

# faiss-node ships only a cmake-js CMakeLists.txt that vendors faiss 1.7.4 from git;
# give it a node-gyp binding.gyp that links the system static libfaiss instead.
# NODE_ADDON_API_CPP_EXCEPTIONS_ALL (node-addon-api >= 7.1, forced to 8.x via
# "overrides") turns uncaught faiss::FaissException into JS Errors instead of abort().
cat > "$PKG_DIR/binding.gyp" <<G
{
  "targets": [{
    "target_name": "faiss-node",
    "sources": ["src/faiss.cc"],
    "include_dirs": ["<!(node -p \\"require('node-addon-api').include_dir\\")"],
    "defines": ["NAPI_VERSION=6", "NODE_ADDON_API_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-fopenmp", "-O3",
                  "-include", "<(module_root_dir)/faiss_idx_compat.h"],
    "ldflags": ["-fopenmp"],
    "libraries": ["$FAISS_LIB", "-lopenblas", "-llapack", "-lgomp"]
  }]
}
G

cd "$PKG_DIR"
if command -v node-gyp >/dev/null 2>&1; then GYP=(node-gyp)   # inside npm scripts: npm's bundled node-gyp
else GYP=(node "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"); fi
"${GYP[@]}" rebuild --nodedir="$NODEDIR" --jobs="$(nproc)" --loglevel=warn

# smoke test
node -e "
const f = require('./'); const i = new f.IndexFlatIP(4); i.add([1,0,0,0, 0,1,0,0]);
const r = i.search([0,1,0,0], 1); if (r.labels[0] !== 1) throw new Error('faiss-node smoke test failed');
console.log('build-faiss-node: faiss-node OK (' + require('./package.json').version + ')');"
